"""The statistics behind the indicator pages: rates, 95 % confidence intervals, direct age and sex
standardisation, aggregation over areas and periods, and whether a municipality differs from the
community. Pure functions over counts; nothing here reads the database.

Rates and intervals are per 1 (a proportion of 0.12, a rate of 0.0034 per inhabitant): the
caller multiplies by the indicator's factor for display. Every function refuses impossible
counts (negative, a proportion above 1, a zero denominator for an interval) with a ValueError,
because a silent nan would end up in a chart; `rate` is the one that answers None for «no
denominator», since a page shows that as «–».
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.utils.translation import gettext
from scipy import stats as distributions

ALPHA = 0.05  # two-sided: 95 % intervals
Z95 = 1.96  # the normal quantile of the Wilson interval, as published statistics round it

T = TypeVar("T")
G = TypeVar("G", bound=Hashable)


def _check_counts(num: float, den: float) -> None:
    if num < 0 or den < 0:
        raise ValueError(f"counts cannot be negative: {num}/{den}")


def rate(num: float, den: float, factor: float = 1) -> float | None:
    """num / den × factor; None when there is no denominator. `rate(12, 400, 100)` is 3.0."""
    _check_counts(num, den)
    if den == 0:
        return None
    return num / den * factor


def wilson_interval(num: int, den: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for the proportion num/den (95 % with the default z).

    Unlike the textbook p ± z·√(p(1−p)/n), it stays within [0, 1] and does not shrink to a point
    at 0 or n events, which matters for small municipalities: `wilson_interval(0, 10)` is
    (0.0, 0.278). A zero denominator raises ValueError (there is no proportion to bound)."""
    _check_counts(num, den)
    if den == 0:
        raise ValueError("a proportion needs a denominator above 0")
    if num > den:
        raise ValueError(f"a proportion cannot exceed 1: {num}/{den}")
    p = num / den
    z2 = z * z
    centre = (p + z2 / (2 * den)) / (1 + z2 / den)
    half = z / (1 + z2 / den) * math.sqrt(p * (1 - p) / den + z2 / (4 * den * den))
    low = 0.0 if num == 0 else max(0.0, centre - half)
    high = 1.0 if num == den else min(1.0, centre + half)
    return low, high


def poisson_interval(num: int, den: float, alpha: float = ALPHA) -> tuple[float, float]:
    """The exact (Garwood) interval for a rate of num events over den (inhabitants,
    person-years …), per 1:

        low = χ²(α/2; 2·num) / 2 / den   (0 when num is 0)
        high = χ²(1 − α/2; 2·num + 2) / 2 / den

    `poisson_interval(10, 1000)` is (0.00480, 0.01839). A zero denominator raises ValueError."""
    _check_counts(num, den)
    if den == 0:
        raise ValueError("a rate needs a denominator above 0")
    low = 0.0 if num == 0 else float(distributions.chi2.ppf(alpha / 2, 2 * num)) / 2
    high = float(distributions.chi2.ppf(1 - alpha / 2, 2 * num + 2)) / 2
    return low / den, high / den


def standardised(
    strata: Sequence[tuple[int, float, float]], alpha: float = ALPHA
) -> tuple[float, float, float]:
    """The directly standardised rate per 1, with its interval: (rate, low, high).

    `strata` are (events, population at risk, standard population) per age and sex stratum; the
    standard population (the community's, so that its municipalities can be compared) gives the
    weights w_i = W_i / ΣW. The rate is y = Σ w_i·d_i/n_i, with variance v = Σ w_i²·d_i/n_i².

    The interval is Fay and Feuer's gamma interval (Fay MP, Feuer EJ. Confidence intervals for
    directly standardized rates: a method based on the gamma distribution. Statistics in
    Medicine 1997;16:791–801; the method of SEER*Stat and of R's `epitools::ageadjust.direct`),
    with w_M = max_i w_i/n_i:

        low = v / (2y) · χ²(α/2; 2y²/v)                         (0 when y is 0)
        high = (v + w_M²) / (2(y + w_M)) · χ²(1 − α/2; 2(y + w_M)² / (v + w_M²))

    With a single stratum it is the exact Poisson interval. A stratum with a standard weight but
    nobody at risk, no weights at all, or events without population raise ValueError."""
    if not strata:
        raise ValueError("no strata to standardise")
    total_weight = 0.0
    for events, population, weight in strata:
        _check_counts(events, population)
        if weight < 0:
            raise ValueError(f"a standard weight cannot be negative: {weight}")
        if population == 0 and (weight > 0 or events > 0):
            raise ValueError("a stratum with weight or events needs a population at risk")
        total_weight += weight
    if total_weight == 0:
        raise ValueError("the standard population is empty")
    y = v = w_max = 0.0
    for events, population, weight in strata:
        if population == 0:
            continue
        w = weight / total_weight
        y += w * events / population
        v += w * w * events / (population * population)
        w_max = max(w_max, w / population)
    low = 0.0 if y == 0 else v / (2 * y) * float(distributions.chi2.ppf(alpha / 2, 2 * y * y / v))
    shifted_y, shifted_v = y + w_max, v + w_max * w_max
    high = (
        shifted_v
        / (2 * shifted_y)
        * float(distributions.chi2.ppf(1 - alpha / 2, 2 * shifted_y * shifted_y / shifted_v))
    )
    return y, low, high


# --- Aggregation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    """Summed counts of one level (a region, the community, a year, all ages)."""

    numerator: int = 0
    denominator: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(self.numerator + other.numerator, self.denominator + other.denominator)

    def rate(self, factor: float = 1) -> float | None:
        return rate(self.numerator, self.denominator, factor)


def _field(name: str) -> Callable[[Any], int]:
    def read(cell: Any) -> int:
        value = cell[name] if isinstance(cell, Mapping) else getattr(cell, name)
        return int(value)

    return read


_NUMERATOR = _field("numerator")
_DENOMINATOR = _field("denominator")


def aggregate(
    cells: Iterable[T],
    by: Callable[[T], G],
    *,
    numerator: Callable[[T], int] = _NUMERATOR,
    denominator: Callable[[T], int] = _DENOMINATOR,
) -> dict[G, Totals]:
    """Sum numerators and denominators per key: a rate of a region, of the community, of a year
    or of all ages is sum/sum, never an average of rates (a small municipality would count as
    much as a large one).

    `cells` are objects or dicts with `numerator` and `denominator` (or give other readers);
    `by` maps each cell to its level, for example `aggregate(cells, lambda c:
    region_of[c.municipality])`, `aggregate(cells, lambda c: c.period[:4])` for years from
    half-years, or `lambda c: ""` for the whole. Over periods a population denominator becomes
    person-periods: the caller decides whether that is the rate it wants. Keys come out in the
    order first met."""
    found: dict[G, Totals] = {}
    for cell in cells:
        key = by(cell)
        found[key] = found.get(key, Totals()) + Totals(numerator(cell), denominator(cell))
    return found


# --- Compared with the community -----------------------------------------------------------------


class Difference(enum.Enum):
    """How a municipality's figure stands against the community's, at the 95 % level."""

    LOWER = "lower"
    SIMILAR = "similar"  # the interval includes the community's value: no sure difference
    HIGHER = "higher"

    @property
    def label(self) -> str:
        return {
            Difference.LOWER: gettext("Lavere enn fellesskapet"),
            Difference.SIMILAR: gettext("Ikke sikker forskjell fra fellesskapet"),
            Difference.HIGHER: gettext("Høyere enn fellesskapet"),
        }[self]


def difference(interval: tuple[float, float], reference: float) -> Difference:
    """Higher or lower only when the interval excludes the reference (the community's rate, on
    the same scale), so a small municipality is not singled out by noise: with 2 of 10 against
    a community of 10 %, `difference(wilson_interval(2, 10), 0.10)` is SIMILAR."""
    low, high = interval
    if low > reference:
        return Difference.HIGHER
    if high < reference:
        return Difference.LOWER
    return Difference.SIMILAR


def compared(num: int, den: int, reference: float, *, proportion: bool) -> Difference | None:
    """`difference` with the interval that fits: Wilson for a proportion, exact Poisson for a
    rate per inhabitants; None without a denominator. `reference` is per 1."""
    if den == 0:
        return None
    interval = wilson_interval(num, den) if proportion else poisson_interval(num, den)
    return difference(interval, reference)
