"""The geometry of the round year: twelve month sectors sized by their days, starting at the top
and running clockwise, with one ring per kind of event and a mark at each event's date. The
template only places what is computed here."""

import calendar
import datetime
import math
from dataclasses import dataclass

from django.utils.dates import MONTHS

from helsefellesskap.organisation.models import Body

from .models import Kind
from .selectors import Entry

SIZE = 440
CENTRE = SIZE / 2
OUTER = 212  # outer edge of the month band
BAND = 172  # inner edge of the month band, where the rings' area begins
LABEL = (OUTER + BAND) / 2
HUB = 44
MARK = 5.5
# Rings from the outside in: the meetings of PSU, ASU and AU, the meetings of the other bodies,
# then one ring per kind of yearly event (the two indicator reports share one, as do the theme
# day and the dialogue meeting with the user organisations).
COMMITTEES = {Body.Kind.POLITICAL, Body.Kind.ADMINISTRATIVE, Body.Kind.WORKING_COMMITTEE}
RING_OF: dict[str, int] = {
    Kind.BODY_MEETING: 1,
    Kind.PLAN_REVISION: 2,
    Kind.INDICATOR_REPORT_SPRING: 3,
    Kind.INDICATOR_REPORT_AUTUMN: 3,
    Kind.DEVIATION_REPORT: 4,
    Kind.THEME_DAY: 5,
    Kind.DIALOGUE_MEETING: 5,
    Kind.OTHER: 6,
}
RINGS = 7
RING_GAP = (BAND - 12 - (HUB + 12)) / (RINGS - 1)


def _radius(ring: int) -> float:
    return BAND - 12 - ring * RING_GAP


def _n(value: float) -> str:
    """A coordinate as SVG wants it: a point for decimals whatever the page's locale."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _point(radius: float, fraction: float) -> tuple[str, str]:
    angle = 2 * math.pi * fraction - math.pi / 2
    return _n(CENTRE + radius * math.cos(angle)), _n(CENTRE + radius * math.sin(angle))


def _fraction(year: int, day: datetime.date, *, middle: bool = True) -> float:
    days = 366 if calendar.isleap(year) else 365
    return ((day - datetime.date(year, 1, 1)).days + (0.5 if middle else 0)) / days


@dataclass
class Mark:
    x: str
    y: str
    entry: Entry


def layout(year: int, entries: list[Entry], today: datetime.date | None = None) -> dict:
    c = _n(CENTRE)
    sectors = []
    for month in range(1, 13):
        start = _fraction(year, datetime.date(year, month, 1), middle=False)
        end = (
            1.0 if month == 12 else _fraction(year, datetime.date(year, month + 1, 1), middle=False)
        )
        x1, y1 = _point(OUTER, start)
        x2, y2 = _point(OUTER, end)
        middle = (start + end) / 2
        lx, ly = _point(LABEL, middle)
        rotation = middle * 360
        if 0.25 < middle < 0.75:  # keep the names on the lower half the right way up
            rotation -= 180
        sectors.append(
            {
                "month": month,
                "name": MONTHS[month],
                "path": f"M{c},{c} L{x1},{y1} A{OUTER},{OUTER} 0 0 1 {x2},{y2} Z",
                "label_x": lx,
                "label_y": ly,
                "rotation": _n(rotation),
                "odd": month % 2,
            }
        )
    marks = []
    for entry in entries:
        ring = RING_OF.get(entry.kind, RING_OF[Kind.OTHER])
        if entry.kind == Kind.BODY_MEETING and any(b.kind in COMMITTEES for b in entry.bodies):
            ring = 0
        x, y = _point(_radius(ring), _fraction(year, entry.date))
        marks.append(Mark(x=x, y=y, entry=entry))
    today_line = None
    if today is not None and today.year == year:
        x, y = _point(OUTER, _fraction(year, today))
        today_line = {"x": x, "y": y}
    return {
        "size": SIZE,
        "centre": c,
        "outer": OUTER,
        "band": BAND,
        "hub": HUB,
        "mark": _n(MARK),
        "sectors": sectors,
        "rings": [_n(_radius(ring)) for ring in range(RINGS)],
        "marks": marks,
        "today": today_line,
    }


LEGEND = [
    (Kind.BODY_MEETING, Kind.BODY_MEETING.label),
    (Kind.PLAN_REVISION, Kind.PLAN_REVISION.label),
    (Kind.INDICATOR_REPORT_SPRING, Kind.INDICATOR_REPORT_SPRING.label),
    (Kind.INDICATOR_REPORT_AUTUMN, Kind.INDICATOR_REPORT_AUTUMN.label),
    (Kind.DEVIATION_REPORT, Kind.DEVIATION_REPORT.label),
    (Kind.THEME_DAY, Kind.THEME_DAY.label),
    (Kind.DIALOGUE_MEETING, Kind.DIALOGUE_MEETING.label),
    (Kind.OTHER, Kind.OTHER.label),
]
