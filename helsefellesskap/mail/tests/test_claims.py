"""A mail is sent once per delivery the mail server accepted: a delivery claims the mail before it
sends, nobody else (a second task, a second worker, the `send_queued_email` safety net) touches a
mail whose claim is live, and a delivery that died is taken over only when its claim runs out."""

import datetime
import threading

import pytest
from django.db import OperationalError, connection
from django.db.models.query import QuerySet
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from helsefellesskap.mail import services
from helsefellesskap.mail.models import OutgoingEmail
from helsefellesskap.mail.services import email_deliver, email_queue_rendered, email_send_due

from . import backends
from .backends import DOWN, DURING_SEND, SLOW

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Tasks kept, not run: in a test whose changes commit, the tests' immediate backend would
# deliver the mail the moment it is queued.
KEEP_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _queue(**values):
    values = {"to": "a@example.no", "subject": "Emne", "text_body": "Tekst", **values}
    return email_queue_rendered(**values)


@pytest.fixture
def during_send():
    """`during_send(hook)`: run `hook` while the mail server is busy with a mail."""

    def set_hook(hook):
        backends.DuringSendBackend.hook = staticmethod(hook)

    yield set_hook
    backends.DuringSendBackend.hook = None


@override_settings(EMAIL_BACKEND=DURING_SEND)
def test_a_mail_being_sent_is_not_sent_again_by_a_second_delivery_or_the_safety_net(
    mailoutbox, during_send
):
    email = _queue()
    meanwhile = []

    def second_delivery_and_safety_net():
        meanwhile.append(email_deliver(email_id=email.pk).status)
        meanwhile.append(email_send_due())

    during_send(second_delivery_and_safety_net)
    email_deliver(email_id=email.pk)
    assert meanwhile == [OutgoingEmail.Status.SENDING, 0]
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT and email.attempts == 1
    assert email.claimed_until is None and email.claim_token == ""


def test_a_delivery_that_died_mid_send_keeps_the_mail_until_its_claim_runs_out(mailoutbox):
    email = _queue()
    claimed = services._claim(email.pk)  # a worker took it, then was killed before answering
    assert claimed is not None and claimed.status == OutgoingEmail.Status.SENDING
    assert claimed.claimed_until > timezone.now() + datetime.timedelta(minutes=4)
    assert email_send_due() == 0
    assert email_deliver(email_id=email.pk).status == OutgoingEmail.Status.SENDING
    assert mailoutbox == []
    # The claim runs out: the safety net takes the mail over, once.
    OutgoingEmail.objects.filter(pk=email.pk).update(
        claimed_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert email_send_due() == 1
    assert email_send_due() == 0
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert email.attempts == 2  # the dead delivery counted as one


def test_a_late_answer_from_a_delivery_whose_claim_was_taken_over_changes_nothing(mailoutbox):
    email = _queue()
    slow = services._claim(email.pk)
    OutgoingEmail.objects.filter(pk=email.pk).update(
        claimed_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert email_deliver(email_id=email.pk).status == OutgoingEmail.Status.SENT
    services._failed(slow, RuntimeError("the slow one's server gave up"))
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT and email.last_error == ""


@override_settings(EMAIL_BACKEND=DOWN)
def test_a_retry_that_comes_early_leaves_the_mail_for_its_time(mailoutbox):
    email = _queue()
    email_deliver(email_id=email.pk)
    email.refresh_from_db()
    assert email.attempts == 1 and email.next_attempt_at > timezone.now()
    assert email_deliver(email_id=email.pk).attempts == 1  # not due: untouched
    assert email_send_due() == 0


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_second_delivery_looks_again_when_the_live_claim_would_run_out(
    django_capture_on_commit_callbacks,
):
    email = _queue()
    claimed = services._claim(email.pk)
    with django_capture_on_commit_callbacks(execute=True):
        email_deliver(email_id=email.pk)
    [look_again] = DBTaskResult.objects.all()
    assert look_again.args_kwargs["args"] == [email.pk]
    assert look_again.run_after > claimed.claimed_until


def test_every_attempt_at_a_mail_carries_the_same_message_id(mailoutbox):
    first = _queue()
    second = _queue()
    email_deliver(email_id=first.pk)
    email_deliver(email_id=second.pk)
    ids = [message.extra_headers["Message-ID"] for message in mailoutbox]
    assert ids[0] != ids[1]
    assert services._message_id(first) == ids[0]
    assert ids[0].startswith(f"<{first.pk}.") and ids[0].endswith("@localhost>")


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=KEEP_TASKS)
def test_a_database_outage_right_after_the_server_accepted_does_not_send_twice(
    mailoutbox, monkeypatch
):
    """The mail went out; recording it fails while the database is away. The delivery keeps
    trying (without holding a transaction) and records it when the database is back."""
    email = _queue()
    real_update = QuerySet.update
    outage = {"left": 3}

    def update(self, **values):
        if values.get("status") == OutgoingEmail.Status.SENT and outage["left"]:
            outage["left"] -= 1
            raise OperationalError("server closed the connection unexpectedly")
        return real_update(self, **values)

    pauses = []
    monkeypatch.setattr(QuerySet, "update", update)
    monkeypatch.setattr(services.time, "sleep", pauses.append)
    assert email_deliver(email_id=email.pk).status == OutgoingEmail.Status.SENT
    assert pauses == [1.0, 2.0, 4.0]
    assert email_send_due() == 0
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT and email.attempts == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
@pytest.mark.django_db(transaction=True)
@override_settings(EMAIL_BACKEND=SLOW, TASKS=KEEP_TASKS)
def test_two_workers_delivering_the_same_mail_at_once_send_it_once(mailoutbox):
    email = _queue()
    start = threading.Barrier(3)
    statuses = []

    def worker():
        try:
            start.wait()
            statuses.append(email_deliver(email_id=email.pk).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(mailoutbox) == 1
    assert len(statuses) == 3 and "sent" in statuses
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT and email.attempts == 1
