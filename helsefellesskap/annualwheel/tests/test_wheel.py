"""The geometry of the round year: January at the top, clockwise, one ring per kind."""

import datetime

from helsefellesskap.annualwheel import wheel
from helsefellesskap.annualwheel.models import Kind
from helsefellesskap.annualwheel.selectors import Entry
from helsefellesskap.organisation.models import Body

from .conftest import local


def entry(day: datetime.date, kind=Kind.OTHER, bodies=()):
    start = local(day.year, day.month, day.day, 10)
    return Entry(
        key=str(day),
        uid=str(day),
        kind=kind,
        kind_label="",
        title="",
        starts_at=start,
        ends_at=start,
        all_day=False,
        community=None,
        bodies=list(bodies),
    )


def xy(mark):
    return float(mark.x) - wheel.CENTRE, float(mark.y) - wheel.CENTRE


def test_the_year_runs_clockwise_from_the_top():
    days = [datetime.date(2026, 1, 1), datetime.date(2026, 4, 2), datetime.date(2026, 7, 2)]
    days.append(datetime.date(2026, 10, 1))
    chart = wheel.layout(2026, [entry(day) for day in days])
    top, right, bottom, left = (xy(mark) for mark in chart["marks"])
    assert abs(top[0]) < 2 and top[1] < 0
    assert right[0] > 0 and abs(right[1]) < 3
    assert abs(bottom[0]) < 2 and bottom[1] > 0
    assert left[0] < 0 and abs(left[1]) < 3
    assert [s["name"] for s in chart["sectors"]][:3] == ["januar", "februar", "mars"]
    assert all("," not in s["label_x"] for s in chart["sectors"])  # SVG numbers, any locale


def test_committee_meetings_lie_outside_other_meetings_and_events_inside_both():
    day = datetime.date(2026, 3, 1)
    asu = Body(kind=Body.Kind.ADMINISTRATIVE, name="ASU")
    council = Body(kind=Body.Kind.COUNCIL, name="Fagråd")
    chart = wheel.layout(
        2026,
        [
            entry(day, Kind.BODY_MEETING, [asu]),
            entry(day, Kind.BODY_MEETING, [council]),
            entry(day, Kind.THEME_DAY),
        ],
    )
    radii = [sum(c * c for c in xy(mark)) ** 0.5 for mark in chart["marks"]]
    assert radii[0] > radii[1] > radii[2] > wheel.HUB
    assert radii[0] < wheel.BAND


def test_today_is_marked_only_in_its_own_year():
    assert wheel.layout(2026, [], datetime.date(2026, 5, 1))["today"] is not None
    assert wheel.layout(2027, [], datetime.date(2026, 5, 1))["today"] is None
