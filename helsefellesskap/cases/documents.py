"""Documents made from a meeting: the calendar invitation (.ics) and the minutes (PDF)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from helsefellesskap.core.calendar import CalendarEntry, build_calendar, summary_with_bodies

from . import authority
from .models import Meeting

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


def minutes_context(meeting: Meeting, *, private: bool) -> dict:
    """The minutes as the reader may see them: the public gets exempt items as a line with the
    legal basis, public titles, and no authority warnings (as on the meeting page)."""
    from .selectors import agenda

    items = agenda(meeting, private)
    for item in items:
        case = item.treatment.case if item.treatment_id else None
        item.title = case.display_title(private) if case else ""
        item.warnings = authority.check(case) if case and private else []
    attendance = list(meeting.attendance.select_related("person", "substitute_for"))
    return {
        "meeting": meeting,
        "bodies": list(meeting.bodies.all()),
        "items": items,
        "present": [a for a in attendance if a.status in ("present", "substitute")],
        "absent": [a for a in attendance if a.status == "absent"],
        "approved": meeting.status == Meeting.Status.APPROVED,
    }


def minutes_pdf(meeting: Meeting, *, private: bool, base_url: str = "") -> bytes:
    from weasyprint import HTML

    html = render_to_string("cases/minutes_pdf.html", minutes_context(meeting, private=private))
    return HTML(string=html, base_url=base_url or settings.SITE_URL).write_pdf()
