import datetime
import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from helsefellesskap.mail.models import OutgoingEmail
from helsefellesskap.mail.services import email_queue_rendered

from .backends import DOWN

pytestmark = pytest.mark.django_db


def _run() -> str:
    out = io.StringIO()
    call_command("send_queued_email", stdout=out)
    return out.getvalue().strip()


def _queue(to, **fields):
    # The transaction of a test never commits, so the task does not run: the mail waits.
    email = email_queue_rendered(to=to, subject=f"Til {to}", text_body="Tekst")
    if fields:
        OutgoingEmail.objects.filter(pk=email.pk).update(**fields)
    return email


def test_send_queued_email_sends_every_due_mail_once(mailoutbox):
    now = timezone.now()
    due = _queue("due@example.no")
    overdue = _queue("overdue@example.no", next_attempt_at=now - datetime.timedelta(hours=1))
    later = _queue("later@example.no", next_attempt_at=now + datetime.timedelta(minutes=5))
    failed = _queue("failed@example.no", status=OutgoingEmail.Status.FAILED)
    assert _run() == "2 sent"
    assert sorted(m.to[0] for m in mailoutbox) == ["due@example.no", "overdue@example.no"]
    for email, status in [
        (due, OutgoingEmail.Status.SENT),
        (overdue, OutgoingEmail.Status.SENT),
        (later, OutgoingEmail.Status.QUEUED),
        (failed, OutgoingEmail.Status.FAILED),
    ]:
        email.refresh_from_db()
        assert email.status == status
    # A second run finds nothing due and sends nothing again.
    assert _run() == "0 sent"
    assert len(mailoutbox) == 2


def test_send_queued_email_keeps_the_mail_when_the_server_is_still_down(mailoutbox):
    email = _queue("a@example.no")
    with override_settings(EMAIL_BACKEND=DOWN):
        assert _run() == "0 sent"
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.QUEUED
    assert email.attempts == 1
    assert email.next_attempt_at > timezone.now()  # not due again for a minute
    assert _run() == "0 sent"
    assert mailoutbox == []
