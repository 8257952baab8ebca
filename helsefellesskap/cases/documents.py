"""Documents made from a meeting: the calendar invitation (.ics) and the minutes (PDF)."""

import dataclasses
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from helsefellesskap.core import access
from helsefellesskap.core.calendar import CalendarEntry, build_calendar, summary_with_bodies
from helsefellesskap.core.pdf import html_to_pdf

from . import authority, selectors
from .models import Attendance, Meeting

MEETING_CATEGORY = _("Møte i organ")  # the annual wheel's category for a body's meeting


def meeting_ics(meeting: Meeting, *, private: bool) -> str:
    """The meeting as an iCalendar file, the invitation's attachment. The UID is the meeting's,
    as in the annual wheel's feeds, so a calendar that also subscribes to a feed shows it once."""
    bodies = list(meeting.bodies.all())
    entry = CalendarEntry(
        uid=f"meeting-{meeting.uid}",
        summary=summary_with_bodies(meeting.title, bodies),
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        category=str(MEETING_CATEGORY),
        location=meeting.location,
        url=meeting.get_absolute_url(),
        video_url=meeting.video_url,
    )
    calendar = build_calendar(settings.SITE_URL, meeting.title, [entry], private=private)
    return calendar.to_ical().decode()


PRESENT = (Attendance.Status.PRESENT, Attendance.Status.SUBSTITUTE)


def minutes_context(meeting: Meeting, *, user: Any) -> dict[str, Any]:
    """The minutes as the reader may see them: the public gets exempt items as a line with the
    legal basis, public titles, and no authority warnings (as on the meeting page)."""
    private = access.can_view_private(user, meeting.community)
    entries = [
        dataclasses.replace(entry, warnings=authority.check(entry.item.treatment.case))
        if private and entry.item.treatment is not None
        else entry
        for entry in selectors.agenda(user, meeting)
    ]
    attendance = list(
        Attendance.objects.visible_to(user)
        .filter(meeting=meeting)
        .select_related("person", "substitute_for")
    )
    return {
        "meeting": meeting,
        "bodies": list(meeting.bodies.all()),
        "items": entries,
        "present": [a for a in attendance if a.status in PRESENT],
        "absent": [a for a in attendance if a.status == Attendance.Status.ABSENT],
        "approved": meeting.status == Meeting.Status.APPROVED,
        "electronic": meeting.minutes_approval == Meeting.Approval.ELECTRONIC,
    }


def minutes_pdf(meeting: Meeting, *, user: Any, base_url: str = "") -> bytes:
    html = render_to_string("cases/minutes_pdf.html", minutes_context(meeting, user=user))
    return html_to_pdf(html, base_url=base_url or settings.SITE_URL)
