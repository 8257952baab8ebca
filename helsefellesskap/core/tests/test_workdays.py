import datetime

import pytest

from helsefellesskap.core.workdays import (
    add_working_days,
    is_working_day,
    working_days_between,
)

D = datetime.date


@pytest.mark.parametrize(
    "start,days,expected",
    [
        (D(2026, 11, 23), 15, D(2026, 12, 14)),  # an ordinary three weeks
        (D(2026, 3, 27), 5, D(2026, 4, 8)),  # across Easter 2026: 2, 3 and 6 April are off
        (D(2025, 4, 11), 5, D(2025, 4, 23)),  # Easter 2025: 17, 18 and 21 April are off
        (D(2026, 12, 18), 5, D(2026, 12, 28)),  # Christmas Eve is no public holiday; 25 is
        (D(2026, 12, 23), 15, D(2027, 1, 15)),  # over Christmas and New Year's Day
        (D(2026, 5, 13), 1, D(2026, 5, 15)),  # Ascension Day, Thursday 14 May
        (D(2026, 5, 15), 1, D(2026, 5, 18)),  # a weekend
        (D(2026, 5, 15), 2, D(2026, 5, 19)),  # 17 May is a Sunday this year
    ],
)
def test_deadlines_in_norwegian_working_days(start, days, expected):
    assert add_working_days(start, days) == expected


def test_holidays_and_weekends_are_not_working_days():
    for day in [
        D(2026, 1, 1),
        D(2026, 4, 2),
        D(2026, 4, 3),
        D(2026, 4, 6),
        D(2026, 5, 1),
        D(2026, 5, 25),
        D(2026, 12, 25),
        D(2026, 12, 26),
        D(2026, 11, 22),
    ]:
        assert not is_working_day(day), day
    assert is_working_day(D(2026, 11, 23))


def test_working_days_between_is_the_inverse():
    start = D(2026, 12, 18)
    for days in range(0, 30):
        assert working_days_between(start, add_working_days(start, days)) == days
    assert working_days_between(D(2026, 12, 30), D(2026, 12, 18)) == -7
