import pytest
from django.urls import reverse

from helsefellesskap.audit.models import AuditEntry
from helsefellesskap.deviations.models import Deviation

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
