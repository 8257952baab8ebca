"""Calendar feeds (iCalendar, RFC 5545) for calendar apps: per community (public), per body, and
per person behind a private token. Calendar apps fetch them without a session, so a feed either
shows only what is public or is reached through the person's own token.

Times are written as local Europe/Oslo times with a TZID and the VTIMEZONE that defines it, so a
10:00 meeting is 10:00 in every calendar, summer and winter; all-day events are dates."""

import icalendar
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from helsefellesskap.core import access
from helsefellesskap.core.calendar import (
    CalendarEntry,
    build_calendar,
    calendar_response,
    summary_with_bodies,
)
from helsefellesskap.organisation.models import Body, Community
from helsefellesskap.organisation.policies import can_view_body

from . import selectors
from .models import FeedToken
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


@require_GET
def community_feed(request, slug):
    """The community's public calendar: public events and the meetings of public bodies."""
    community = get_object_or_404(Community, slug=slug)
    if not access.can_view_community(request.user, community):
        raise Http404
    entries = selectors.community_feed_entries(community)
    name = _("Årshjul – %(name)s") % {"name": community.short_name}
    return calendar_response(
        _calendar(request, name, entries, private=False),
        f"arshjul-{community.slug}",
        private=False,
    )


@require_GET
def body_feed(request, slug, body_slug):
    """A body's calendar. A non-public body's calendar is for members of the community only;
    a calendar app has no session and gets 404, so members use their personal calendar."""
    community = get_object_or_404(Community, slug=slug)
    body = get_object_or_404(Body, community=community, slug=body_slug)
    body.community = community
    private = access.can_view_private(request.user, community)
    if not can_view_body(request.user, body):
        raise Http404
    entries = selectors.body_feed_entries(body, private=private)
    name = _("%(body)s – %(community)s") % {"body": body, "community": community.short_name}
    return calendar_response(
        _calendar(request, name, entries, private=private),
        f"{slugify(community.slug)}-{slugify(body.slug)}",
        private=private or not body.is_public,
    )


@require_GET
def personal_feed(request, token):
    """A person's calendar across communities, reached with the private token in the address."""
    feed_token = (
        FeedToken.objects.select_related("user").filter(token=token, user__is_active=True).first()
    )
    if feed_token is None:
        raise Http404
    entries = selectors.personal_feed_entries(feed_token.user)
    name = _("Mine møter – Helsefellesskap")
    return calendar_response(
        _calendar(request, name, entries, private=True), "mine-moter", private=True
    )
