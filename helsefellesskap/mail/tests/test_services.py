import smtplib

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings

from helsefellesskap.mail.models import OutgoingEmail
from helsefellesskap.mail.services import email_deliver, email_queue_rendered, email_send_due

pytestmark = pytest.mark.django_db


class DownBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


DOWN = "helsefellesskap.mail.tests.test_services.DownBackend"


def test_mail_is_kept_and_retried_while_the_server_is_down(mailoutbox):
    with override_settings(EMAIL_BACKEND=DOWN):
        email = email_queue_rendered(to="a@example.no", subject="Emne", text_body="Tekst")
        email_deliver(email_id=email.pk)  # the task's first attempt
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.QUEUED
    assert email.attempts == 1
    assert "unexpectedly closed" in email.last_error
    assert email.next_attempt_at is not None
    # The server comes back: the due mail goes out once.
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=email.created_at)
    assert email_send_due() == 1
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert [m.subject for m in mailoutbox] == ["Emne"]
    assert email_send_due() == 0


@override_settings(EMAIL_BACKEND=DOWN, EMAIL_MAX_ATTEMPTS=2)
def test_mail_is_marked_failed_after_the_last_attempt():
    email = OutgoingEmail.objects.create(to="b@example.no", subject="S", text_body="T")
    email_deliver(email_id=email.pk)
    email_deliver(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED
    assert email.attempts == 2
