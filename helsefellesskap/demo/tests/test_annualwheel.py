import datetime

import pytest
from django.utils import timezone

from helsefellesskap.annualwheel.models import Kind, RecurrenceRule, WheelEvent
from helsefellesskap.cases.models import Meeting
from helsefellesskap.demo.annualwheel import load_demo_wheel
from helsefellesskap.demo.organisation import load_demo

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 2)


def test_demo_wheel_for_both_communities_and_a_second_run_changes_nothing():
    load_demo()
    counts = load_demo_wheel(today=TODAY)
    assert counts["communities"] == 2
    assert counts["rules"] == 2 * (3 + 5)  # ASU, PSU, AU and five councils in each
    assert counts["events"] == 2 * 2 * 7  # seven yearly events, this year and the next
    assert counts["meetings"] == Meeting.objects.count() > 0
    rules = RecurrenceRule.objects.filter(community__slug="st-olavs")
    assert {
        (r.body.slug, r.interval_weeks) for r in rules if r.body.slug in ("asu", "psu", "au")
    } == {
        ("asu", 6),
        ("psu", 12),
        ("au", 2),
    }
    assert {r.interval_weeks for r in rules if r.body.kind == "council"} == {8}
    horizon = TODAY + datetime.timedelta(days=61)
    for event in WheelEvent.objects.filter(rule__isnull=False):
        day = timezone.localdate(event.starts_at)
        assert event.is_confirmed == (day <= horizon), event
        assert bool(event.meeting_id) == event.is_confirmed
        assert day.month != 7 and day.year in (2026, 2027)
    for kind in Kind.values:
        if kind != Kind.OTHER:
            assert WheelEvent.objects.filter(kind=kind, community__slug="nordre-trondelag").exists()
    theme_day = WheelEvent.objects.filter(kind=Kind.THEME_DAY).first()
    assert timezone.localdate(theme_day.starts_at).month == 10
    asu_meeting = Meeting.objects.filter(bodies__slug="asu").first()
    assert asu_meeting.items.count() == 3 and asu_meeting.attendance.exists()

    before = (WheelEvent.objects.count(), Meeting.objects.count())
    again = load_demo_wheel(today=TODAY)
    assert again["created"] == 0 and again["communities"] == 0
    assert (WheelEvent.objects.count(), Meeting.objects.count()) == before


def test_demo_wheel_without_the_communities_does_nothing():
    assert load_demo_wheel(today=TODAY)["created"] == 0


def test_demo_wheel_leaves_the_past_of_a_body_with_meetings_alone():
    from helsefellesskap.annualwheel.tests.conftest import local, make_meeting
    from helsefellesskap.organisation.models import Body

    load_demo()
    asu = Body.objects.get(community__slug="st-olavs", slug="asu")
    make_meeting(None, asu, local(2026, 2, 3, 10), title="ASU-møte fra saksmodulen")
    load_demo_wheel(today=TODAY)
    past = WheelEvent.objects.filter(
        body=asu, rule__isnull=False, starts_at__lt=local(2026, 3, 2, 0)
    )
    assert not past.exists()
    ahead = WheelEvent.objects.filter(body=asu, rule__isnull=False, is_confirmed=True)
    assert ahead.exists() and all(e.meeting_id for e in ahead)
    psu = Body.objects.get(community__slug="st-olavs", slug="psu")
    assert WheelEvent.objects.filter(body=psu, starts_at__lt=local(2026, 3, 2, 0)).exists()
