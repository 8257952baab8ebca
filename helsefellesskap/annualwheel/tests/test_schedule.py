"""Which days a rule may propose: no public holidays, weekends, Christmas or July."""

import datetime

import holidays
import pytest

from helsefellesskap.annualwheel import schedule

D = datetime.date


@pytest.mark.parametrize(
    ("day", "free"),
    [
        (D(2026, 4, 6), False),  # Easter Monday
        (D(2027, 5, 17), False),  # Constitution Day (and Whit Monday) on a Monday
        (D(2026, 12, 25), False),  # Christmas Day
        (D(2026, 12, 24), False),  # Christmas Eve: not a public holiday, but nobody meets
        (D(2026, 12, 30), False),  # romjula
        (D(2026, 6, 29), False),  # the Monday of the week of 1 July
        (D(2026, 7, 15), False),
        (D(2026, 7, 31), False),
        (D(2026, 8, 3), True),
        (D(2026, 6, 26), True),
        (D(2026, 1, 10), False),  # Saturday
        (D(2026, 4, 7), True),
    ],
)
def test_free_days(day, free):
    assert schedule.is_free(day) is free


@pytest.mark.parametrize("weeks", [1, 2, 3, 6, 8, 12])
@pytest.mark.parametrize("year", [2026, 2027, 2028])
def test_proposed_dates_are_free_unique_and_in_order(weeks, year):
    pairs = schedule.proposed_dates(
        first_date=D(year, 1, 6), interval_weeks=weeks, weekday=None, year=year
    )
    days = [day for _series, day in pairs]
    assert days == sorted(set(days))
    assert all(schedule.is_free(day) and day.year == year for day in days)
    assert not set(days) & set(holidays.Norway(years=year))
    for series_date, day in pairs:
        first, last = schedule.window(series_date, weeks)
        assert first <= day <= last


def test_a_series_starts_in_the_week_of_its_first_date_and_stops_at_its_end():
    pairs = schedule.proposed_dates(
        first_date=D(2026, 3, 4), interval_weeks=2, weekday=0, year=2026, end_date=D(2026, 4, 30)
    )
    assert [day for _s, day in pairs] == [
        D(2026, 3, 2),  # the Monday of the week of 4 March
        D(2026, 3, 16),
        D(2026, 3, 30),
        D(2026, 4, 13),
        D(2026, 4, 27),
    ]
