"""The indicator statistics against published tables and hand calculations."""

import math
from dataclasses import dataclass

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as distributions

from helsefellesskap.indicators.models import AGE_BAND_CODES
from helsefellesskap.indicators.stats import (
    Difference,
    Totals,
    aggregate,
    compared,
    difference,
    poisson_interval,
    rate,
    standardised,
    wilson_interval,
)


def close(found, expected, tolerance=5e-4):
    assert len(found) == len(expected)
    for a, b in zip(found, expected, strict=True):
        assert a == pytest.approx(b, abs=tolerance), (found, expected)


# --- Rates and intervals -------------------------------------------------------------------------


def test_rate():
    assert rate(12, 400, 100) == 3.0
    assert rate(3, 1500, 1000) == 2.0
    assert rate(0, 10) == 0.0
    assert rate(5, 0, 100) is None
    with pytest.raises(ValueError):
        rate(-1, 10)


@pytest.mark.parametrize(
    "num,den,expected",
    [
        # 81/263 and 15/148 as published by Newcombe (Stat Med 1998;17:857–872, table I).
        (0, 10, (0.0, 0.2775)),
        (1, 10, (0.0179, 0.4042)),
        (5, 10, (0.2366, 0.7634)),
        (10, 10, (0.7225, 1.0)),
        (81, 263, (0.2553, 0.3662)),
        (15, 148, (0.0624, 0.1605)),
    ],
)
def test_wilson_interval(num, den, expected):
    close(wilson_interval(num, den), expected)


def test_wilson_interval_by_hand():
    # 3 of 20 with z = 1.96: p = 0.15, z² = 3.8416;
    # centre = (0.15 + 3.8416/40) / (1 + 3.8416/20) = 0.246040 / 1.192080 = 0.206396;
    # half = 1.96/1.192080 × √(0.15 × 0.85/20 + 3.8416/1600) = 1.644185 × 0.093680 = 0.154028.
    close(wilson_interval(3, 20), (0.206396 - 0.154028, 0.206396 + 0.154028), 1e-5)


def test_wilson_interval_refuses_what_is_not_a_proportion():
    for num, den in [(1, 0), (0, 0), (11, 10), (-1, 10)]:
        with pytest.raises(ValueError):
            wilson_interval(num, den)


@pytest.mark.parametrize(
    "events,expected",
    [
        # The tabulated exact limits for a Poisson count.
        (0, (0.0, 3.689)),
        (1, (0.0253, 5.572)),
        (2, (0.2422, 7.225)),
        (5, (1.6235, 11.668)),
        (10, (4.7954, 18.390)),
        (20, (12.217, 30.889)),
    ],
)
def test_poisson_interval_is_the_exact_garwood_interval(events, expected):
    close(poisson_interval(events, 1), expected, 1e-3)
    close(poisson_interval(events, 1000), [x / 1000 for x in expected], 1e-6)


def test_poisson_interval_refuses_a_zero_denominator():
    with pytest.raises(ValueError):
        poisson_interval(3, 0)


# --- Standardisation -----------------------------------------------------------------------------


def test_standardised_against_a_hand_calculation():
    # Two strata: 10 events among 1,000 (standard population 600), 30 among 500 (400).
    # Weights 0.6 and 0.4: y = 0.6 × 10/1000 + 0.4 × 30/500 = 0.006 + 0.024 = 0.030;
    # v = 0.36 × 10/1000² + 0.16 × 30/500² = 3.6e-6 + 1.92e-5 = 2.28e-5;
    # w_M = max(0.6/1000, 0.4/500) = 8e-4.
    # Fay–Feuer as gamma quantiles: low = Γ⁻¹(0.025; shape y²/v = 39.474, scale v/y = 7.6e-4),
    # high = Γ⁻¹(0.975; shape (y + w_M)²/(v + w_M²) = 39.990, scale (v + w_M²)/(y + w_M)
    # = 7.6104e-4).
    y, v, w_m = 0.030, 2.28e-5, 8e-4
    low = distributions.gamma.ppf(0.025, y * y / v, scale=v / y)
    high = distributions.gamma.ppf(
        0.975, (y + w_m) ** 2 / (v + w_m**2), scale=(v + w_m**2) / (y + w_m)
    )
    found = standardised([(10, 1000, 600), (30, 500, 400)])
    close(found, (y, low, high), 1e-12)
    close(found, (0.030, 0.02138, 0.04099), 1e-5)


def test_standardised_with_one_stratum_is_the_exact_poisson_interval():
    rate_, low, high = standardised([(10, 1000, 1.0)])
    assert rate_ == 0.01
    close((low, high), poisson_interval(10, 1000), 1e-12)


def test_standardised_with_no_events_has_an_upper_limit():
    rate_, low, high = standardised([(0, 1000, 600), (0, 500, 400)])
    assert (rate_, low) == (0.0, 0.0)
    # The upper limit of 0 events (3.689), scaled by the largest weight per person (0.4/500).
    assert high == pytest.approx(3.6889 * 0.4 / 500, rel=1e-4)


def test_standardisation_removes_a_difference_of_age_alone():
    """Two municipalities with the same rate in every age and sex stratum but different ages
    have different crude rates and the same standardised rate."""
    stratum_rates = [0.002, 0.004, 0.01, 0.03, 0.08] * 2  # AGE_BANDS × (women, men)
    standard = [20_000, 40_000, 30_000, 8_000, 5_000] * 2
    young = [3_000, 5_000, 2_500, 500, 250] * 2
    old = [1_000, 2_000, 3_000, 2_000, 1_500] * 2
    assert len(stratum_rates) == 2 * len(AGE_BAND_CODES)

    def strata(population):
        return [
            (round(r * n), n, w)
            for r, n, w in zip(stratum_rates, population, standard, strict=True)
        ]

    crude = {
        name: sum(d for d, _n, _w in strata(pop)) / sum(pop)
        for name, pop in [("young", young), ("old", old)]
    }
    assert crude["old"] > 2 * crude["young"]
    expected = sum(r * w for r, w in zip(stratum_rates, standard, strict=True)) / sum(standard)
    for population in (young, old):
        y, low, high = standardised(strata(population))
        assert y == pytest.approx(expected, rel=1e-9)
        assert low < y < high


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 200), st.integers(1, 5000), st.floats(0.1, 1e5)),
        min_size=1,
        max_size=10,
    )
)
def test_a_standardised_rate_lies_within_its_interval(strata):
    strata = [(min(d, n), n, w) for d, n, w in strata]
    y, low, high = standardised(strata)
    assert 0 <= low <= y <= high
    assert math.isfinite(high)


def test_standardised_refuses_strata_it_cannot_use():
    for strata in [[], [(1, 0, 1.0)], [(0, 0, 1.0)], [(1, 10, 0.0)], [(1, 10, -1.0)]]:
        with pytest.raises(ValueError):
            standardised(strata)
    # A stratum without weight and without anybody in it is no problem.
    assert standardised([(0, 0, 0.0), (5, 100, 1.0)])[0] == 0.05


# --- Aggregation ---------------------------------------------------------------------------------


@dataclass
class Cell:
    municipality: str
    period: str
    numerator: int
    denominator: int


REGION = {"5001": "Sør", "5006": "Sør", "5007": "Nord"}


def test_aggregate_sums_and_never_averages_rates():
    cells = [
        Cell("5001", "2025-H1", 5, 10),  # 50 %
        Cell("5006", "2025-H1", 10, 1000),  # 1 %
        Cell("5007", "2025-H1", 30, 300),
        Cell("5001", "2025-H2", 1, 10),
    ]
    regions = aggregate(cells, lambda c: REGION[c.municipality])
    assert regions == {"Sør": Totals(16, 1020), "Nord": Totals(30, 300)}
    assert regions["Sør"].rate(100) == pytest.approx(16 / 1020 * 100)  # not (50 + 1 + 10) / 3
    community = aggregate(regions.values(), lambda _t: "")  # Totals have the same fields
    assert community == {"": Totals(46, 1320)}
    assert aggregate(cells, lambda c: c.period[:4]) == {"2025": Totals(46, 1320)}
    assert aggregate(cells, lambda c: (c.municipality, c.period[:4]))[("5001", "2025")] == Totals(
        6, 20
    )


def test_aggregate_reads_dicts_and_other_fields():
    rows = [
        {"area": "a", "numerator": 2, "denominator": 5},
        {"area": "a", "numerator": 1, "denominator": 5},
    ]
    assert aggregate(rows, lambda r: r["area"]) == {"a": Totals(3, 10)}
    pairs = [("x", 4, 8), ("x", 0, 2)]
    assert aggregate(
        pairs, lambda p: p[0], numerator=lambda p: p[1], denominator=lambda p: p[2]
    ) == {"x": Totals(4, 10)}
    assert aggregate([], lambda c: c) == {}
    assert Totals().rate() is None


# --- Compared with the community -----------------------------------------------------------------


def test_a_small_municipality_is_not_singled_out_by_noise():
    community = 0.10
    # 3 of 15 (20 %) in a small municipality: the interval (7 %–45 %) includes 10 %.
    assert compared(3, 15, community, proportion=True) is Difference.SIMILAR
    # The same 20 % among 1,500 is a real difference.
    assert compared(300, 1500, community, proportion=True) is Difference.HIGHER
    assert compared(60, 1500, community, proportion=True) is Difference.LOWER
    assert compared(0, 0, community, proportion=True) is None


def test_rates_are_compared_with_the_exact_poisson_interval():
    # 25 admissions among 1,000 inhabitants against a community rate of 15 per 1,000: the
    # exact interval (16.2–36.9 per 1,000) lies above it.
    assert compared(25, 1000, 0.015, proportion=False) is Difference.HIGHER
    assert compared(20, 1000, 0.015, proportion=False) is Difference.SIMILAR


def test_difference_works_on_any_interval_such_as_a_standardised_one():
    _rate, low, high = standardised([(10, 1000, 600), (30, 500, 400)])
    assert difference((low, high), 0.02) is Difference.HIGHER
    assert difference((low, high), 0.03) is Difference.SIMILAR
    assert difference((low, high), 0.05) is Difference.LOWER
    assert difference((0.1, 0.2), 0.1) is Difference.SIMILAR  # on the limit: no sure difference


def test_the_differences_have_norwegian_labels():
    with translation.override("nb"):
        assert Difference.HIGHER.label == "Høyere enn fellesskapet"
        assert Difference.SIMILAR.label == "Ikke sikker forskjell fra fellesskapet"
