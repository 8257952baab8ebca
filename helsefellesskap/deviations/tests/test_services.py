import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from helsefellesskap.audit.models import AuditEntry
from helsefellesskap.core.workdays import add_working_days
from helsefellesskap.deviations import services
from helsefellesskap.deviations.models import Deviation, Event
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
    assert first.deadline == add_working_days(first.reported_at.date(), 15)
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
    assert not dev_world.community.themes.exists()
