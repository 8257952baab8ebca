"""Outgoing e-mail: rendered from a subject, a text and an HTML template, stored, then delivered by
a background task that retries with growing pauses when the mail server is down.

What is guaranteed. A delivery claims the mail first (one UPDATE that only succeeds on a queued
mail that is due, or on one whose earlier claim has run out), sends it outside any transaction,
then records the outcome under its claim. So two deliveries never send a mail at the same time,
and neither the task, a second worker nor the `send_queued_email` safety net touches a mail whose
claim is live. A mail the server accepted is sent again only if the delivery could not record it
before its claim ran out (`EMAIL_CLAIM_SECONDS`): the worker was killed in the moment between the
server's answer and the write, or the database stayed away that whole time (the write is retried
until shortly before the claim runs out). Such a repeat carries the same Message-ID, so mail
clients can recognise it. A mail the server never accepted is tried again, up to
`EMAIL_MAX_ATTEMPTS` attempts (a claim that ran out counts as one), then marked failed; it keeps
its body so the secretariat can send it again."""

import datetime
import functools
import logging
import secrets
import time
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.db import connections, transaction
from django.db.models import F, Q
from django.db.utils import InterfaceError, OperationalError
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from .models import OutgoingEmail
from .policies import OutgoingEmailPolicy

logger = logging.getLogger(__name__)

# A text attachment: {"name": ..., "content": ..., "mimetype": ...}.
Attachment = dict[str, str]


def email_queue(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    attachments: list[Attachment] | None = None,
    community: Any = None,
) -> OutgoingEmail:
    """Render `<template>_subject.txt`, `<template>.txt` and `<template>.html` and queue the mail.
    `community`: whose secretariat sees the mail if it fails (none: the platform admin).

    The task is enqueued when the surrounding transaction commits, so a rolled-back change sends
    nothing."""
    context = {"site_url": settings.SITE_URL, **context}
    return email_queue_rendered(
        to=to,
        subject=render_to_string(f"{template}_subject.txt", context),
        text_body=render_to_string(f"{template}.txt", context),
        html_body=render_to_string(f"{template}.html", context),
        attachments=attachments,
        community=community,
    )


def email_queue_rendered(
    *,
    to: str,
    subject: str,
    text_body: str,
    html_body: str = "",
    attachments: list[Attachment] | None = None,
    community: Any = None,
) -> OutgoingEmail:
    """Queue a rendered mail. Attachments are text: {"name", "content", "mimetype"}."""
    email = OutgoingEmail.objects.create(
        community=community,
        to=to,
        subject=" ".join(subject.split())[:250],
        text_body=text_body,
        html_body=html_body,
        attachments=attachments or [],
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: _enqueue(email.pk))
    return email


@task()
def deliver_email(email_id: int) -> str:
    """The background task: one attempt at delivering a queued mail."""
    return email_deliver(email_id=email_id).status


def _enqueue(email_id: int, run_after: datetime.datetime | None = None) -> None:
    attempt = deliver_email
    if run_after is not None:
        if not attempt.get_backend().supports_defer:
            return  # left for `send_queued_email`, which picks up every mail that is due
        attempt = attempt.using(run_after=run_after)
    attempt.enqueue(email_id)


def retry_delay(attempts: int) -> datetime.timedelta:
    """1, 2, 4, 8 … minutes, at most six hours."""
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _claimable(now: datetime.datetime) -> Q:
    """Mails a delivery may take: queued and due, or being sent under a claim that has run out
    (its worker died or lost the database)."""
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    expired = Q(status=OutgoingEmail.Status.SENDING, claimed_until__lt=now)
    return (Q(status=OutgoingEmail.Status.QUEUED) & due) | expired


def _claim(email_id: int) -> OutgoingEmail | None:
    """Take the mail for one attempt, or None when it is not ours to take."""
    now = timezone.now()
    token = secrets.token_hex(16)
    taken = OutgoingEmail.objects.filter(_claimable(now), pk=email_id).update(
        status=OutgoingEmail.Status.SENDING,
        claimed_until=now + datetime.timedelta(seconds=settings.EMAIL_CLAIM_SECONDS),
        claim_token=token,
        attempts=F("attempts") + 1,  # a delivery that dies mid-send used an attempt too
    )
    return OutgoingEmail.objects.get(pk=email_id, claim_token=token) if taken else None


def _message_id(email: OutgoingEmail) -> str:
    """The same for every attempt at one mail: a repeat is recognisably the same message."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<{email.pk}.{int(email.created_at.timestamp())}.helsefellesskap@{domain}>"


def _message(email: OutgoingEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        headers={"Message-ID": _message_id(email)},
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    for attachment in email.attachments:
        message.attach(attachment["name"], attachment["content"], attachment["mimetype"])
    return message


# The outcome of an attempt is written again through a database outage until this long before
# the claim runs out, so a short outage right after the server accepted a mail sends it once.
RECORD_MARGIN = datetime.timedelta(seconds=10)
DATABASE_ERRORS = (OperationalError, InterfaceError)


def _record(email: OutgoingEmail, values: dict[str, Any]) -> bool:
    """Write how the attempt went, if our claim still holds; False when it ran out and another
    delivery took the mail (which then decides)."""
    ours = OutgoingEmail.objects.filter(
        pk=email.pk, status=OutgoingEmail.Status.SENDING, claim_token=email.claim_token
    )
    deadline = (email.claimed_until or timezone.now()) - RECORD_MARGIN
    pause, waited = 1.0, False
    while True:
        try:
            recorded = ours.update(**values) == 1
            break
        except DATABASE_ERRORS as error:
            connection = connections[ours.db]
            late = timezone.now() + datetime.timedelta(seconds=pause) > deadline
            if connection.in_atomic_block or late:
                raise
            if not waited:
                logger.warning(
                    "E-mail %s: the database is unavailable (%s); retrying to record attempt %s",
                    email.pk,
                    type(error).__name__,
                    email.attempts,
                )
                waited = True
            connection.close()  # the next try opens a new connection
            time.sleep(pause)
            pause = min(pause * 2, 30.0)
    if waited and recorded:
        logger.info("E-mail %s: attempt %s recorded", email.pk, email.attempts)
    if not recorded:
        logger.warning(
            "E-mail %s: claim ran out before attempt %s was recorded", email.pk, email.attempts
        )
        email.refresh_from_db()
        return False
    for field, value in values.items():
        setattr(email, field, value)
    return True


def _sent(email: OutgoingEmail) -> None:
    # A sent mail's body may hold a one-time link (invitation, password reset): keep only who
    # got what subject when.
    _record(
        email,
        {
            "status": OutgoingEmail.Status.SENT,
            "sent_at": timezone.now(),
            "next_attempt_at": None,
            "last_error": "",
            "text_body": "",
            "html_body": "",
            "attachments": [],
            "claimed_until": None,
            "claim_token": "",
        },
    )


def _failed(email: OutgoingEmail, error: Exception) -> None:
    logger.warning("E-mail %s failed (attempt %s): %s", email.pk, email.attempts, error)
    values: dict[str, Any] = {
        "last_error": str(error)[:2000],
        "claimed_until": None,
        "claim_token": "",
    }
    retry_at = None
    if email.attempts >= settings.EMAIL_MAX_ATTEMPTS:
        values |= {"status": OutgoingEmail.Status.FAILED, "next_attempt_at": None}
    else:
        retry_at = timezone.now() + retry_delay(email.attempts)
        values |= {"status": OutgoingEmail.Status.QUEUED, "next_attempt_at": retry_at}
    if _record(email, values) and retry_at is not None:
        transaction.on_commit(functools.partial(_enqueue, email.pk, retry_at))


def _not_taken(email_id: int) -> OutgoingEmail:
    email = OutgoingEmail.objects.get(pk=email_id)
    if email.status == OutgoingEmail.Status.SENDING and email.claimed_until is not None:
        # Another delivery holds it. Should that one die, look again when its claim runs out.
        look_again = email.claimed_until + datetime.timedelta(seconds=1)
        transaction.on_commit(functools.partial(_enqueue, email.pk, look_again))
    return email


def email_deliver(*, email_id: int) -> OutgoingEmail:
    """One attempt at delivering a mail. Safe to run twice at once and to run again later: only
    the delivery holding the claim sends, and a mail that is sent, failed, not yet due or being
    sent by another delivery is left as it is."""
    email = _claim(email_id)
    if email is None:
        return _not_taken(email_id)
    try:
        _message(email).send()
    except Exception as error:  # noqa: BLE001 - any failure of the mail server means retry
        _failed(email, error)
    else:
        _sent(email)
    return email


def email_send_due() -> int:
    """Deliver every mail whose next attempt is due, and every one whose delivery died (its claim
    ran out); returns how many were sent. A mail being sent right now is not touched."""
    due = (
        OutgoingEmail.objects.filter(_claimable(timezone.now()))
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    sent = 0
    for email_id in list(due):
        sent += email_deliver(email_id=email_id).status == OutgoingEmail.Status.SENT
    return sent


# Failed, or waiting for another attempt after a failure. Not one queued for its first attempt
# or being sent: sending it "again" would only make a second delivery wait for the first.
RESENDABLE = Q(status=OutgoingEmail.Status.FAILED) | Q(
    status=OutgoingEmail.Status.QUEUED, attempts__gt=0
)


def email_resend(*, actor: Any, email: OutgoingEmail) -> bool:
    """Send a mail that failed (or is waiting for its next attempt) again now, with its attempts
    counted from the start. False when there was nothing to send again: it was sent, is being
    sent, or is already queued (a second click)."""
    if not OutgoingEmailPolicy().can_edit(actor, email):
        raise PermissionDenied
    queued = OutgoingEmail.objects.filter(RESENDABLE, pk=email.pk).update(
        status=OutgoingEmail.Status.QUEUED,
        attempts=0,
        next_attempt_at=timezone.now(),
        last_error="",
        claimed_until=None,
        claim_token="",
    )
    if queued:
        logger.info("E-mail %s queued again by user %s", email.pk, actor.pk)
        transaction.on_commit(functools.partial(_enqueue, email.pk))
    email.refresh_from_db()
    return bool(queued)
