"""What the secretariat's mail page reads: mail that failed and mail still on its way, without
the bodies (they may hold one-time links and are never shown)."""

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from .models import OutgoingEmail

SHOWN = 200  # rows per list; a secretariat with more has a mail server to call, not a page to read
BODIES = ("text_body", "html_body", "attachments")


def _mail(user: Any, community: Any) -> QuerySet[OutgoingEmail]:
    return OutgoingEmail.objects.visible_to(user, community).defer(*BODIES)


def failed_mail(user: Any, community: Any) -> list[OutgoingEmail]:
    rows = _mail(user, community).filter(status=OutgoingEmail.Status.FAILED)
    return list(rows.order_by("-created_at")[:SHOWN])


def waiting_mail(user: Any, community: Any) -> list[OutgoingEmail]:
    """Queued for a first or a later attempt, or being sent right now; the oldest first."""
    waiting = (OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.SENDING)
    return list(_mail(user, community).filter(status__in=waiting).order_by("created_at")[:SHOWN])


def sent_count(user: Any, community: Any, *, days: int = 30) -> int:
    since = timezone.now() - datetime.timedelta(days=days)
    rows = _mail(user, community).filter(status=OutgoingEmail.Status.SENT, sent_at__gte=since)
    return rows.count()
