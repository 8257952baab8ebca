"""Which days a recurring meeting may fall on, and the dates a rule proposes for a year.

A day is free when it is a weekday, not a Norwegian public holiday, not in *romjula* (24–31
December, when nobody meets) and not in a week that has a working day in July (*fellesferie*).
Every date of a rule's series owns the days within half an interval of it; a date that is not free
moves to the nearest free day it owns (later first when two are as near) and is dropped when it
owns none. Two proposals of one rule can therefore never fall on the same day or swap order."""

import datetime
from collections.abc import Iterator

from helsefellesskap.core.workdays import is_working_day


def is_july_week(day: datetime.date) -> bool:
    """True for any day of a week (Monday to Sunday) that has a working day in July."""
    monday = day - datetime.timedelta(days=day.weekday())
    return any((monday + datetime.timedelta(days=n)).month == 7 for n in range(5))


def is_free(day: datetime.date) -> bool:
    return is_working_day(day) and not ((day.month == 12 and day.day >= 24) or is_july_week(day))


def series(first_date: datetime.date, interval_weeks: int, weekday: int | None) -> Iterator:
    """first_date, then every `interval_weeks`, moved to `weekday` of each week when given."""
    anchor = first_date
    if weekday is not None:
        anchor = first_date + datetime.timedelta(days=weekday - first_date.weekday())
    step = datetime.timedelta(weeks=interval_weeks)
    while True:
        yield anchor
        anchor += step


def nearest_free(day: datetime.date, interval_weeks: int) -> datetime.date | None:
    """The nearest free day within half an interval of `day` (later first on a tie), or None."""
    reach = (interval_weeks * 7 - 1) // 2  # days each way a series date owns, never shared
    for distance in range(reach + 1):
        delta = datetime.timedelta(days=distance)
        for candidate in (day + delta, day - delta):
            if is_free(candidate):
                return candidate
    return None


def proposed_dates(
    *,
    first_date: datetime.date,
    interval_weeks: int,
    weekday: int | None,
    year: int,
    end_date: datetime.date | None = None,
) -> list[tuple[datetime.date, datetime.date]]:
    """The (series date, proposed date) pairs a rule gives for `year`, in order. The series
    starts in the week of `first_date`."""
    pairs = []
    reach = datetime.timedelta(days=(interval_weeks * 7 - 1) // 2)
    week_start = first_date - datetime.timedelta(days=first_date.weekday())
    for day in series(first_date, interval_weeks, weekday):
        if day - reach > datetime.date(year, 12, 31) or (end_date and day > end_date):
            break
        if day + reach < datetime.date(year, 1, 1):
            continue
        proposed = nearest_free(day, interval_weeks)
        if (
            proposed
            and proposed.year == year
            and proposed >= week_start
            and (end_date is None or proposed <= end_date)
        ):
            pairs.append((day, proposed))
    return pairs


def window(day: datetime.date, interval_weeks: int) -> tuple[datetime.date, datetime.date]:
    """The days a series date owns: [first, last]."""
    reach = datetime.timedelta(days=(interval_weeks * 7 - 1) // 2)
    return day - reach, day + reach
