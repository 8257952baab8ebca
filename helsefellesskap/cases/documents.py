"""Documents made from a meeting: the calendar invitation (.ics) and the minutes (PDF)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from . import authority
from .models import Meeting


def meeting_ics(meeting: Meeting) -> str:
    """One meeting as an iCalendar file, times in UTC (calendar apps show them in local time)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Helsefellesskap//samhandling//NO")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"meeting-{meeting.uid}@helsefellesskap")
    event.add("summary", meeting.title)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("dtstamp", meeting.starts_at)
    where = meeting.location or (_("Digitalt møte") if meeting.video_url else "")
    if where:
        event.add("location", where)
    url = settings.SITE_URL + meeting.get_absolute_url()
    event.add("url", url)
    event.add("description", "\n".join(filter(None, [meeting.video_url, url])))
    calendar.add_component(event)
    return calendar.to_ical().decode()


def minutes_context(meeting: Meeting) -> dict:
    items = list(
        meeting.items.select_related("treatment__case", "treatment__body").order_by("order", "id")
    )
    for item in items:
        item.warnings = authority.check(item.treatment.case) if item.treatment_id else []
        item.votes = (
            list(item.treatment.votes.select_related("person")) if item.treatment_id else []
        )
    attendance = list(meeting.attendance.select_related("person", "substitute_for"))
    return {
        "meeting": meeting,
        "bodies": list(meeting.bodies.all()),
        "items": items,
        "present": [a for a in attendance if a.status in ("present", "substitute")],
        "absent": [a for a in attendance if a.status == "absent"],
        "approved": meeting.status == Meeting.Status.APPROVED,
    }


def minutes_pdf(meeting: Meeting, base_url: str = "") -> bytes:
    from weasyprint import HTML

    html = render_to_string("cases/minutes_pdf.html", minutes_context(meeting))
    return HTML(string=html, base_url=base_url or settings.SITE_URL).write_pdf()
