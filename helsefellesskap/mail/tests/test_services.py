import datetime

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from helsefellesskap.mail.models import OutgoingEmail
from helsefellesskap.mail.services import (
    deliver_email,
    email_deliver,
    email_queue_rendered,
    email_send_due,
    retry_delay,
)

from .backends import DOWN

pytestmark = pytest.mark.django_db

# A task backend that keeps what is enqueued (with its `run_after`) instead of running it.
KEEP_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

INVITATION = "Følg lenken: https://example.no/konto/invitasjon/hemmelig-token/"


def _queue(**values):
    values = {"to": "a@example.no", "subject": "Emne", "text_body": "Tekst", **values}
    return email_queue_rendered(**values)


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


def _due(email):
    """Time passes: the mail's next attempt is due."""
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())


@override_settings(EMAIL_BACKEND=DOWN, EMAIL_MAX_ATTEMPTS=2)
def test_mail_is_marked_failed_after_the_last_attempt():
    email = OutgoingEmail.objects.create(to="b@example.no", subject="S", text_body="T")
    email_deliver(email_id=email.pk)
    _due(email)
    email_deliver(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED
    assert email.attempts == 2


# --- Stored first, delivered by the task ---------------------------------------------------------


def test_a_mail_is_stored_first_and_sent_by_the_task_when_the_change_commits(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = _queue(
            subject="Invitasjon\n  til  fagrådet",
            html_body="<p>Tekst</p>",
            attachments=[
                {"name": "mote.ics", "content": "BEGIN:VCALENDAR", "mimetype": "text/calendar"}
            ],
        )
    stored = OutgoingEmail.objects.get(pk=email.pk)
    assert stored.status == OutgoingEmail.Status.QUEUED
    assert stored.attempts == 0
    assert stored.subject == "Invitasjon til fagrådet"  # one line, as a subject must be
    assert stored.next_attempt_at is not None
    assert mailoutbox == []  # nothing leaves before the change is committed
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: the task runs (at once, with the tests' task backend)
    stored.refresh_from_db()
    assert stored.status == OutgoingEmail.Status.SENT
    assert stored.attempts == 1
    assert stored.sent_at is not None and stored.next_attempt_at is None
    [message] = mailoutbox
    assert message.to == ["a@example.no"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "Invitasjon til fagrådet"
    assert message.body == "Tekst"
    assert message.alternatives[0][0] == "<p>Tekst</p>"
    assert message.attachments[0][0] == "mote.ics"


def test_a_change_that_is_rolled_back_sends_nothing(mailoutbox, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _queue()
        raise RuntimeError("the change failed")
    assert callbacks == []
    assert not OutgoingEmail.objects.exists()
    assert mailoutbox == []


def test_a_mail_is_sent_once_however_often_the_task_runs(mailoutbox):
    email = _queue()
    email_deliver(email_id=email.pk)
    email_deliver(email_id=email.pk)
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.attempts == 1


# --- While the mail server is down ---------------------------------------------------------------


def test_retry_delay_doubles_up_to_six_hours():
    minutes = [retry_delay(attempts).total_seconds() / 60 for attempts in range(1, 12)]
    assert minutes == [1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360]


@override_settings(EMAIL_BACKEND=DOWN, TASKS=KEEP_TASKS, EMAIL_MAX_ATTEMPTS=8)
def test_a_failing_server_keeps_the_mail_queued_with_a_growing_pause(
    mailoutbox, django_capture_on_commit_callbacks
):
    email = _queue(text_body=INVITATION)
    backend = deliver_email.get_backend()
    for attempt, minutes in enumerate([1, 2, 4, 8], start=1):
        _due(email)
        before = timezone.now()
        with django_capture_on_commit_callbacks(execute=True):
            email_deliver(email_id=email.pk)
        after = timezone.now()
        email.refresh_from_db()
        pause = datetime.timedelta(minutes=minutes)
        assert email.status == OutgoingEmail.Status.QUEUED
        assert email.attempts == attempt
        assert before + pause <= email.next_attempt_at <= after + pause
        assert "unexpectedly closed" in email.last_error
        assert email.text_body == INVITATION  # kept for the next attempt
        # The next attempt is enqueued for when it is due.
        retry = backend.results[-1]
        assert list(retry.args) == [email.pk]
        assert retry.task.run_after == email.next_attempt_at
    assert len(backend.results) == 4
    assert mailoutbox == []


@override_settings(EMAIL_BACKEND=DOWN, TASKS=KEEP_TASKS, EMAIL_MAX_ATTEMPTS=3)
def test_after_the_last_attempt_the_mail_is_failed_and_tried_no_more(
    mailoutbox, django_capture_on_commit_callbacks
):
    email = _queue()
    backend = deliver_email.get_backend()
    for _attempt in range(3):
        _due(email)
        with django_capture_on_commit_callbacks(execute=True):
            email_deliver(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED
    assert email.attempts == 3
    assert email.next_attempt_at is None
    assert "unexpectedly closed" in email.last_error
    assert len(backend.results) == 2  # retries after the first and the second attempt only
    # Neither the task nor the safety net tries again.
    email_deliver(email_id=email.pk)
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert email_send_due() == 0
    email.refresh_from_db()
    assert email.attempts == 3
    assert mailoutbox == []


@override_settings(EMAIL_BACKEND=DOWN)
def test_without_deferred_tasks_the_retry_is_left_for_the_safety_net(
    django_capture_on_commit_callbacks,
):
    """The tests' task backend runs tasks at once and cannot defer them: nothing is enqueued,
    `send_queued_email` picks the mail up when it is due."""
    email = _queue()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email_deliver(email_id=email.pk)
    assert len(callbacks) == 1
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.QUEUED
    assert email.attempts == 1


# --- One-time links ------------------------------------------------------------------------------


def test_a_sent_mail_keeps_who_got_what_subject_when_but_not_its_body(mailoutbox):
    email = _queue(
        subject="Nytt passord",
        text_body=INVITATION,
        html_body=f"<p>{INVITATION}</p>",
        attachments=[{"name": "a.txt", "content": INVITATION, "mimetype": "text/plain"}],
    )
    email_deliver(email_id=email.pk)
    assert "hemmelig-token" in mailoutbox[0].body  # the recipient got the link …
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert (email.to, email.subject) == ("a@example.no", "Nytt passord")
    assert email.sent_at is not None
    # … and it is not kept.
    assert email.text_body == "" and email.html_body == "" and email.attachments == []
    assert not OutgoingEmail.objects.filter(text_body__contains="hemmelig-token").exists()


# --- With the database queue of a real run ------------------------------------------------------

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@override_settings(EMAIL_BACKEND=DOWN, TASKS=DATABASE_QUEUE)
def test_the_database_queue_holds_the_delivery_and_its_retry(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue()
    [first] = DBTaskResult.objects.all()
    assert first.task.func is deliver_email.func
    assert first.args_kwargs["args"] == [email.pk]
    with django_capture_on_commit_callbacks(execute=True):
        email_deliver(email_id=email.pk)  # what the worker runs; the server is down
    email.refresh_from_db()
    retry = DBTaskResult.objects.exclude(pk=first.pk).get()
    assert retry.task.func is deliver_email.func
    assert retry.run_after == email.next_attempt_at
