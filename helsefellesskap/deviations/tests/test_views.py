import pytest
from django.urls import reverse

from helsefellesskap.audit.models import AuditEntry
from helsefellesskap.deviations.models import Category, Deviation, Theme

pytestmark = pytest.mark.django_db


def detail_url(deviation):
    return reverse("deviations:detail", args=[deviation.community.slug, deviation.number])


def test_visibility_for_every_role(client, dev_world, report):
    deviation = report()
    page = detail_url(deviation)
    expected = [
        (dev_world.nurse, 200),  # the reporter
        (dev_world.municipal_handler, 200),  # a handler of the reporting party
        (dev_world.hospital_handler, 200),  # a handler of the receiving party
        (dev_world.secretariat, 200),  # the community's secretariat
        (dev_world.uninvolved_handler, 404),  # a handler of a party not involved
        (dev_world.member, 404),  # a member of a council, no party role
        (dev_world.outsider, 404),  # a member of another community
        (dev_world.gp, 404),  # a health worker of another party
    ]
    for user, status in expected:
        client.force_login(user)
        response = client.get(page)
        assert response.status_code == status, user
        if status == 404:
            assert "epikrise" not in response.text.lower()
    client.logout()
    assert client.get(page).status_code == 302


def test_lists_show_only_what_each_may_see(client, dev_world, report):
    own = report()
    other = report(actor=dev_world.gp)  # GP → hospital, not the nurse's municipality
    home = reverse("deviations:home", args=[dev_world.community.slug])
    client.force_login(dev_world.nurse)
    text = client.get(home).text
    assert own.number in text and other.number not in text
    client.force_login(dev_world.hospital_handler)
    text = client.get(home).text
    assert own.number in text and other.number in text
    client.force_login(dev_world.uninvolved_handler)
    text = client.get(home).text
    assert own.number not in text and other.number not in text
    client.force_login(dev_world.outsider)
    other_home = reverse("deviations:home", args=[dev_world.other_community.slug])
    assert own.number not in client.get(other_home).text


def test_every_view_is_in_the_audit_trail(client, dev_world, report):
    deviation = report()
    client.force_login(dev_world.hospital_handler)
    client.get(detail_url(deviation))
    client.get(detail_url(deviation))
    views = AuditEntry.objects.filter(action=AuditEntry.Action.VIEW, object_id=deviation.pk)
    assert views.count() == 2
    assert set(views.values_list("actor", flat=True)) == {dev_world.hospital_handler.pk}


def _form(dev_world, **overrides):
    data = {
        "concerned_party": dev_world.hospital.pk,
        "concerned_unit": dev_world.ward.pk,
        "category": dev_world.category.pk,
        "kind": "patient",
        "occurred_on": "2026-11-20",
        "description": "Pasienten kom hjem uten epikrise.",
        "consequence_physical": "minor",
        "consequence_psychological": "none",
        "immediate_action": "",
        "improvement_proposal": "",
        "message_type": "discharge_summary",
        "message_sent_at": "",
        "sender_her": "8765432",
        "receiver_her": "",
    }
    data.update(overrides)
    return data


def test_the_guard_refuses_keeps_the_draft_and_then_accepts(client, dev_world):
    page = reverse("deviations:report", args=[dev_world.community.slug])
    client.force_login(dev_world.nurse)
    text = "Gjelder 150875 45692. Pasienten kom hjem uten epikrise."
    response = client.post(page, _form(dev_world, description=text))
    assert response.status_code == 200
    assert "fødselsnummer" in response.text
    assert "Ingenting er lagret" in response.text
    assert text in response.text  # the draft is kept in the form
    assert not Deviation.objects.exists()
    response = client.post(page, _form(dev_world))
    assert response.status_code == 302
    deviation = Deviation.objects.get()
    assert deviation.concerned_unit == dev_world.ward
    assert deviation.sender_her == "8765432"


def test_names_need_a_ticked_box(client, dev_world):
    page = reverse("deviations:report", args=[dev_world.community.slug])
    client.force_login(dev_world.nurse)
    data = _form(dev_world, description="Kari Hansen fikk ikke med seg medisinene.")
    response = client.post(page, data)
    assert response.status_code == 200
    assert "Sjekk om teksten inneholder navn" in response.text
    assert 'name="confirm_names"' in response.text
    assert not Deviation.objects.exists()
    response = client.post(page, {**data, "confirm_names": "on"})
    assert response.status_code == 302
    assert Deviation.objects.get().names_confirmed


def test_only_people_of_a_party_may_report(client, dev_world):
    page = reverse("deviations:report", args=[dev_world.community.slug])
    client.force_login(dev_world.member)
    assert client.get(page).status_code == 403
    client.force_login(dev_world.outsider)
    assert client.get(page).status_code == 404
    client.force_login(dev_world.nurse)
    response = client.get(page)
    assert response.status_code == 200
    assert "Testby kommune</option>" not in response.text  # not her own party
    assert "Hjemmetjenesten" not in response.text  # nor its units


def test_a_refused_answer_keeps_the_text(client, dev_world, report):
    deviation = report()
    client.force_login(dev_world.hospital_handler)
    act = reverse("deviations:act", args=[dev_world.community.slug, deviation.number, "answer"])
    text = "Ring oss på 73 86 00 00 for detaljer."
    response = client.post(act, {"text": text})
    assert response.status_code == 400
    assert "telefonnummer" in response.text
    assert text in response.text
    deviation.refresh_from_db()
    assert deviation.state == "reported"
    response = client.post(act, {"text": "Epikrisen er sendt på nytt.", "measures_taken": ""})
    assert response.status_code == 302
    deviation.refresh_from_db()
    assert deviation.state == "answered"


def test_a_forbidden_action_is_403(client, dev_world, report):
    deviation = report()
    client.force_login(dev_world.nurse)
    act = reverse("deviations:act", args=[dev_world.community.slug, deviation.number, "answer"])
    assert client.post(act, {"text": "Svar"}).status_code == 403
    client.force_login(dev_world.uninvolved_handler)
    assert client.post(act, {"text": "Svar"}).status_code == 404


def test_settings_are_for_the_secretariat(client, dev_world):
    page = reverse("deviations:settings", args=[dev_world.community.slug])
    client.force_login(dev_world.hospital_handler)
    assert client.get(page).status_code == 404  # no seat in the community: outsider
    client.force_login(dev_world.member)
    assert client.get(page).status_code == 403
    client.force_login(dev_world.secretariat)
    response = client.post(page, {"form": "settings", "deadline_days": "10", "reminder_days": "2"})
    assert response.status_code == 302
    assert dev_world.community.deviation_settings.deadline_days == 10
    person = dev_world.nurse.people.get()
    response = client.post(
        page,
        {
            "form": "handler",
            "person": person.pk,
            "party": dev_world.hospital.pk,
            "unit": dev_world.home_care.pk,
        },
    )
    assert response.status_code == 200
    assert "Enheten hører ikke til parten du valgte." in response.text
    response = client.post(
        page,
        {
            "form": "handler",
            "person": person.pk,
            "party": dev_world.municipality.pk,
            "unit": dev_world.home_care.pk,
        },
    )
    assert response.status_code == 302
    response = client.post(
        page,
        {
            "form": "category",
            "name": "Rehabilitering",
            "agreement_clause": "Retningslinje for rehabilitering",
            "order": "20",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert Category.objects.filter(community=dev_world.community, name="Rehabilitering").exists()


def test_themes_group_deviations_and_link_a_measure(client, dev_world, report):
    deviation = report()
    page = reverse("deviations:themes", args=[dev_world.community.slug])
    client.force_login(dev_world.nurse)
    assert client.get(page).status_code == 404
    client.force_login(dev_world.secretariat)
    response = client.post(
        page,
        {
            "title": "Epikrise mangler",
            "status": "open",
            "description": "",
            "follow_up": "",
            "measure_lineage": "",
        },
    )
    assert response.status_code == 302
    theme = Theme.objects.get(community=dev_world.community)
    assign = reverse("deviations:theme_assign", args=[dev_world.community.slug, deviation.number])
    assert client.post(assign, {"theme": theme.pk}).status_code == 302
    deviation.refresh_from_db()
    assert deviation.theme == theme
    assert deviation.number in client.get(page).text


def test_notifications_wait_in_the_queue_while_the_mail_server_is_down(dev_world, report, settings):
    from django.test import TestCase

    from helsefellesskap.mail.models import OutgoingEmail
    from helsefellesskap.mail.services import email_send_due

    settings.EMAIL_BACKEND = "helsefellesskap.mail.tests.test_services.DownBackend"
    with TestCase.captureOnCommitCallbacks(execute=True):
        deviation = report()
    queued = OutgoingEmail.objects.get(to="avvik.sykehus@example.no")
    assert queued.status == OutgoingEmail.Status.QUEUED and queued.attempts == 1
    waiting = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED).count()
    assert deviation.pk  # the report is stored even though the mail could not go
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutgoingEmail.objects.update(next_attempt_at=queued.created_at)
    assert email_send_due() == waiting  # every handler's notice goes out once the server is up
    queued.refresh_from_db()
    assert queued.status == OutgoingEmail.Status.SENT


def test_lists_stay_under_20_queries(client, dev_world, report, django_assert_max_num_queries):
    for _ in range(12):
        report(concerned_unit=dev_world.ward)
    home = reverse("deviations:home", args=[dev_world.community.slug])
    for user in (dev_world.nurse, dev_world.hospital_handler, dev_world.secretariat):
        client.force_login(user)
        with django_assert_max_num_queries(20):
            assert client.get(home).status_code == 200


def test_each_page_takes_only_its_methods(client, dev_world, report):
    deviation = report()
    slug = dev_world.community.slug
    client.force_login(dev_world.secretariat)
    for name, args in [
        ("deviations:home", [slug]),
        ("deviations:detail", [slug, deviation.number]),
        ("deviations:statistics", [slug]),
        ("deviations:export_csv", [slug]),
    ]:
        assert client.post(reverse(name, args=args)).status_code == 405, name
    for name, args in [
        ("deviations:act", [slug, deviation.number, "receive"]),
        ("deviations:theme_assign", [slug, deviation.number]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 405, name


def test_rows_of_another_community_are_not_found(client, dev_world, report):
    from .factories import CategoryFactory, HandlerFactory, ThemeFactory

    deviation = report()
    w = dev_world
    other_theme = ThemeFactory(community=w.other_community)
    other_category = CategoryFactory(community=w.other_community)
    other_handler = HandlerFactory(community=w.other_community, party__community=w.other_community)
    client.force_login(w.secretariat)
    slug = w.community.slug
    assign = reverse("deviations:theme_assign", args=[slug, deviation.number])
    assert client.post(assign, {"theme": other_theme.pk}).status_code == 404
    assert client.post(assign, {"theme": "tull"}).status_code == 404
    edit = reverse("deviations:category_edit", args=[slug, other_category.pk])
    assert client.get(edit).status_code == 404
    remove = reverse("deviations:handler_remove", args=[slug, other_handler.pk])
    assert client.post(remove).status_code == 404
    deviation.refresh_from_db()
    assert deviation.theme is None


def test_the_case_page_lists_the_electronic_message(client, dev_world, report):
    deviation = report(message_type="discharge_summary", sender_her="8765432")
    client.force_login(dev_world.hospital_handler)
    text = client.get(detail_url(deviation)).text
    assert "<dd>Epikrise, avsender HER 8765432</dd>" in text
    assert 'data-color="warning">Meldt</span>' in text  # the state's colour from the workflow


def test_an_action_someone_already_took_answers_with_the_case_as_it_is(client, dev_world, report):
    """Two handlers click "answer" at once, or one click arrives twice: the loser sees the case
    and a plain message, not a refusal."""
    deviation = report()
    client.force_login(dev_world.hospital_handler)
    act = reverse("deviations:act", args=[dev_world.community.slug, deviation.number, "answer"])
    seen = {"seen_state": "reported"}
    assert client.post(act, {"text": "Epikrisen er sendt.", **seen}).status_code == 302
    response = client.post(act, {"text": "Vi sender den i dag.", **seen})
    assert response.status_code == 409
    assert "Saken er endret siden du åpnet den, og står nå som «Besvart»" in response.text
    assert "Vi sender den i dag." in response.text  # what the loser typed is still there
    assert deviation.events.filter(action="answer").count() == 1


def test_the_action_form_shows_its_own_errors(client, dev_world, report):
    deviation = report()
    client.force_login(dev_world.hospital_handler)
    act = reverse("deviations:act", args=[dev_world.community.slug, deviation.number, "forward"])
    text = "Gjelder kommunen."
    response = client.post(act, {"text": text, "to_party": "999999"})
    assert response.status_code == 400
    assert "Velg et gyldig valg" in response.text
    assert text in response.text
    deviation.refresh_from_db()
    assert deviation.state == "reported"
