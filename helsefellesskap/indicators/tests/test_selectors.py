"""The figures behind the pages, against the hand-computed tables of `factories`."""

import datetime

import pytest

from helsefellesskap.core.suppression import Reason
from helsefellesskap.indicators import selectors
from helsefellesskap.indicators.selectors import Selection

from .factories import IndicatorFactory, figures_world, observe

pytestmark = pytest.mark.django_db

ALL, YOUNG, OLD = Selection(), Selection("0-69"), Selection("70+")


@pytest.fixture
def fw(world):
    return figures_world(world)


def figures_for(user, w, indicator):
    return selectors.indicator_figures(user, w.community, [indicator])[indicator.pk]


def by_name(figures, period, selection):
    areas = [figures.areas.community, *figures.areas.chart_order()]
    return {f.area.name: f for f in figures.compared(areas, period, selection)}


def test_every_level_is_sum_over_sum(fw):
    figures = figures_for(fw.analyst, fw, fw.readmissions)
    found = by_name(figures, "2025-H1", ALL)
    assert {name: (f.numerator, f.denominator) for name, f in found.items()} == {
        "Aby": (20, 200),
        "Bby": (40, 200),
        "Cby": (7, 100),
        "Testby kommune": (None, None),
        "Nord": (60, 400),
        "Sør": (7, 100),
        "Helsefellesskapet Testdalen": (67, 500),
    }
    assert found["Nord"].value == pytest.approx(15.0)
    assert found["Helsefellesskapet Testdalen"].value == pytest.approx(13.4)
    assert not found["Testby kommune"].has_data


def test_age_splits_are_summed_from_the_bands(fw):
    figures = figures_for(fw.analyst, fw, fw.readmissions)
    old = by_name(figures, "2025-H1", OLD)
    assert (old["Bby"].numerator, old["Bby"].denominator) == (34, 100)
    assert old["Nord"].value == pytest.approx(24.5)
    young = by_name(figures, "2025-H1", YOUNG)
    assert (young["Cby"].numerator, young["Cby"].denominator) == (2, 50)


def test_a_period_stored_for_all_ages_only_has_no_age_splits(fw):
    figures = figures_for(fw.analyst, fw, fw.readmissions)
    assert figures.periods == ["2024-H2", "2025-H1"]
    earlier = by_name(figures, "2024-H2", ALL)
    assert earlier["Helsefellesskapet Testdalen"].value == pytest.approx(7.0)
    assert not by_name(figures, "2024-H2", OLD)["Aby"].has_data


def test_the_interval_is_wilsons_and_marks_a_significant_difference(fw):
    found = by_name(figures_for(fw.analyst, fw, fw.readmissions), "2025-H1", ALL)
    aby = found["Aby"]
    # Wilson for 20/200: centre 0.10754, half-width 0.04187.
    assert aby.low == pytest.approx(6.567, abs=0.01)
    assert aby.high == pytest.approx(14.941, abs=0.01)
    assert aby.comparison == ""  # 13.4 lies inside 6.6–14.9
    assert found["Bby"].comparison == "higher"  # 40/200: 15.0–26.1 lies above 13.4
    assert found["Bby"].comparison_text == "Signifikant høyere enn fellesskapet"
    assert found["Cby"].comparison == ""  # 7/100: 3.4–13.7, a small municipality is not singled out


def test_rates_are_standardised_against_the_communitys_population(fw):
    found = by_name(figures_for(fw.analyst, fw, fw.discharge_ready), "2025-H1", ALL)
    assert found["Aby"].standardised
    assert found["Aby"].value == pytest.approx(18 / 3150 * 1000)
    assert found["Bby"].value == pytest.approx(12 / 3150 * 1000)
    assert found["Helsefellesskapet Testdalen"].value == pytest.approx(17 / 3150 * 1000)
    # The crude counts stay what they are.
    assert (found["Aby"].numerator, found["Aby"].denominator) == (11, 1100)
    assert found["Aby"].low < found["Aby"].value < found["Aby"].high


def test_a_rate_that_is_not_standardised_has_the_exact_poisson_interval(fw):
    fw.discharge_ready.standardised = False
    fw.discharge_ready.save()
    found = by_name(figures_for(fw.analyst, fw, fw.discharge_ready), "2025-H1", ALL)
    aby = found["Aby"]
    assert aby.value == pytest.approx(10.0)  # 11 / 1100 × 1000
    # Garwood for 11 events: 5.491–19.682 events, over 1,100 inhabitants, × 1,000.
    assert aby.low == pytest.approx(4.992, abs=0.01)
    assert aby.high == pytest.approx(17.893, abs=0.01)


def test_the_public_sees_small_numbers_as_under_5_and_nothing_that_gives_them_away(fw, client):
    figures = figures_for(None, fw, fw.readmissions)
    young = by_name(figures, "2025-H1", YOUNG)
    cby = young["Cby"]
    assert cby.hidden is Reason.PRIMARY
    assert cby.numerator is None and cby.value is None and cby.low is None
    assert cby.shown_numerator == "under 5"
    assert cby.short_text() == "under 5"
    assert young["Sør"].hidden is Reason.PRIMARY  # the region is Cby alone
    # Nord's 0–69 would give Sør's 2 away from the community's 13: it is hidden too, and then
    # one of its municipalities.
    assert young["Nord"].hidden is Reason.SECONDARY
    assert young["Nord"].shown_numerator == "prikket"
    assert_no_equation_gives_a_hidden_number_away(figures, "2025-H1")


def assert_no_equation_gives_a_hidden_number_away(figures, period):
    hidden = figures._table(period).hidden_numerators
    equations = figures.equations(period)
    assert len(equations) > 5
    for total, parts in equations:
        cells = [total, *parts]
        assert len([c for c in cells if c in hidden]) != 1, (total, parts)


def test_members_see_small_numbers_only_where_the_analysis_group_shares_them(fw):
    young = by_name(figures_for(fw.member, fw, fw.readmissions), "2025-H1", YOUNG)
    assert young["Cby"].shown_numerator == "under 5"
    fw.readmissions.share_small_numbers = True
    fw.readmissions.save()
    young = by_name(figures_for(fw.member, fw, fw.readmissions), "2025-H1", YOUNG)
    assert young["Cby"].numerator == 2
    assert by_name(figures_for(fw.outsider, fw, fw.readmissions), "2025-H1", YOUNG)["Cby"].hidden


@pytest.mark.parametrize("who", ["analyst", "secretariat", "admin"])
def test_the_analysis_group_and_the_secretariat_see_every_number(fw, who):
    young = by_name(figures_for(getattr(fw, who), fw, fw.readmissions), "2025-H1", YOUNG)
    assert young["Cby"].numerator == 2
    assert young["Cby"].value == pytest.approx(4.0)


def test_months_add_up_to_the_half_year_and_nothing_counts_twice(fw):
    indicator = IndicatorFactory(community=fw.community, code="maaned")
    for month, (n, d) in enumerate([(1, 10), (2, 10), (3, 10), (1, 10), (1, 10), (2, 10)], 1):
        observe(indicator, fw.aby, f"2025-{month:02d}", n, d)
    # Bby has the half-year and its months: the half-year row is used.
    observe(indicator, fw.bby, "2025-H1", 5, 50)
    observe(indicator, fw.bby, "2025-01", 99, 99)
    observe(indicator, fw.bby, "2025-07", 1, 20)
    found = by_name(figures_for(fw.analyst, fw, indicator), "2025-H1", ALL)
    assert (found["Aby"].numerator, found["Aby"].denominator) == (10, 60)
    assert (found["Bby"].numerator, found["Bby"].denominator) == (5, 50)
    second = by_name(figures_for(fw.analyst, fw, indicator), "2025-H2", ALL)
    assert (second["Bby"].numerator, second["Bby"].denominator) == (1, 20)


def test_sexes_add_up_to_both_and_are_suppressed_together(fw):
    indicator = IndicatorFactory(community=fw.community, code="kjonn", by_sex=True)
    observe(indicator, fw.aby, "2025-H1", 3, 40, sex="f")
    observe(indicator, fw.aby, "2025-H1", 9, 60, sex="m")
    observe(indicator, fw.bby, "2025-H1", 8, 50, sex="f")
    observe(indicator, fw.bby, "2025-H1", 8, 50, sex="m")
    figures = figures_for(None, fw, indicator)
    both = by_name(figures, "2025-H1", ALL)
    assert both["Aby"].numerator == 12
    women = by_name(figures, "2025-H1", Selection("", "f"))
    assert women["Aby"].hidden is Reason.PRIMARY
    men = by_name(figures, "2025-H1", Selection("", "m"))
    assert men["Aby"].hidden is Reason.SECONDARY  # 12 − 9 would give the 3 away
    assert_no_equation_gives_a_hidden_number_away(figures, "2025-H1")


def test_the_dashboard_shows_the_latest_value_and_the_change(fw):
    cards = {c.indicator.code: c for c in selectors.dashboard(fw.member, fw.community)}
    rows = cards["reinnleggelser"].rows
    assert [r.selection.age for r in rows] == ["0-69", "70+"]
    old = rows[1]
    assert old.latest.period == "2025-H1"
    assert old.latest_text == "21,6"  # 54 / 250
    assert old.change_text == ""  # 2024-H2 has no age splits
    assert cards["utskrivningsklare"].rows[0].latest_text == "5,4"


def test_the_public_dashboard_has_only_published_indicators(fw):
    fw.discharge_ready.is_published = False
    fw.discharge_ready.save()
    public = [c.indicator.code for c in selectors.dashboard(None, fw.community)]
    assert public == ["reinnleggelser"]
    member = [c.indicator.code for c in selectors.dashboard(fw.member, fw.community)]
    assert sorted(member) == ["reinnleggelser", "utskrivningsklare"]


def test_national_definitions_with_figures_but_no_copy_are_on_the_dashboard(fw):
    national = IndicatorFactory(
        community=None, code="nasjonal", name="Nasjonal", is_published=False
    )
    observe(national, fw.aby, "2025-H1", 10, 100)
    assert "nasjonal" in [c.indicator.code for c in selectors.dashboard(fw.member, fw.community)]
    # Its figures are as public as the national definition is published.
    assert "nasjonal" not in [c.indicator.code for c in selectors.dashboard(None, fw.community)]


@pytest.mark.parametrize(
    "split,bands",
    [
        ("0-69", ("0-17", "18-49", "50-69")),
        ("70+", ("70-79", "80+")),
        ("80+", ("80+",)),
        ("18-49", ("18-49",)),
        ("0-66", None),
        ("67+", None),
        ("tull", None),
    ],
)
def test_age_splits_fall_on_the_bands(split, bands):
    assert selectors.split_bands(split) == bands


@pytest.mark.parametrize(
    "start,frequency,period",
    [
        (datetime.date(2025, 6, 1), "half", "2025-H1"),
        (datetime.date(2025, 7, 1), "half", "2025-H2"),
        (datetime.date(2025, 5, 1), "tertial", "2025-T2"),
        (datetime.date(2025, 12, 1), "year", "2025"),
        (datetime.date(2025, 3, 1), "month", "2025-03"),
    ],
)
def test_period_of(start, frequency, period):
    assert selectors.period_of(start, frequency)[0] == period
