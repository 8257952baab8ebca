"""Reads for the annual wheel: the events and meetings a user may see, as one list of entries.

Who sees an event is `WheelEventPolicy`'s question, who sees a meeting `MeetingPolicy`'s (the
cases app); the wheel, the list and every feed ask them and nothing else. A meeting of the
community that has no event in the wheel is shown as an entry of its own; an event linked to a
meeting takes the meeting's time and place, so nothing is shown twice."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS

from helsefellesskap.accounts.models import User
from helsefellesskap.cases.models import Meeting
from helsefellesskap.core import access
from helsefellesskap.core.periods import year_bounds
from helsefellesskap.organisation.models import Body, Community, Membership

from .models import FeedToken, Kind, RecurrenceRule, WheelEvent
from .policies import WheelEventPolicy


@dataclass
class Entry:
    """One row of the wheel: an event, or a meeting without an event."""

    key: str  # unique on a page: "event-12", "meeting-5"
    uid: str  # stable across feeds and time
    kind: str
    kind_label: str
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    all_day: bool
    community: Community
    bodies: list[Body] = field(default_factory=list)
    location: str = ""
    description: str = ""
    is_confirmed: bool = True
    is_public: bool = True
    url: str = ""
    event: WheelEvent | None = None
    meeting: Meeting | None = None

    @property
    def start(self) -> datetime.datetime:
        return timezone.localtime(self.starts_at)

    @property
    def end(self) -> datetime.datetime:
        return timezone.localtime(self.ends_at)

    @property
    def date(self) -> datetime.date:
        return self.start.date()

    @property
    def last_date(self) -> datetime.date:
        return self.end.date()

    @property
    def body_names(self) -> str:
        return ", ".join(str(body) for body in self.bodies)


def meeting_url(meeting: Meeting, community: Community) -> str:
    return reverse("cases:meeting", args=[community.slug, meeting.pk])


def visible_meetings(user: Any, community: Community | None = None) -> QuerySet[Meeting]:
    """The meetings the user may see (cases' MeetingPolicy), without the cancelled ones."""
    return Meeting.objects.visible_to(user, community).exclude(status=Meeting.Status.CANCELLED)


def _event_entry(event: WheelEvent, is_open: bool) -> Entry | None:
    community = event.community
    entry = Entry(
        key=f"event-{event.pk}",
        uid=f"arshjul-{event.uid}",
        kind=event.kind,
        kind_label=event.get_kind_display(),
        title=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        all_day=event.all_day,
        community=community,
        bodies=[event.body] if event.body is not None else [],
        location=event.location,
        description=event.description,
        is_confirmed=event.is_confirmed,
        is_public=is_open,
        event=event,
    )
    meeting = event.meeting
    if meeting is not None:
        if meeting.status == Meeting.Status.CANCELLED:
            return None
        entry.uid = f"meeting-{meeting.uid}"  # as in the invitation (cases.documents)
        entry.starts_at, entry.ends_at = meeting.starts_at, meeting.ends_at
        entry.location = meeting.location or event.location
        entry.meeting = meeting
        entry.url = meeting_url(meeting, community)
    return entry


def meeting_entry(meeting: Meeting) -> Entry:
    return Entry(
        key=f"meeting-{meeting.pk}",
        uid=f"meeting-{meeting.uid}",
        kind=Kind.BODY_MEETING,
        kind_label=str(Kind.BODY_MEETING.label),
        title=meeting.title,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        all_day=False,
        community=meeting.community,
        bodies=list(meeting.bodies.all()),
        location=meeting.location,
        is_public=meeting.is_public,
        meeting=meeting,
        url=meeting_url(meeting, meeting.community),
    )


def merge(
    events: Iterable[tuple[WheelEvent, bool]],
    meetings: Iterable[Meeting],
    *,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
) -> list[Entry]:
    """Events and unlinked meetings as one list in time order, limited to [start, end)."""
    entries = [entry for entry in (_event_entry(*pair) for pair in events) if entry is not None]
    entries += [meeting_entry(meeting) for meeting in meetings]
    if start is not None:
        entries = [e for e in entries if e.starts_at >= start]
    if end is not None:
        entries = [e for e in entries if e.starts_at < end]
    entries.sort(key=lambda e: (e.starts_at, e.title, e.key))
    return entries


def _events(queryset: QuerySet[WheelEvent]) -> list[tuple[WheelEvent, bool]]:
    """The events, each with whether its content is public (`WheelEventPolicy.open`): members
    see the others marked as internal."""
    is_open = ExpressionWrapper(WheelEventPolicy().open(), output_field=BooleanField())
    rows = queryset.select_related("community", "body", "meeting").annotate(is_open=is_open)
    return [(event, bool(event.is_open)) for event in rows]


def _meetings(queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return (
        queryset.filter(wheel_event__isnull=True)
        .select_related("community")
        .prefetch_related("bodies")
    )


def _in_window(start: datetime.datetime, end: datetime.datetime | None) -> Q:
    """Events, or the meetings linked to them, that start in [start, end)."""
    q = Q(starts_at__gte=start) | Q(meeting__starts_at__gte=start)
    if end is not None:
        q = (Q(starts_at__gte=start, starts_at__lt=end)) | Q(
            meeting__starts_at__gte=start, meeting__starts_at__lt=end
        )
    return q


def year_entries(
    user: Any, community: Community, year: int, *, kind: str = "", body: Body | None = None
) -> list[Entry]:
    """The wheel of one year as the user may see it, optionally of one kind or one body."""
    start, end = year_bounds(year)
    events = WheelEvent.objects.visible_to(user, community).filter(_in_window(start, end))
    meetings = visible_meetings(user, community).filter(starts_at__gte=start, starts_at__lt=end)
    if kind:
        events = events.filter(kind=kind)
        if kind != Kind.BODY_MEETING:
            meetings = meetings.none()
    if body is not None:
        events = events.filter(body=body)
        meetings = meetings.filter(bodies=body)
    return merge(_events(events), _meetings(meetings), start=start, end=end)


@dataclass
class Month:
    number: int
    name: str
    entries: list[Entry] = field(default_factory=list)


def by_month(entries: list[Entry]) -> list[Month]:
    """Twelve months, each with its entries."""
    months = [Month(number=n, name=str(MONTHS[n])) for n in range(1, 13)]
    for entry in entries:
        months[entry.date.month - 1].entries.append(entry)
    return months


def proposals(user: Any, community: Community, year: int) -> QuerySet[WheelEvent]:
    """The unconfirmed proposals of `year`, for the secretariat to confirm."""
    return (
        WheelEvent.objects.in_year(year)
        .editable_by(user, community)
        .filter(is_confirmed=False)
        .select_related("body", "rule")
        .order_by("starts_at", "title")
    )


def rules(user: Any, community: Community) -> QuerySet[RecurrenceRule]:
    return RecurrenceRule.objects.visible_to(user, community).select_related("body")


# --- Feeds ---------------------------------------------------------------------------------------


def feed_start() -> datetime.datetime:
    """Feeds hold everything from the start of last year on."""
    return year_bounds(timezone.localdate().year - 1)[0]


def _feed(events: QuerySet[WheelEvent], meetings: QuerySet[Meeting]) -> list[Entry]:
    start = feed_start()
    return merge(
        _events(events.filter(_in_window(start, None))),
        _meetings(meetings.filter(starts_at__gte=start)),
        start=start,
    )


def community_feed_entries(community: Community) -> list[Entry]:
    """Only what is public, whoever asks: what an anonymous visitor sees of the wheel."""
    anonymous = AnonymousUser()
    events = WheelEvent.objects.visible_to(anonymous, community)
    return _feed(events, visible_meetings(anonymous, community))


def body_feed_entries(user: Any, body: Body) -> list[Entry]:
    """The body's confirmed events and its meetings, as the user may see them."""
    community = body.community
    events = WheelEvent.objects.visible_to(user, community).filter(body=body, is_confirmed=True)
    return _feed(events, visible_meetings(user, community).filter(bodies=body))


def feed_owner(token: str) -> User | None:
    """The active user whose personal calendar `token` opens, or None."""
    from_token = FeedToken.objects.select_related("user").filter(token=token, user__is_active=True)
    feed_token = from_token.first()
    return feed_token.user if feed_token is not None else None


def personal_feed_entries(user: Any) -> list[Entry]:
    """The confirmed events and the meetings of every body where the user has a current seat,
    in every community."""
    bodies = {seat.body_id for seat in access.access_for(user).seats}
    events = WheelEvent.objects.visible_to(user).filter(body__in=bodies, is_confirmed=True)
    meetings = visible_meetings(user).filter(bodies__in=bodies).distinct()
    return _feed(events, meetings)


def seats_of(user: Any) -> QuerySet[Membership]:
    """The user's current seats, in every community, for their own calendar page."""
    seats: QuerySet[Membership] = (
        Membership.objects.current()
        .filter(person__user=user)
        .select_related("body", "community")
        .order_by("community__name", "body__order", "body__name")
    )
    return seats
