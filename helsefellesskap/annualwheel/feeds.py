"""Calendar feeds (iCalendar, RFC 5545) for calendar apps: per community (public), per body, and
per person behind a private token. Calendar apps fetch them without a session, so a feed either
shows only what is public or is reached through the person's own token.

Times are written as local Europe/Oslo times with a TZID and the VTIMEZONE that defines it, so a
10:00 meeting is 10:00 in every calendar, summer and winter; all-day events are dates."""

import datetime

import icalendar
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from helsefellesskap.core import access
from helsefellesskap.organisation.models import Body, Community
from helsefellesskap.organisation.policies import can_view_body

from . import selectors
from .models import FeedToken
from .selectors import Entry

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//Helsefellesskap//Årshjul//NO"
UID_DOMAIN = "helsefellesskap"


def build_calendar(
    base_url: str, name: str, entries: list[Entry], *, private: bool
) -> icalendar.Calendar:
    """The calendar of `entries`. Video links go only into private calendars (the invitation and
    the personal and members' feeds), as on the meeting page."""
    tz = timezone.get_default_timezone()
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(tz))
    stamp = timezone.now().astimezone(datetime.UTC)
    for entry in entries:
        calendar.add_component(_event(base_url, entry, stamp, tz, private=private))
    if entries:
        first = min(entry.date for entry in entries) - datetime.timedelta(days=400)
        last = max(entry.last_date for entry in entries) + datetime.timedelta(days=400)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar


def _event(base_url: str, entry: Entry, stamp, tz, *, private: bool) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"{entry.uid}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    if entry.all_day:
        event.add("dtstart", entry.date)
        event.add("dtend", entry.last_date + datetime.timedelta(days=1))
    else:
        event.add("dtstart", entry.starts_at.astimezone(tz))
        event.add("dtend", entry.ends_at.astimezone(tz))
    event.add("summary", _summary(entry))
    if entry.location:
        event.add("location", entry.location)
    description = [entry.description] if entry.description else []
    if entry.url:
        url = base_url + entry.url
        event.add("url", url)
        description.append(_("Møtesiden: %(url)s") % {"url": url})
    if private and entry.meeting is not None and entry.meeting.video_url:
        description.append(_("Videolenke: %(url)s") % {"url": entry.meeting.video_url})
    if description:
        event.add("description", "\n\n".join(description))
    event.add("categories", [str(entry.kind_label)])
    event.add("status", "CONFIRMED" if entry.is_confirmed else "TENTATIVE")
    event.add("transp", "TRANSPARENT" if entry.all_day else "OPAQUE")
    if entry.event is not None:
        event.add("last-modified", entry.event.updated_at.astimezone(datetime.UTC))
    return event


def _base(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def meeting_calendar(meeting, *, private: bool) -> bytes:
    """One meeting as a calendar file: the invitation's attachment and the meeting page's link.
    The UID is the meeting's, so a calendar that also subscribes to a feed shows it once."""
    from django.conf import settings

    entries = [selectors.meeting_entry(meeting)]
    return build_calendar(settings.SITE_URL, meeting.title, entries, private=private).to_ical()


def _summary(entry: Entry) -> str:
    """The title, with the body when the title does not already name it."""
    names = [str(body) for body in entry.bodies if str(body) not in entry.title]
    return f"{entry.title} ({', '.join(names)})" if names else entry.title


def _response(calendar: icalendar.Calendar, filename: str, *, private: bool) -> HttpResponse:
    response = HttpResponse(calendar.to_ical(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    response["Cache-Control"] = "private, max-age=300" if private else "public, max-age=300"
    if private:
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def community_feed(request, slug):
    """The community's public calendar: public events and the meetings of public bodies."""
    community = get_object_or_404(Community, slug=slug)
    if not access.can_view_community(request.user, community):
        raise Http404
    entries = selectors.community_feed_entries(community)
    name = _("Årshjul – %(name)s") % {"name": community.short_name}
    return _response(
        build_calendar(_base(request), name, entries, private=False),
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
    return _response(
        build_calendar(_base(request), name, entries, private=private),
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
    return _response(
        build_calendar(_base(request), name, entries, private=True), "mine-moter", private=True
    )
