import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.utils import timezone

from helsefellesskap.audit.models import AuditEntry
from helsefellesskap.core.workdays import add_working_days
from helsefellesskap.deviations import services
from helsefellesskap.deviations.models import Deviation, Event, Theme
from helsefellesskap.mail.models import OutgoingEmail

pytestmark = pytest.mark.django_db
S = Deviation.State


def test_a_report_is_numbered_given_a_deadline_and_sent_to_the_hospital(dev_world, report):
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = report()
        second = report()
    year = first.reported_at.year
    assert (first.number, second.number) == (f"{year}-0001", f"{year}-0002")
    assert first.state == S.REPORTED
    assert first.reporting_party == dev_world.municipality
    assert first.handling_party == dev_world.hospital
    assert first.deadline == add_working_days(timezone.localdate(first.reported_at), 15)
    assert first.direction == "municipality_to_hospital"
    to = {m.to[0] for m in mail.outbox}
    assert "avvik.sykehus@example.no" in to
    assert "avvik.annenby@example.no" not in to
    for message in mail.outbox:  # the mail holds a link, never the report's text
        assert "epikrise" not in message.body.lower()
        assert (
            f"/avvik/{first.number}/" in message.body or f"/avvik/{second.number}/" in message.body
        )


def test_an_identity_number_is_refused_and_nothing_is_stored(dev_world, report):
    with pytest.raises(services.PrivacyGuardError) as error:
        report(description="Gjelder pasient 15087545692, epikrise manglet.")
    assert error.value.result.errors[0].kind == "national_id"
    assert "15087545692" not in str(error.value)
    assert not Deviation.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_names_must_be_confirmed(dev_world, report):
    text = "Ola Nordmann kom hjem uten epikrise."
    with pytest.raises(services.PrivacyGuardError) as error:
        report(description=text)
    assert error.value.result.ok and error.value.result.warnings
    assert not Deviation.objects.exists()
    deviation = report(description=text, confirm_names=True)
    assert deviation.names_confirmed


def test_a_deviation_must_concern_another_party(dev_world, report):
    with pytest.raises(ValidationError):
        report(concerned_party=dev_world.municipality)


def test_someone_who_belongs_to_no_party_cannot_report(dev_world, report):
    with pytest.raises(PermissionDenied):
        report(actor=dev_world.outsider)


def test_the_whole_case_from_report_to_closed(dev_world, report):
    deviation = report()
    hospital = dev_world.hospital_handler
    for action, actor, text in [
        ("receive", hospital, ""),
        ("start", hospital, ""),
        ("answer", hospital, "Epikrisen er nå sendt. Rutinen er gjennomgått med avdelingen."),
        ("accept", dev_world.nurse, ""),
    ]:
        deviation = services.deviation_act(
            actor=actor, deviation=deviation, action=action, text=text
        )
    assert deviation.state == S.CLOSED and deviation.closed_at
    assert deviation.answer.startswith("Epikrisen er nå sendt")
    actions = list(Event.objects.filter(deviation=deviation).values_list("action", flat=True))
    assert actions == ["report", "receive", "start", "answer", "accept"]
    assert (
        AuditEntry.objects.filter(
            object_type="deviations.deviation", object_id=deviation.pk
        ).count()
        == 5
    )


def test_waiting_for_the_reporter_pauses_the_clock(dev_world, report, monkeypatch):
    deviation = report()
    deviation = services.deviation_act(
        actor=dev_world.hospital_handler, deviation=deviation, action="receive"
    )
    asked_on = datetime.date(2026, 11, 23)
    replied_on = datetime.date(2026, 11, 30)  # five working days later
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: asked_on)
    deviation = services.deviation_act(
        actor=dev_world.hospital_handler,
        deviation=deviation,
        action="ask",
        text="Hvilken dato ble PLO sendt?",
    )
    assert deviation.state == S.WAITING and deviation.paused_since == asked_on
    before = deviation.deadline
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: replied_on)
    deviation = services.deviation_act(
        actor=dev_world.nurse,
        deviation=deviation,
        action="reply",
        text="Den 20. november kl. 10:15.",
    )
    assert deviation.state == S.IN_PROGRESS
    assert deviation.deadline == add_working_days(before, 5)
    assert deviation.paused_since is None


def test_forwarding_moves_the_case_to_the_other_party(dev_world, report):
    deviation = report()
    deviation = services.deviation_act(
        actor=dev_world.hospital_handler,
        deviation=deviation,
        action="forward",
        text="Gjelder kommunens legevakt",
        to_party=dev_world.other_municipality,
    )
    assert deviation.state == S.FORWARDED
    assert deviation.handling_party == dev_world.other_municipality
    deviation = services.deviation_act(
        actor=dev_world.uninvolved_handler, deviation=deviation, action="receive"
    )
    assert deviation.state == S.RECEIVED
    with pytest.raises(PermissionDenied):  # the hospital no longer holds the case
        services.deviation_act(
            actor=dev_world.hospital_handler, deviation=deviation, action="start"
        )


def test_disagreement_goes_to_the_secretariat(dev_world, report):
    deviation = report()
    services.deviation_act(
        actor=dev_world.hospital_handler,
        deviation=deviation,
        action="answer",
        text="Vi mener epikrisen ble sendt i tide.",
    )
    deviation = services.deviation_act(
        actor=dev_world.nurse, deviation=deviation, action="reopen", text="Den kom ikke fram."
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        deviation = services.deviation_act(
            actor=dev_world.nurse, deviation=deviation, action="escalate", text="Vi er uenige."
        )
    assert deviation.state == S.DISAGREEMENT
    assert {m.to[0] for m in mail.outbox} == {"sekretariat@example.no"}
    deviation = services.deviation_act(
        actor=dev_world.secretariat, deviation=deviation, action="resolve", text="Tas opp i ASU."
    )
    assert deviation.state == S.CLOSED


def test_gp_reports_are_triaged_by_the_liaison_first(dev_world, report):
    deviation = report(actor=dev_world.gp)
    assert deviation.by_gp and deviation.state == S.TRIAGE
    assert deviation.direction == "gp_to_hospital"
    with pytest.raises(PermissionDenied):
        services.deviation_act(
            actor=dev_world.hospital_handler, deviation=deviation, action="receive"
        )
    deviation = services.deviation_act(
        actor=dev_world.liaison,
        deviation=deviation,
        action="forward",
        to_unit=dev_world.ward,
        text="Til medisinsk avdeling",
    )
    assert deviation.handling_unit == dev_world.ward


def test_answers_and_comments_pass_the_guard_too(dev_world, report):
    deviation = report()
    with pytest.raises(services.PrivacyGuardError):
        services.deviation_act(
            actor=dev_world.hospital_handler,
            deviation=deviation,
            action="answer",
            text="Ring meg på 912 34 567",
        )
    with pytest.raises(services.PrivacyGuardError):
        services.deviation_comment(
            actor=dev_world.nurse, deviation=deviation, text="Skriv til ola@example.com"
        )
    deviation.refresh_from_db()
    assert deviation.state == S.REPORTED and not deviation.answer


def test_reminders_before_and_escalation_after_the_deadline(dev_world, report):
    deviation = report()
    day_before = deviation.deadline - datetime.timedelta(days=1)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.send_reminders(today=day_before) == {"reminded": 1, "escalated": 0}
        assert services.send_reminders(today=day_before) == {"reminded": 0, "escalated": 0}
    after = deviation.deadline + datetime.timedelta(days=1)
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.send_reminders(today=after) == {"reminded": 0, "escalated": 1}
    assert [m.to[0] for m in mail.outbox] == ["sekretariat@example.no"]
    assert "Over fristen" in mail.outbox[0].subject
    assert services.send_reminders(today=after)["escalated"] == 0


def test_theme_texts_pass_the_guard(dev_world):
    with pytest.raises(services.PrivacyGuardError):
        services.theme_save(
            actor=dev_world.secretariat,
            community=dev_world.community,
            title="Epikrise",
            description="Se pasient 15087545692",
            status="open",
        )
    assert not Theme.objects.filter(community=dev_world.community).exists()


def test_a_user_representatives_report_keeps_the_two_sides_apart(dev_world, report):
    from helsefellesskap.organisation.tests.factories import (
        MembershipFactory,
        PersonFactory,
        UserFactory,
    )

    rep_user = UserFactory(email="bruker@example.no", full_name="Berit Bruker")
    person = PersonFactory(community=dev_world.community, user=rep_user, email=rep_user.email)
    MembershipFactory(body=dev_world.council, person=person, representation="user")
    with pytest.raises(ValidationError):  # user representatives report system-level breaches
        report(actor=rep_user)
    deviation = report(actor=rep_user, kind="system")
    assert deviation.by_user_representative and deviation.reporting_party is None
    assert deviation.reported_by_label == "Brukerrepresentant"
    services.deviation_act(
        actor=dev_world.hospital_handler,
        deviation=deviation,
        action="answer",
        text="Vi har gjennomgått rutinen.",
    )
    with pytest.raises(PermissionDenied):  # the party concerned cannot accept its own answer
        services.deviation_act(
            actor=dev_world.hospital_handler, deviation=deviation, action="accept"
        )
    deviation = services.deviation_act(actor=rep_user, deviation=deviation, action="accept")
    assert deviation.state == S.CLOSED


def test_the_gp_liaison_triages_only_reports_about_the_own_party(dev_world, report):
    from helsefellesskap.deviations.policies import deviation_roles

    about_hospital = report(actor=dev_world.gp)
    about_municipality = report(actor=dev_world.gp, concerned_party=dev_world.municipality)
    assert about_hospital.state == S.TRIAGE
    assert about_municipality.state == S.REPORTED  # the municipality has no GP liaison
    assert "gp_liaison" not in deviation_roles(dev_world.liaison, about_municipality)
    with pytest.raises(PermissionDenied):
        services.deviation_act(
            actor=dev_world.liaison, deviation=about_municipality, action="answer", text="Svar"
        )
    # Nobody but the liaison acts during triage, and the case does not wait on the unit's list.
    assert deviation_roles(dev_world.hospital_handler, about_hospital) == set()
    with pytest.raises(PermissionDenied):
        services.deviation_act(
            actor=dev_world.hospital_handler,
            deviation=about_hospital,
            action="answer",
            text="Svar før triage",
        )
    from helsefellesskap.deviations.selectors import for_my_party

    assert about_hospital not in for_my_party(dev_world.hospital_handler, dev_world.community)
    assert about_hospital in for_my_party(dev_world.liaison, dev_world.community)


def test_her_ids_are_numbers_of_at_most_nine_digits(dev_world, report):
    with pytest.raises(ValidationError):
        report(receiver_her="15087545692")  # an identity number, not a HER id
    assert not Deviation.objects.exists()


def test_theme_names_need_confirmation(dev_world):
    kwargs = {
        "actor": dev_world.secretariat,
        "community": dev_world.community,
        "title": "Kari Nordmann sin utskrivning",
        "status": "open",
    }
    with pytest.raises(services.PrivacyGuardError):
        services.theme_save(**kwargs)
    assert services.theme_save(**kwargs, confirm_names=True).pk


def test_category_names_pass_the_guard(dev_world):
    with pytest.raises(services.PrivacyGuardError):
        services.category_save(
            actor=dev_world.secretariat, community=dev_world.community, name="Pasient 15087545692"
        )


def test_unit_handlers_are_not_mailed_about_cases_of_the_whole_party(dev_world, report):
    from .factories import HandlerFactory

    HandlerFactory(
        party=dev_world.hospital, unit=dev_world.ward, person=dev_world.member.people.get()
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        report()  # no unit given: the party's own handlers
    assert dev_world.member.email not in {m.to[0] for m in mail.outbox}


def test_reopening_gives_a_new_deadline_and_tells_the_handlers(dev_world, report):
    deviation = report()
    services.deviation_act(
        actor=dev_world.hospital_handler, deviation=deviation, action="answer", text="Svar"
    )
    Deviation.objects.filter(pk=deviation.pk).update(
        deadline=datetime.date(2020, 1, 1), reminded_at=timezone.now()
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        deviation = services.deviation_act(
            actor=dev_world.nurse, deviation=deviation, action="reopen", text="Ikke godt nok."
        )
    assert deviation.deadline > timezone.localdate() and deviation.reminded_at is None
    assert "avvik.sykehus@example.no" in {m.to[0] for m in mail.outbox}


def test_forwarding_and_themes_are_in_the_cases_own_trail(dev_world, report):
    from .factories import ThemeFactory

    deviation = report()
    services.deviation_act(
        actor=dev_world.hospital_handler,
        deviation=deviation,
        action="forward",
        text="Til kommunen",
        to_party=dev_world.other_municipality,
    )
    entry = AuditEntry.objects.filter(object_id=deviation.pk, action="update").latest("at")
    assert entry.changes["handling"] == ["Testdalen HF", "Annenby kommune"]
    theme = ThemeFactory(community=dev_world.community)
    services.theme_assign(actor=dev_world.secretariat, theme=theme, deviations=[deviation])
    assert Event.objects.filter(deviation=deviation, action="theme").exists()
    assert AuditEntry.objects.filter(object_id=deviation.pk, changes__theme__isnull=False).exists()
