"""Calendar feeds (iCalendar, RFC 5545) for calendar apps: per community (public), per body, and
per person behind a private token. Calendar apps fetch them without a session, so a feed either
shows only what is public or is reached through the person's own token. The rows are looked up
through the policies and refused with a plain 404 (no login page): a calendar app cannot log in.

Times are written as local Europe/Oslo times with a TZID and the VTIMEZONE that defines it, so a
10:00 meeting is 10:00 in every calendar, summer and winter; all-day events are dates."""

import icalendar
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from helsefellesskap.core import access
from helsefellesskap.core.calendar import (
    CalendarEntry,
    build_calendar,
    calendar_response,
    summary_with_bodies,
)
from helsefellesskap.core.policies import policy_for
from helsefellesskap.organisation.models import Body, Community

from . import selectors
from .selectors import Entry


def calendar_entry(entry: Entry) -> CalendarEntry:
    return CalendarEntry(
        uid=entry.uid,
        summary=summary_with_bodies(entry.title, entry.bodies),
        starts_at=entry.starts_at,
        ends_at=entry.ends_at,
        category=str(entry.kind_label),
        all_day=entry.all_day,
        location=entry.location,
        description=entry.description,
        url=entry.url,
        video_url=entry.meeting.video_url if entry.meeting is not None else "",
        is_confirmed=entry.is_confirmed,
        last_modified=entry.event.updated_at if entry.event is not None else None,
    )


def _calendar(
    request: HttpRequest, name: str, entries: list[Entry], *, private: bool
) -> icalendar.Calendar:
    base = request.build_absolute_uri("/").rstrip("/")
    return build_calendar(base, name, [calendar_entry(e) for e in entries], private=private)


def _community(request: HttpRequest, slug: str) -> Community:
    """The feed's community when the user may see it; else 404, even for an anonymous visitor."""
    communities = policy_for(Community).visible_to(Community.objects.all(), request.user)
    return get_object_or_404(communities, slug=slug)


@require_safe
def community_feed(request, slug):
    """The community's public calendar: public events and the meetings of public bodies."""
    community = _community(request, slug)
    entries = selectors.community_feed_entries(community)
    name = _("Årshjul – %(name)s") % {"name": community.short_name}
    return calendar_response(
        _calendar(request, name, entries, private=False),
        f"arshjul-{community.slug}",
        private=False,
    )


@require_safe
def body_feed(request, slug, body_slug):
    """A body's calendar. A non-public body's calendar is for members of the community only;
    a calendar app has no session and gets 404, so members use their personal calendar."""
    community = _community(request, slug)
    body = get_object_or_404(Body.objects.visible_to(request.user, community), slug=body_slug)
    body.community = community
    private = access.can_view_private(request.user, community)
    entries = selectors.body_feed_entries(request.user, body)
    name = _("%(body)s – %(community)s") % {"body": body, "community": community.short_name}
    return calendar_response(
        _calendar(request, name, entries, private=private),
        f"{slugify(community.slug)}-{slugify(body.slug)}",
        private=private or not body.is_public,
    )


@require_safe
def personal_feed(request, token):
    """A person's calendar across communities, reached with the private token in the address."""
    user = selectors.feed_owner(token)
    if user is None:
        raise Http404
    entries = selectors.personal_feed_entries(user)
    name = _("Mine møter – Helsefellesskap")
    return calendar_response(
        _calendar(request, name, entries, private=True), "mine-moter", private=True
    )
