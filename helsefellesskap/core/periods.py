"""Years as pages choose them: one `?ar=YYYY` picker and one set of year bounds for every module."""

import datetime
from typing import Any

from django.http import Http404
from django.utils import timezone

FIRST_YEAR, LAST_YEAR = 2000, 2100
YEAR_PARAMETER = "ar"


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """1 January of `year` to 1 January of the next, in the site's time zone."""
    tz = timezone.get_default_timezone()
    return datetime.datetime(year, 1, 1, tzinfo=tz), datetime.datetime(year + 1, 1, 1, tzinfo=tz)


def chosen_year(request: Any, *, first: int = FIRST_YEAR, last: int = LAST_YEAR) -> int:
    """`?ar=YYYY` when it lies in [first, last], else this year."""
    value = request.GET.get(YEAR_PARAMETER, "")
    if value.isdigit() and first <= int(value) <= last:
        return int(value)
    return timezone.localdate().year


def check_year(year: int, *, first: int = FIRST_YEAR, last: int = LAST_YEAR) -> None:
    """404 for a year in a URL outside [first, last]."""
    if not first <= year <= last:
        raise Http404
