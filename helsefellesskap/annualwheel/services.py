"""Changes to the annual wheel. Writes run in one transaction and write the audit trail."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helsefellesskap.audit.models import AuditEntry
from helsefellesskap.audit.services import audit_record, save_audited
from helsefellesskap.cases import services as case_services
from helsefellesskap.cases.models import Meeting
from helsefellesskap.core.periods import FIRST_YEAR, LAST_YEAR

from . import schedule
from .models import (
    ERROR_BODY_REQUIRED,
    FeedToken,
    Kind,
    RecurrenceRule,
    WheelEvent,
    new_token,
)

ERROR_DELETE_MEETING = _(
    "Hendelsen er knyttet til et møte. Avlys møtet på møtesiden i stedet for å slette den."
)
ERROR_LINKED_MEETING_TIME = _(
    "Hendelsen er knyttet til et møte. Tid for møtet endres på møtesiden."
)
ERROR_YEAR = _("Velg et år mellom %(first)s og %(last)s.")

RULE_FIELDS = [
    "body",
    "kind",
    "title",
    "interval_weeks",
    "first_date",
    "end_date",
    "weekday",
    "start_time",
    "duration_minutes",
    "location",
    "is_public",
]
EVENT_FIELDS = [
    "kind",
    "title",
    "body",
    "starts_at",
    "ends_at",
    "all_day",
    "location",
    "description",
    "is_public",
]


def local_datetime(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """An aware datetime at `time` on `day` in the platform's time zone (Europe/Oslo)."""
    return datetime.datetime.combine(day, time, tzinfo=timezone.get_default_timezone())


# --- Rules ---------------------------------------------------------------------------------------


def rule_save(*, actor: Any, rule: RecurrenceRule, **values: Any) -> RecurrenceRule:
    return save_audited(actor=actor, obj=rule, values=values, allowed=RULE_FIELDS)


def rule_delete(*, actor: Any, rule: RecurrenceRule) -> int:
    """Delete a rule and its unconfirmed proposals; confirmed events stay, without the rule.
    Returns the number of proposals removed."""
    with transaction.atomic():
        removed, _detail = rule.events.filter(is_confirmed=False).delete()
        audit_record(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            obj=rule,
            changes={"proposals_removed": [str(removed), ""]},
        )
        rule.delete()
    return removed


def rule_generate(*, actor: Any, rule: RecurrenceRule, year: int) -> list[WheelEvent]:
    """Propose the rule's dates for `year` as unconfirmed events (see schedule.py for how dates
    avoid holidays, weekends, Christmas and July). A date whose part of the series already has an
    event from the rule, or a meeting of the rule's body, is skipped: running it again adds
    nothing. Returns the new proposals."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(ERROR_YEAR % {"first": FIRST_YEAR, "last": LAST_YEAR})
    pairs = schedule.proposed_dates(
        first_date=rule.first_date,
        interval_weeks=rule.interval_weeks,
        weekday=rule.weekday,
        year=year,
        end_date=rule.end_date,
    )
    if not pairs:
        return []
    first, _last = schedule.window(pairs[0][0], rule.interval_weeks)
    _first, last = schedule.window(pairs[-1][0], rule.interval_weeks)
    span = (
        local_datetime(first, datetime.time.min),
        local_datetime(last + datetime.timedelta(days=1), datetime.time.min),
    )
    with transaction.atomic():
        # Lock the rule so two secretaries pressing the button at once make one set of proposals.
        RecurrenceRule.objects.select_for_update().get(pk=rule.pk)
        taken = [
            timezone.localdate(at)
            for at in rule.events.filter(starts_at__gte=span[0], starts_at__lt=span[1]).values_list(
                "starts_at", flat=True
            )
        ]
        if rule.body_id:
            meetings = Meeting.objects.filter(
                bodies=rule.body_id, starts_at__gte=span[0], starts_at__lt=span[1]
            ).exclude(status=Meeting.Status.CANCELLED)
            taken += [timezone.localdate(at) for at in meetings.values_list("starts_at", flat=True)]
        duration = datetime.timedelta(minutes=rule.duration_minutes)
        proposals = []
        for series_date, day in pairs:
            first, last = schedule.window(series_date, rule.interval_weeks)
            if any(first <= other <= last for other in taken):
                continue
            starts_at = local_datetime(day, rule.start_time)
            event = WheelEvent(
                community_id=rule.community_id,
                kind=rule.kind,
                title=rule.title,
                body=rule.body,
                starts_at=starts_at,
                ends_at=starts_at + duration,
                location=rule.location,
                is_public=rule.is_public,
                is_confirmed=False,
                rule=rule,
            )
            event.clean()  # the fields come from the rule, already validated
            proposals.append(event)
        WheelEvent.objects.bulk_create(proposals)
        if proposals:
            audit_record(
                actor=actor,
                action=AuditEntry.Action.CREATE,
                obj=rule,
                changes={
                    "proposals": [
                        "",
                        ", ".join(f"{timezone.localdate(e.starts_at):%d.%m.%Y}" for e in proposals),
                    ]
                },
            )
    return proposals


# --- Events --------------------------------------------------------------------------------------


def event_save(*, actor: Any, event: WheelEvent, **values: Any) -> WheelEvent:
    """Create or change an event. A new confirmed body meeting creates the meeting itself, as
    confirming a proposal does. The time of an event linked to a meeting belongs to the meeting
    and is changed there."""
    if event.meeting_id and (
        values.get("starts_at", event.starts_at) != event.starts_at
        or values.get("ends_at", event.ends_at) != event.ends_at
    ):
        raise ValidationError({"starts_at": ERROR_LINKED_MEETING_TIME})
    is_new = event.pk is None
    with transaction.atomic():
        event = save_audited(actor=actor, obj=event, values=values, allowed=EVENT_FIELDS)
        if is_new and event.is_confirmed and event.kind == Kind.BODY_MEETING:
            event = event_confirm(actor=actor, event=event)  # a new meeting is a meeting
    return event


def event_confirm(*, actor: Any, event: WheelEvent) -> WheelEvent:
    """Confirm a proposal. A body's meeting is created as a planned meeting with the standard
    agenda (cases.services.meeting_create) and linked to the event."""
    with transaction.atomic():
        event = (
            WheelEvent.objects.select_for_update(of=("self",))
            .select_related("body")
            .get(pk=event.pk)
        )
        if event.is_confirmed and (event.meeting_id or event.kind != Kind.BODY_MEETING):
            return event
        changes = {"is_confirmed": [str(event.is_confirmed), "True"]}
        if event.kind == Kind.BODY_MEETING and not event.meeting_id:
            if event.body is None:  # clean() asks for the body of a meeting
                raise ValidationError({"body": ERROR_BODY_REQUIRED})
            meeting = case_services.meeting_create(
                actor=actor,
                community=event.community,
                bodies=[event.body],
                title=event.title,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                location=event.location,
            )
            event.meeting = meeting
            changes["meeting"] = ["", str(meeting)]
        event.is_confirmed = True
        event.save(update_fields=["is_confirmed", "meeting", "updated_at"])
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=event, changes=changes)
    return event


def events_confirm(*, actor: Any, events: Iterable[WheelEvent]) -> list[WheelEvent]:
    """Confirm several proposals in one go (all or none)."""
    with transaction.atomic():
        return [event_confirm(actor=actor, event=event) for event in events]


def event_delete(*, actor: Any, event: WheelEvent) -> None:
    """Delete a proposal or an event that is not a meeting. A meeting is cancelled, not deleted,
    so its event stays."""
    if not event.is_deletable:
        raise ValidationError(ERROR_DELETE_MEETING)
    with transaction.atomic():
        audit_record(actor=actor, action=AuditEntry.Action.DELETE, obj=event)
        event.delete()


# --- Personal calendar tokens -------------------------------------------------------------------


def feed_token_for(user: Any) -> FeedToken:
    """The user's calendar token, made on first use."""
    token, _created = FeedToken.objects.get_or_create(user=user)
    return token


def feed_token_reset(user: Any) -> FeedToken:
    """Replace the token: the old calendar address stops working at once."""
    with transaction.atomic():
        token, created = FeedToken.objects.select_for_update().get_or_create(user=user)
        if not created:
            token.token = new_token()
            token.created_at = timezone.now()
            token.save(update_fields=["token", "created_at"])
        audit_record(
            actor=user,
            action=AuditEntry.Action.UPDATE,
            obj=token,
            community=None,
            changes={"token": ["", "ny"]},
        )
    return token
