"""Reads for the annual wheel: the events and meetings a user may see, as one list of entries.

Everyone sees the confirmed public events of public bodies (or of no body) and the meetings of
public bodies. Members of the community also see non-public events, unconfirmed proposals and
everything of the non-public bodies. A meeting of the community that has no event in the wheel
is shown as an entry of its own; an event linked to a meeting takes the meeting's time and place,
so nothing is shown twice."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helsefellesskap.cases.models import Meeting
from helsefellesskap.core import access
from helsefellesskap.organisation.models import Body, Community, Membership

from .models import Kind, RecurrenceRule, WheelEvent

MONTHS = (
    _("januar"),
    _("februar"),
    _("mars"),
    _("april"),
    _("mai"),
    _("juni"),
    _("juli"),
    _("august"),
    _("september"),
    _("oktober"),
    _("november"),
    _("desember"),
)


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


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_default_timezone()
    return datetime.datetime(year, 1, 1, tzinfo=tz), datetime.datetime(year + 1, 1, 1, tzinfo=tz)


def meeting_url(meeting: Meeting, community: Community) -> str:
    return reverse("cases:meeting", args=[community.slug, meeting.pk])


def public_events_filter() -> Q:
    return Q(is_public=True, is_confirmed=True) & (Q(body__isnull=True) | Q(body__is_public=True))


def visible_events(user, community: Community):
    events = WheelEvent.objects.filter(community=community)
    if not access.can_view_private(user, community):
        events = events.filter(public_events_filter())
    return events


def visible_meetings(user, community: Community):
    return Meeting.objects.visible_to(user, community).exclude(status=Meeting.Status.CANCELLED)


def visible_bodies(user, community: Community):
    bodies = Body.objects.filter(community=community)
    if not access.can_view_private(user, community):
        bodies = bodies.filter(is_public=True)
    return bodies


def _event_entry(event: WheelEvent) -> Entry | None:
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
        bodies=[event.body] if event.body_id else [],
        location=event.location,
        description=event.description,
        is_confirmed=event.is_confirmed,
        is_public=event.is_public and (event.body is None or event.body.is_public),
        event=event,
    )
    meeting = event.meeting
    if meeting is not None:
        if meeting.status == Meeting.Status.CANCELLED:
            return None
        entry.uid = f"meeting-{meeting.uid}"  # as in the invitation (cases.documents)
        entry.is_public = entry.is_public and meeting.is_public
        entry.starts_at, entry.ends_at = meeting.starts_at, meeting.ends_at
        entry.location = meeting.location or event.location
        entry.meeting = meeting
        entry.url = meeting_url(meeting, community)
    return entry


def meeting_entry(meeting: Meeting) -> Entry:
    bodies = list(meeting.bodies.all())
    return Entry(
        key=f"meeting-{meeting.pk}",
        uid=f"meeting-{meeting.uid}",
        kind=Kind.BODY_MEETING,
        kind_label=Kind.BODY_MEETING.label,
        title=meeting.title,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        all_day=False,
        community=meeting.community,
        bodies=bodies,
        location=meeting.location,
        is_public=all(body.is_public for body in bodies),
        meeting=meeting,
        url=meeting_url(meeting, meeting.community),
    )


def merge(events, meetings, *, start=None, end=None) -> list[Entry]:
    """Events and unlinked meetings as one list in time order, limited to [start, end)."""
    entries = [entry for entry in map(_event_entry, events) if entry is not None]
    entries += [meeting_entry(meeting) for meeting in meetings]
    if start is not None:
        entries = [e for e in entries if e.starts_at >= start]
    if end is not None:
        entries = [e for e in entries if e.starts_at < end]
    entries.sort(key=lambda e: (e.starts_at, e.title, e.key))
    return entries


def _events(queryset):
    return queryset.select_related("community", "body", "meeting")


def _meetings(queryset):
    return (
        queryset.filter(wheel_event__isnull=True)
        .select_related("community")
        .prefetch_related("bodies")
    )


def _in_window(start, end) -> Q:
    """Events, or the meetings linked to them, that start in [start, end)."""
    q = Q(starts_at__gte=start) | Q(meeting__starts_at__gte=start)
    if end is not None:
        q = (Q(starts_at__gte=start, starts_at__lt=end)) | Q(
            meeting__starts_at__gte=start, meeting__starts_at__lt=end
        )
    return q


def year_entries(
    user, community: Community, year: int, *, kind: str = "", body: Body | None = None
) -> list[Entry]:
    """The wheel of one year as the user may see it, optionally of one kind or one body."""
    start, end = year_bounds(year)
    events = visible_events(user, community).filter(_in_window(start, end))
    meetings = visible_meetings(user, community).filter(starts_at__gte=start, starts_at__lt=end)
    if kind:
        events = events.filter(kind=kind)
        if kind != Kind.BODY_MEETING:
            meetings = meetings.none()
    if body is not None:
        events = events.filter(body=body)
        meetings = meetings.filter(bodies=body)
    entries = merge(_events(events), _meetings(meetings), start=start, end=end)
    if access.can_view_private(user, community):
        return entries
    return [entry for entry in entries if entry.is_public]


def by_month(entries: list[Entry]) -> list[dict]:
    """Twelve months, each with its entries."""
    months = [{"number": n, "name": MONTHS[n - 1], "entries": []} for n in range(1, 13)]
    for entry in entries:
        months[entry.date.month - 1]["entries"].append(entry)
    return months


def proposals(community: Community, year: int):
    start, end = year_bounds(year)
    return (
        WheelEvent.objects.filter(
            community=community, is_confirmed=False, starts_at__gte=start, starts_at__lt=end
        )
        .select_related("body", "rule")
        .order_by("starts_at", "title")
    )


def rules(community: Community):
    return RecurrenceRule.objects.filter(community=community).select_related("body")


# --- Feeds ---------------------------------------------------------------------------------------


def feed_start() -> datetime.datetime:
    """Feeds hold everything from the start of last year on."""
    return year_bounds(timezone.localdate().year - 1)[0]


def community_feed_entries(community: Community) -> list[Entry]:
    """Only what is public: confirmed public events and the meetings of public bodies."""
    start = feed_start()
    events = WheelEvent.objects.filter(community=community).filter(public_events_filter())
    meetings = (
        Meeting.objects.public()
        .filter(community=community, starts_at__gte=start)
        .exclude(status=Meeting.Status.CANCELLED)
    )
    entries = merge(
        _events(events.filter(_in_window(start, None))), _meetings(meetings), start=start
    )
    return [entry for entry in entries if entry.is_public]


def body_feed_entries(body: Body, *, private: bool) -> list[Entry]:
    """The body's confirmed events and its meetings; non-public events only when `private`."""
    start = feed_start()
    events = WheelEvent.objects.filter(body=body, is_confirmed=True)
    if not private:
        events = events.filter(is_public=True)
    meetings = Meeting.objects.filter(bodies=body, starts_at__gte=start).exclude(
        status=Meeting.Status.CANCELLED
    )
    if not private:
        meetings = meetings.public()
    entries = merge(
        _events(events.filter(_in_window(start, None))), _meetings(meetings), start=start
    )
    return entries if private else [entry for entry in entries if entry.is_public]


def seat_bodies(user):
    """The bodies where `user` has a current seat, in every community."""
    return Membership.objects.current().filter(person__user=user).values_list("body_id", flat=True)


def personal_feed_entries(user) -> list[Entry]:
    """The confirmed events and the meetings of every body where the user has a current seat."""
    start = feed_start()
    bodies = list(seat_bodies(user))
    events = WheelEvent.objects.filter(body__in=bodies, is_confirmed=True)
    meetings = (
        Meeting.objects.filter(bodies__in=bodies, starts_at__gte=start)
        .exclude(status=Meeting.Status.CANCELLED)
        .distinct()
    )
    return merge(_events(events.filter(_in_window(start, None))), _meetings(meetings), start=start)


def seats_of(user):
    return (
        Membership.objects.current()
        .filter(person__user=user)
        .select_related("body", "community")
        .order_by("community__name", "body__order", "body__name")
    )
