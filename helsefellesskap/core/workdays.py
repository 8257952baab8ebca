"""Norwegian working days: Monday to Friday, except public holidays (the `holidays` package)."""

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.Norway(years=year, include_sundays=False).keys())


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (start itself not counted)."""
    day = start
    while days > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is earlier."""
    if end < start:
        return -working_days_between(end, start)
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        count += is_working_day(day)
    return count
