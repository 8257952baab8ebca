"""One iCalendar (RFC 5545) builder for every calendar the product writes: the meeting
invitation's attachment and the annual wheel's feeds.

Times are written as local Europe/Oslo times with a TZID and the VTIMEZONE that defines it, so a
10:00 meeting is 10:00 in every calendar, summer and winter; all-day events are dates."""

import datetime
from dataclasses import dataclass
from typing import Any

import icalendar
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//Helsefellesskap//Årshjul//NO"
UID_DOMAIN = "helsefellesskap"


@dataclass(frozen=True)
class CalendarEntry:
    uid: str  # stable across feeds and time, e.g. "meeting-<uuid>"
    summary: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    category: str
    all_day: bool = False
    location: str = ""
    description: str = ""
    url: str = ""  # a path on this site
    video_url: str = ""  # written only into private calendars
    is_confirmed: bool = True
    last_modified: datetime.datetime | None = None

    @property
    def first_date(self) -> datetime.date:
        return timezone.localtime(self.starts_at).date()

    @property
    def last_date(self) -> datetime.date:
        return timezone.localtime(self.ends_at).date()


def summary_with_bodies(title: str, bodies: list[Any]) -> str:
    """The title, with the bodies when the title does not already name them."""
    names = [str(body) for body in bodies if str(body) not in title]
    return f"{title} ({', '.join(names)})" if names else title


def build_calendar(
    base_url: str, name: str, entries: list[CalendarEntry], *, private: bool
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
        first = min(entry.first_date for entry in entries) - datetime.timedelta(days=400)
        last = max(entry.last_date for entry in entries) + datetime.timedelta(days=400)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar


def _event(
    base_url: str, entry: CalendarEntry, stamp: datetime.datetime, tz: Any, *, private: bool
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"{entry.uid}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    if entry.all_day:
        event.add("dtstart", entry.first_date)
        event.add("dtend", entry.last_date + datetime.timedelta(days=1))
    else:
        event.add("dtstart", entry.starts_at.astimezone(tz))
        event.add("dtend", entry.ends_at.astimezone(tz))
    event.add("summary", entry.summary)
    if entry.location:
        event.add("location", entry.location)
    description = [entry.description] if entry.description else []
    if entry.url:
        url = base_url + entry.url
        event.add("url", url)
        description.append(_("Møtesiden: %(url)s") % {"url": url})
    if private and entry.video_url:
        description.append(_("Videolenke: %(url)s") % {"url": entry.video_url})
    if description:
        event.add("description", "\n\n".join(description))
    event.add("categories", [entry.category])
    event.add("status", "CONFIRMED" if entry.is_confirmed else "TENTATIVE")
    event.add("transp", "TRANSPARENT" if entry.all_day else "OPAQUE")
    if entry.last_modified is not None:
        event.add("last-modified", entry.last_modified.astimezone(datetime.UTC))
    return event


def calendar_response(
    calendar: icalendar.Calendar, filename: str, *, private: bool
) -> HttpResponse:
    response = HttpResponse(calendar.to_ical(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    response["Cache-Control"] = "private, max-age=300" if private else "public, max-age=300"
    if private:
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response
