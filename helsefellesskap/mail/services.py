"""Outgoing e-mail: rendered from a subject, a text and an HTML template, stored, then delivered by
a background task that retries with growing pauses when the mail server is down."""

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

# A text attachment: {"name": ..., "content": ..., "mimetype": ...}.
Attachment = dict[str, str]


def email_queue(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    attachments: list[Attachment] | None = None,
) -> OutgoingEmail:
    """Render `<template>_subject.txt`, `<template>.txt` and `<template>.html` and queue the mail.

    The task is enqueued when the surrounding transaction commits, so a rolled-back change sends
    nothing."""
    context = {"site_url": settings.SITE_URL, **context}
    return email_queue_rendered(
        to=to,
        subject=render_to_string(f"{template}_subject.txt", context),
        text_body=render_to_string(f"{template}.txt", context),
        html_body=render_to_string(f"{template}.html", context),
        attachments=attachments,
    )


def email_queue_rendered(
    *,
    to: str,
    subject: str,
    text_body: str,
    html_body: str = "",
    attachments: list[Attachment] | None = None,
) -> OutgoingEmail:
    """Queue a rendered mail. Attachments are text: {"name", "content", "mimetype"}."""
    email = OutgoingEmail.objects.create(
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


def email_deliver(*, email_id: int) -> OutgoingEmail:
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().get(pk=email_id)
        if email.status != OutgoingEmail.Status.QUEUED:
            return email
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.text_body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to],
        )
        if email.html_body:
            message.attach_alternative(email.html_body, "text/html")
        for attachment in email.attachments:
            message.attach(attachment["name"], attachment["content"], attachment["mimetype"])
        email.attempts += 1
        try:
            message.send()
        except Exception as error:  # noqa: BLE001 - any failure of the mail server means retry
            logger.warning("E-mail %s failed (attempt %s): %s", email.pk, email.attempts, error)
            email.last_error = str(error)[:2000]
            if email.attempts >= settings.EMAIL_MAX_ATTEMPTS:
                email.status = OutgoingEmail.Status.FAILED
                email.next_attempt_at = None
            else:
                email.next_attempt_at = timezone.now() + retry_delay(email.attempts)
                run_after = email.next_attempt_at
                transaction.on_commit(lambda: _enqueue(email.pk, run_after))
        else:
            email.status = OutgoingEmail.Status.SENT
            email.sent_at = timezone.now()
            email.next_attempt_at = None
            email.last_error = ""
            # A sent mail's body may hold a one-time link (invitation, password reset): keep
            # only who got what subject when.
            email.text_body = email.html_body = ""
            email.attachments = []
        email.save(
            update_fields=[
                "attempts",
                "status",
                "sent_at",
                "next_attempt_at",
                "last_error",
                "text_body",
                "html_body",
                "attachments",
            ]
        )
        return email


def email_send_due() -> int:
    """Deliver every queued mail whose next attempt is due; returns how many were sent."""
    due = OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.QUEUED, next_attempt_at__lte=timezone.now()
    ).values_list("pk", flat=True)
    sent = 0
    for email_id in list(due):
        sent += email_deliver(email_id=email_id).status == OutgoingEmail.Status.SENT
    return sent
