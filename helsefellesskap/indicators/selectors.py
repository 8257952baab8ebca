"""Reads of steering information: the figures of an indicator by municipality, region and
community, over periods and age groups, with their 95 % intervals, suppressed for the reader.

How a figure is made
* Observations hold a numerator and a denominator per municipality, period and breakdown. Every
  level above is sum(numerator) / sum(denominator) × factor, never an average of rates.
* A municipality's figure for a selection (all ages or an age split, both sexes or one) is taken
  from the coarsest stored rows that answer it: the all-ages row when there is one, otherwise
  the sum of its age bands (and sexes). Regions and the community sum their municipalities.
* The interval is Wilson's for a proportion and the exact Poisson interval for a rate. Where the
  indicator is standardised, the value is directly standardised by age band and sex against the
  community's population (the standard), from the age-and-sex strata (`stats.standardised`).

Suppression (`core.suppression`), for every reader for whom `policies.sees_small_numbers` is
false: a numerator or denominator from 1 to the indicator's threshold − 1 is hidden («under 5»),
and so is whatever would let it be worked out (secondary suppression, «prikket»). The table of
one period is everything any page, chart or file can show of it — every area (municipalities,
regions, the community) crossed with every selection (all ages, each age split; all, women,
men) — with its equations: the municipalities of a region add up to the region, the regions
(and municipalities without one) to the community, the age splits to all ages, women and men to
both. It is suppressed as one, so whichever filter a reader picks, no page shows what another
page would let them subtract. The trend and the dashboard read the same tables. Periods are
not added up on any page (a half-year indicator shows half-years only), so a period's table
stands alone; months loaded for a half-year are summed into it before anything is shown.

Each page reads its rows in a fixed handful of queries (the indicators, the municipalities, the
observations, the population), whatever the amount of data."""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db.models import Sum
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext as _

from helsefellesskap.actionplan import selectors as plan_selectors
from helsefellesskap.actionplan.models import Goal, Measure, PriorityGroup
from helsefellesskap.core.pages import Panel
from helsefellesskap.core.suppression import Group, Reason, hidden_label, is_small, suppression
from helsefellesskap.organisation.models import Community, Party

from . import charts, policies, stats
from .models import AGE_BAND_CODES, AGE_BANDS, Frequency, Indicator, Observation, Population, Sex

MUNICIPALITY, REGION, COMMUNITY = "municipality", "region", "community"
SEXES = (Sex.FEMALE.value, Sex.MALE.value)
TREND_PERIODS = 8  # periods on the dashboard's small trend

Stratum = tuple[str, str]  # (age band, sex); "" is "all"
Cells = dict[Stratum, tuple[int, int]]  # one municipality and period: (numerator, denominator)


# --- Areas ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    key: str  # "c", "r<region pk>", "m<party pk>"
    kind: str
    name: str
    number: str = ""  # the municipality number
    region: str = ""  # a municipality's region key
    region_name: str = ""


@dataclass
class Areas:
    """The community's municipalities, its municipal regions and the community itself (the
    hospital trust's whole catchment area)."""

    community: Area
    regions: list[Area]
    municipalities: list[Area]
    by_party: dict[int, Area]
    members: dict[str, list[Area]]  # region key → its municipalities
    unregioned: list[Area]

    def region(self, key: str) -> Area | None:
        return next((r for r in self.regions if r.key == key), None)

    def chart_order(self, region: Area | None = None) -> list[Area]:
        """Each region followed by its municipalities (one region when `region` is given), then
        the municipalities without a region."""
        regions = [region] if region else self.regions
        ordered = [a for r in regions for a in [r, *self.members[r.key]]]
        return ordered if region else ordered + self.unregioned


def community_areas(user: Any, community: Community) -> Areas:
    parties = (
        Party.objects.visible_to(user, community)
        .filter(kind=Party.Kind.MUNICIPALITY)
        .select_related("region")
        .order_by("region__order", "region__name", "name")
    )
    regions: dict[str, Area] = {}
    members: dict[str, list[Area]] = defaultdict(list)
    unregioned: list[Area] = []
    by_party: dict[int, Area] = {}
    for party in parties:
        region_key = f"r{party.region_id}" if party.region_id else ""
        area = Area(
            key=f"m{party.pk}",
            kind=MUNICIPALITY,
            name=party.name,
            number=party.municipality_number,
            region=region_key,
            region_name=party.region.name if party.region else "",
        )
        by_party[party.pk] = area
        if party.region is None:
            unregioned.append(area)
            continue
        if region_key not in regions:
            regions[region_key] = Area(key=region_key, kind=REGION, name=party.region.name)
        members[region_key].append(area)
    return Areas(
        community=Area(key="c", kind=COMMUNITY, name=community.name),
        regions=list(regions.values()),
        municipalities=list(by_party.values()),
        by_party=by_party,
        members=members,
        unregioned=unregioned,
    )


# --- Selections: age splits and sexes -------------------------------------------------------------


def split_bands(split: str) -> tuple[str, ...] | None:
    """The age bands an age split is made of («0-69» → 0-17, 18-49, 50-69; «80+» → 80+); None
    when the split does not fall on the bands' edges."""
    text = split.strip()
    try:
        if text.endswith("+"):
            low, high = int(text[:-1]), None
        else:
            first, last = text.split("-")
            low, high = int(first), int(last)
    except ValueError:
        return None
    bands = [
        (code, lo, hi)
        for code, lo, hi in AGE_BANDS
        if lo >= low and (high is None or (hi is not None and hi <= high))
    ]
    if not bands or bands[0][1] != low or bands[-1][2] != high:
        return None
    return tuple(code for code, _lo, _hi in bands)


def age_label(split: str) -> str:
    if not split:
        return _("Alle aldre")
    if split.endswith("+"):
        return _("%(age)s år og eldre") % {"age": split[:-1]}
    return _("%(range)s år") % {"range": split.replace("-", "–")}


def sex_label(sex: str) -> str:
    return str(dict(Sex.choices).get(sex, _("Begge kjønn")))


@dataclass(frozen=True)
class Selection:
    age: str = ""  # an age split of the indicator, "" for all ages
    sex: str = ""  # "f", "m", "" for both

    @property
    def label(self) -> str:
        parts = [age_label(self.age)]
        if self.sex:
            parts.append(sex_label(self.sex).lower())
        return ", ".join(parts)


def indicator_splits(indicator: Indicator) -> list[str]:
    """The indicator's age splits that fall on the bands' edges (others cannot be summed)."""
    return [s for s in indicator.age_splits or [] if split_bands(s)]


def selections(indicator: Indicator) -> list[Selection]:
    sexes = ["", *SEXES] if indicator.by_sex else [""]
    return [Selection(a, s) for a in ["", *indicator_splits(indicator)] for s in sexes]


ALL_BANDS = frozenset(AGE_BAND_CODES)


def _pick(cells: Cells, bands: frozenset[str] | None, sex: str, strata_wanted: bool) -> _Raw:
    """The numerator and denominator of one municipality for a selection, from the coarsest rows
    that answer it: the row for all ages when there is one, else the sum of the age bands (for
    both sexes together, else for each sex), else of the sexes. With `strata_wanted`, also the
    age-and-sex strata for standardisation (None without them). One pass over the cells: this
    runs for every municipality, selection and period of a page."""
    if bands is None and not strata_wanted and ("", sex) in cells:
        n, d = cells[("", sex)]
        return _Raw(n, d, True)
    wanted = ALL_BANDS if bands is None else bands
    fine_n = fine_d = band_n = band_d = sex_n = sex_d = 0
    has_fine = has_band = has_sex = False
    fine: Cells = {}
    by_band: Cells = {}
    for (band, s), (n, d) in cells.items():
        if not band:
            if s and not sex:
                sex_n, sex_d, has_sex = sex_n + n, sex_d + d, True
        elif band not in wanted:
            continue
        elif not s:
            band_n, band_d, has_band = band_n + n, band_d + d, True
            if strata_wanted:
                by_band[(band, s)] = (n, d)
        elif not sex or s == sex:
            fine_n, fine_d, has_fine = fine_n + n, fine_d + d, True
            if strata_wanted:
                fine[(band, s)] = (n, d)
    strata = (fine or (by_band if not sex else None) or None) if strata_wanted else None
    if bands is None and ("", sex) in cells:
        n, d = cells[("", sex)]
        return _Raw(n, d, True, strata)
    if not sex and has_band:
        return _Raw(band_n, band_d, True, strata)
    if bands is None and not sex and has_sex:
        return _Raw(sex_n, sex_d, True, strata)
    return _Raw(fine_n, fine_d, True, strata) if has_fine else _Raw()


# --- Figures -------------------------------------------------------------------------------------


@dataclass
class Figure:
    """One area's figure for one period and selection, as the reader may see it: a hidden
    number is None here, so no template or file can show it by mistake."""

    area: Area
    period: str
    selection: Selection
    numerator: int | None = None
    denominator: int | None = None
    has_data: bool = False
    value: float | None = None
    low: float | None = None
    high: float | None = None
    standardised: bool = False
    numerator_hidden: Reason | None = None
    denominator_hidden: Reason | None = None
    threshold: int = 5
    comparison: str = ""  # "higher" or "lower" than the community, where the interval says so

    @property
    def hidden(self) -> Reason | None:
        reasons = {self.numerator_hidden, self.denominator_hidden} - {None}
        if not reasons:
            return None
        return Reason.PRIMARY if Reason.PRIMARY in reasons else Reason.SECONDARY

    @property
    def is_shown(self) -> bool:
        return self.has_data and self.hidden is None

    @property
    def hidden_text(self) -> str:
        reason = self.hidden
        return hidden_label(reason, self.threshold) if reason else ""

    def _count(self, value: int | None, reason: Reason | None) -> str:
        if not self.has_data:
            return "–"
        if reason is not None:
            return hidden_label(reason, self.threshold)
        return number_format(value or 0, 0, force_grouping=True)

    @property
    def shown_numerator(self) -> str:
        return self._count(self.numerator, self.numerator_hidden)

    @property
    def shown_denominator(self) -> str:
        return self._count(self.denominator, self.denominator_hidden)

    def short_text(self, decimals: int = 1) -> str:
        if not self.has_data:
            return _("ingen data")
        if self.hidden:
            return self.hidden_text
        return charts.number(self.value, decimals)

    def interval_text(self, decimals: int = 1) -> str:
        if not self.is_shown or self.low is None or self.high is None:
            return ""
        return f"{charts.number(self.low, decimals)}–{charts.number(self.high, decimals)}"

    def long_text(self, decimals: int, unit: str) -> str:
        if not self.is_shown:
            return self.short_text(decimals)
        text = f"{charts.number(self.value, decimals)} {unit}"
        if interval := self.interval_text(decimals):
            text += " " + _("(95 %% KI %(interval)s)") % {"interval": interval}
        if self.comparison:
            text += ", " + self.comparison_text.lower()
        return text

    @property
    def comparison_text(self) -> str:
        if self.comparison == "higher":
            return _("Signifikant høyere enn fellesskapet")
        if self.comparison == "lower":
            return _("Signifikant lavere enn fellesskapet")
        return ""


@dataclass
class _Raw:
    numerator: int = 0
    denominator: int = 0
    has_data: bool = False
    strata: Cells | None = None


@dataclass
class _Table:
    """One period: every area × selection, and which of its counts are hidden."""

    raw: dict[CellKey, _Raw]
    hidden_numerators: dict[CellKey, Reason] = field(default_factory=dict)
    hidden_denominators: dict[CellKey, Reason] = field(default_factory=dict)


Weights = dict[int, dict[Stratum, int]]  # the community's inhabitants by year and stratum
CellKey = tuple[str, Selection]  # an area's key and a selection


@dataclass(frozen=True)
class _Structure:
    """The cells of a period's table, in a fixed order, and its possible equations as (total,
    parts) by position."""

    keys: tuple[CellKey, ...]
    groups: tuple[tuple[int, tuple[int, ...]], ...]


def _holding(table: _Structure, counts: tuple[int, ...]) -> list[Group[int]]:
    """The equations that hold for these counts. An all-ages row of distinct patients need not
    equal the sum of its age splits: such a pair gives nothing away exactly, and is left out."""
    return [
        Group(total, frozenset(parts))
        for total, parts in table.groups
        if counts[total] == sum(counts[p] for p in parts)
    ]


@functools.lru_cache(maxsize=4096)
def _suppress_table(
    table: _Structure, counts: tuple[int, ...], threshold: int
) -> tuple[tuple[int, Reason], ...]:
    """The hidden cells (by position) of a table: a pure function of its shape and counts,
    remembered, since every page and file showing a period asks for the same table."""
    result = suppression(dict(enumerate(counts)), _holding(table, counts), threshold)
    return tuple((i, reason) for i in sorted(result.hidden) if (reason := result.reason(i)))


class IndicatorFigures:
    """The figures of one indicator in one community for one priority group, for one reader."""

    def __init__(
        self,
        indicator: Indicator,
        areas: Areas,
        periods: Periods,
        weights: Weights,
        *,
        suppress: bool,
    ) -> None:
        self.indicator = indicator
        self.areas = areas
        self._data = periods
        self.periods = sorted(periods, key=lambda p: (periods[p][0], p))
        self.weights = weights
        self.suppress = suppress
        self.selections = selections(indicator)
        self._tables: dict[str, _Table] = {}

    @property
    def latest(self) -> str | None:
        return self.periods[-1] if self.periods else None

    def figure(self, area: Area, period: str, selection: Selection) -> Figure:
        table = self._table(period)
        key = (area.key, selection)
        raw = table.raw.get(key, _Raw())
        figure = Figure(
            area=area,
            period=period,
            selection=selection,
            has_data=raw.has_data,
            threshold=self.indicator.suppress_below,
            numerator_hidden=table.hidden_numerators.get(key),
            denominator_hidden=table.hidden_denominators.get(key),
        )
        if not raw.has_data:
            return figure
        if figure.numerator_hidden is None:
            figure.numerator = raw.numerator
        if figure.denominator_hidden is None:
            figure.denominator = raw.denominator
        if figure.hidden is None:
            weight = self._weight(period, table, selection)
            figure.value, figure.low, figure.high, figure.standardised = _measure(
                self.indicator, raw, weight
            )
        return figure

    def compared(self, areas: Iterable[Area], period: str, selection: Selection) -> list[Figure]:
        """The areas' figures, each marked where its interval lies above or below the
        community's value."""
        community = self.figure(self.areas.community, period, selection)
        figures = [self.figure(area, period, selection) for area in areas]
        if community.is_shown and community.value is not None:
            for f in figures:
                if (
                    f.is_shown
                    and f.area.kind != COMMUNITY
                    and f.low is not None
                    and f.high is not None
                ):
                    found = stats.difference((f.low, f.high), community.value)
                    f.comparison = "" if found is stats.Difference.SIMILAR else found.value
        return figures

    def trend(self, area: Area, selection: Selection, periods: Sequence[str]) -> list[Figure]:
        return [self.figure(area, period, selection) for period in periods]

    # --- One period's table ---

    def _table(self, period: str) -> _Table:
        if period not in self._tables:
            self._tables[period] = self._build(period)
        return self._tables[period]

    def _build(self, period: str) -> _Table:
        cells = self._data.get(period, (datetime.date.min, {}))[1]
        raw: dict[tuple[str, Selection], _Raw] = {}
        strata = self.indicator.standardised
        for selection in self.selections:
            split = split_bands(selection.age) if selection.age else None
            bands = frozenset(split) if split else None
            by_area: dict[str, _Raw] = {}
            for party_pk, area in self.areas.by_party.items():
                found = cells.get(party_pk)
                by_area[area.key] = _pick(found, bands, selection.sex, strata) if found else _Raw()
            for region in self.areas.regions:
                by_area[region.key] = _sum(by_area[m.key] for m in self.areas.members[region.key])
            by_area["c"] = _sum(by_area[m.key] for m in self.areas.municipalities)
            raw.update({(key, selection): value for key, value in by_area.items()})
        table = _Table(raw)
        if self.suppress:
            threshold = self.indicator.suppress_below
            for attr, count in (
                ("hidden_numerators", lambda r: r.numerator),
                ("hidden_denominators", lambda r: r.denominator),
            ):
                setattr(table, attr, self._suppressed(raw, count, threshold))
        return table

    def _suppressed(
        self,
        raw: dict[CellKey, _Raw],
        count: Callable[[_Raw], int],
        threshold: int,
    ) -> dict[CellKey, Reason]:
        table = self._structure
        counts = tuple(count(raw[key]) for key in table.keys)
        if not any(is_small(c, threshold) for c in counts):
            return {}  # nothing small: nothing to hide, nor to protect
        return {
            table.keys[index]: reason
            for index, reason in _suppress_table(table, counts, threshold)
            if raw[table.keys[index]].has_data
        }

    def equations(self, period: str) -> list[tuple[CellKey, list[CellKey]]]:
        """The equations of the period's numerators that hold: (total, parts)."""
        table, raw = self._structure, self._table(period).raw
        counts = tuple(raw[key].numerator for key in table.keys)
        return [
            (table.keys[g.total], [table.keys[p] for p in g.parts]) for g in _holding(table, counts)
        ]

    @cached_property
    def _structure(self) -> _Structure:
        """Every cell of a period's table and the equations that may hold between them: the
        municipalities of a region add up to it, the regions (and municipalities without one)
        to the community, the age splits (when they cover every band once) to all ages, women
        and men to both. The same for every period, so it is built once."""
        areas = self.areas
        every = ["c", *(r.key for r in areas.regions), *(m.key for m in areas.municipalities)]
        keys = tuple((key, sel) for sel in self.selections for key in every)
        index = {key: i for i, key in enumerate(keys)}
        groups: list[tuple[int, tuple[int, ...]]] = []

        def add(total: CellKey, parts: Iterable[CellKey]) -> None:
            members = tuple(sorted({index[p] for p in parts}))
            if members:
                groups.append((index[total], members))

        for sel in self.selections:
            for region in areas.regions:
                add((region.key, sel), ((m.key, sel) for m in areas.members[region.key]))
            add(
                ("c", sel),
                [(r.key, sel) for r in areas.regions] + [(m.key, sel) for m in areas.unregioned],
            )
            add(("c", sel), ((m.key, sel) for m in areas.municipalities))
        splits = indicator_splits(self.indicator)
        if _partition(splits):
            for key in every:
                for sex in {s.sex for s in self.selections}:
                    add((key, Selection("", sex)), ((key, Selection(a, sex)) for a in splits))
        if self.indicator.by_sex:
            for key in every:
                for age in {s.age for s in self.selections}:
                    add((key, Selection(age, "")), ((key, Selection(age, s)) for s in SEXES))
        return _Structure(keys, tuple(groups))

    def _weight(
        self, period: str, table: _Table, selection: Selection
    ) -> Callable[[Stratum], float]:
        """The standard population: the community's inhabitants in the period's year (the
        nearest year loaded), else the community's own denominators."""
        year = int(period[:4]) if period[:4].isdigit() else 0
        years = sorted(self.weights, key=lambda y: (abs(y - year), -y))
        population = self.weights[years[0]] if years else {}
        own = table.raw.get(("c", selection), _Raw()).strata or {}

        def weight(stratum: Stratum) -> float:
            band, sex = stratum
            if population:
                if sex:
                    return population.get(stratum, 0)
                return sum(population.get((band, s), 0) for s in SEXES)
            return own.get(stratum, (0, 0))[1]

        return weight


def _partition(splits: Sequence[str]) -> bool:
    """Whether the age splits cover every band once (then they add up to all ages)."""
    bands = [b for s in splits for b in split_bands(s) or ()]
    return sorted(bands) == sorted(code for code, _lo, _hi in AGE_BANDS)


def _sum(parts: Iterable[_Raw]) -> _Raw:
    total = _Raw()
    strata: Cells | None = {}
    for part in parts:
        if not part.has_data:
            continue
        total.has_data = True
        total.numerator += part.numerator
        total.denominator += part.denominator
        if part.strata is None or strata is None:
            strata = None
            continue
        for key, (n, d) in part.strata.items():
            old = strata.get(key, (0, 0))
            strata[key] = (old[0] + n, old[1] + d)
    total.strata = strata if total.has_data else None
    return total


def _measure(
    indicator: Indicator, raw: _Raw, weight: Callable[[Stratum], float]
) -> tuple[float | None, float | None, float | None, bool]:
    """Value, 95 % interval (in the indicator's unit) and whether it is standardised."""
    if raw.denominator <= 0:
        return None, None, None, False
    factor = indicator.factor
    if indicator.standardised and raw.strata:
        strata = [(n, d, float(weight(k))) for k, (n, d) in sorted(raw.strata.items()) if d > 0]
        if strata and sum(w for _n, _d, w in strata) > 0:
            rate, low, high = stats.standardised(strata)
            return rate * factor, low * factor, high * factor, True
    value = stats.rate(raw.numerator, raw.denominator, factor)
    if indicator.is_proportion and raw.numerator <= raw.denominator:
        low, high = stats.wilson_interval(raw.numerator, raw.denominator)
    else:
        low, high = stats.poisson_interval(raw.numerator, raw.denominator)
    return value, low * factor, high * factor, False


# --- Reading the rows ----------------------------------------------------------------------------


def community_indicators(user: Any, community: Community) -> list[Indicator]:
    """The indicators of the community's dashboard that the user may see: its own (the public:
    the published ones), and national definitions the community has figures for without a copy
    of its own (their figures are as public as the national definition is published)."""
    figures = Observation.objects.visible_to(user, community).values("indicator_id")
    rows = Indicator.objects.visible_to(user, community) | Indicator.objects.national().filter(
        pk__in=figures
    )
    indicators = list(rows.order_by("name", "code"))
    own = [i for i in indicators if not i.is_national]
    taken = {i.code for i in own} | {i.copied_from_id for i in own}
    return [i for i in indicators if not i.is_national or not ({i.code, i.pk} & taken)]


# The period kinds that nest in each frequency: a year is made of half-years, tertials or months,
# a half-year of months (tertials straddle the half-years), a tertial of months.
NESTS: dict[str, tuple[str, ...]] = {
    Frequency.YEAR: (Frequency.YEAR, Frequency.HALF_YEAR, Frequency.TERTIAL, Frequency.MONTH),
    Frequency.HALF_YEAR: (Frequency.HALF_YEAR, Frequency.MONTH),
    Frequency.TERTIAL: (Frequency.TERTIAL, Frequency.MONTH),
    Frequency.MONTH: (Frequency.MONTH,),
}


def period_of(start: datetime.date, frequency: str) -> tuple[str, datetime.date]:
    """The period of `frequency` a date falls in: its code («2025-H1») and first day."""
    year, month = start.year, start.month
    if frequency == Frequency.YEAR:
        return str(year), datetime.date(year, 1, 1)
    if frequency == Frequency.HALF_YEAR:
        half = 1 if month <= 6 else 2
        return f"{year}-H{half}", datetime.date(year, 1 if half == 1 else 7, 1)
    if frequency == Frequency.TERTIAL:
        tertial = (month - 1) // 4 + 1
        return f"{year}-T{tertial}", datetime.date(year, 4 * tertial - 3, 1)
    return f"{year}-{month:02d}", datetime.date(year, month, 1)


Periods = dict[str, tuple[datetime.date, dict[int, Cells]]]


def _observations(
    user: Any, community: Community, indicators: Sequence[Indicator], priority_group: str = ""
) -> dict[int, Periods]:
    """Each indicator's cells by its own periods. Rows of a finer period kind that nests in the
    indicator's frequency (months of a half-year) are added up into it; where a municipality has
    rows of more than one kind for a period, the coarsest are used, so nothing counts twice.
    Rows of a kind that does not nest (a year of a half-year indicator) are not read."""
    kinds = {kind for i in indicators for kind in NESTS.get(i.frequency, ())}
    rows = (
        Observation.objects.visible_to(user, community)
        .filter(
            indicator__in=[i.pk for i in indicators],
            priority_group=priority_group,
            period_kind__in=sorted(kinds),
        )
        .values_list(
            "indicator_id",
            "period_kind",
            "period",
            "period_start",
            "municipality_id",
            "age_band",
            "sex",
            "numerator",
            "denominator",
        )
    )
    frequency = {i.pk: i.frequency for i in indicators}
    rank: dict[str, int] = {k: i for i, k in enumerate(reversed(NESTS[Frequency.YEAR]))}
    targets: dict[tuple[datetime.date, str], tuple[str, datetime.date]] = {}
    # indicator → (period, start) → municipality → kind → stratum → [n, d]
    found: dict[
        int, dict[tuple[str, datetime.date], dict[int, dict[str, dict[Stratum, list[int]]]]]
    ]
    found = {i.pk: {} for i in indicators}
    for ind, kind, period, start, party, band, sex, n, d in rows:
        freq = frequency[ind]
        if kind not in NESTS[freq]:
            continue
        if kind == freq:
            target = (period, start)
        else:
            target = targets.get((start, freq)) or targets.setdefault(
                (start, freq), period_of(start, freq)
            )
        by_kind = found[ind].setdefault(target, {}).setdefault(party, {})
        total = by_kind.setdefault(kind, {}).setdefault((band, sex), [0, 0])
        total[0] += n
        total[1] += d
    result: dict[int, Periods] = {}
    for indicator in indicators:
        periods: Periods = {}
        for (period, start), parties in found[indicator.pk].items():
            cells: dict[int, Cells] = {}
            for party, by_kind in parties.items():
                coarsest = by_kind[max(by_kind, key=lambda k: rank[k])]
                cells[party] = {key: (n, d) for key, (n, d) in coarsest.items()}
            periods[period] = (start, cells)
        result[indicator.pk] = periods
    return result


def _weights(user: Any, community: Community) -> Weights:
    rows = (
        Population.objects.visible_to(user, community)
        .values_list("year", "age_band", "sex")
        .annotate(total=Sum("count"))
    )
    weights: Weights = defaultdict(dict)
    for year, band, sex, total in rows:
        weights[year][(band, sex)] = total
    return dict(weights)


def indicator_figures(
    user: Any,
    community: Community,
    indicators: Sequence[Indicator],
    *,
    priority_group: str = "",
    areas: Areas | None = None,
) -> dict[int, IndicatorFigures]:
    """The figures of several indicators in three or four queries."""
    areas = areas or community_areas(user, community)
    data = _observations(user, community, indicators, priority_group)
    weights = _weights(user, community) if any(i.standardised for i in indicators) else {}
    return {
        i.pk: IndicatorFigures(
            i,
            areas,
            data[i.pk],
            weights,
            suppress=not policies.sees_small_numbers(user, i, community),
        )
        for i in indicators
    }


# --- Pages ---------------------------------------------------------------------------------------


@dataclass
class TrendRow:
    """An indicator (and age split) as one line of the dashboard."""

    indicator: Indicator
    selection: Selection
    trend: list[Figure]
    spark: charts.Sparkline | None = None

    @property
    def dom_id(self) -> str:
        """An id for the row's picture, unique on a page."""
        age = self.selection.age.replace("+", "pluss") or "alle"
        return slugify(f"ind-{self.indicator.code}-{age}-{self.selection.sex}")

    @property
    def latest(self) -> Figure | None:
        return self.trend[-1] if self.trend else None

    @property
    def previous(self) -> Figure | None:
        return self.trend[-2] if len(self.trend) > 1 else None

    @property
    def latest_text(self) -> str:
        return self.latest.short_text() if self.latest else _("ingen data")

    @property
    def change_text(self) -> str:
        latest, previous = self.latest, self.previous
        if not (latest and previous and latest.is_shown and previous.is_shown):
            return ""
        if latest.value is None or previous.value is None:
            return ""
        change = latest.value - previous.value
        sign = "+" if change > 0 else ("−" if change < 0 else "±")
        return _("%(sign)s%(change)s fra %(period)s") % {
            "sign": sign,
            "change": charts.number(abs(change)),
            "period": previous.period,
        }


def trend_rows(figures: IndicatorFigures, periods: int = TREND_PERIODS) -> list[TrendRow]:
    indicator = figures.indicator
    chosen = figures.periods[-periods:]
    splits = indicator_splits(indicator) or [""]
    rows = []
    for split in splits:
        selection = Selection(split)
        trend = figures.trend(figures.areas.community, selection, chosen)
        rows.append(TrendRow(indicator, selection, trend, charts.sparkline(trend)))
    return rows


@dataclass
class Card:
    """An indicator on the dashboard (or on a measure of the plan): a line per age split."""

    indicator: Indicator
    rows: list[TrendRow]

    @property
    def has_hidden(self) -> bool:
        return any(f.hidden for row in self.rows for f in row.trend)


def cards(user: Any, community: Community, indicators: Sequence[Indicator]) -> list[Card]:
    if not indicators:
        return []
    figures = indicator_figures(user, community, indicators)
    return [Card(i, trend_rows(figures[i.pk])) for i in indicators]


def dashboard(user: Any, community: Community) -> list[Card]:
    """The community's indicators with their latest value and the trend before it."""
    return cards(user, community, community_indicators(user, community))


def priority_groups(user: Any, community: Community, indicator: Indicator) -> list[str]:
    """The priority groups the indicator has figures for, or is defined for."""
    found = set(
        Observation.objects.visible_to(user, community)
        .filter(indicator=indicator)
        .exclude(priority_group="")
        .values_list("priority_group", flat=True)
        .distinct()
    )
    groups = found | set(indicator.priority_groups or [])
    return [code for code, _label in PriorityGroup.choices if code in groups]


@dataclass
class IndicatorPage:
    indicator: Indicator
    figures: IndicatorFigures
    period: str | None
    selection: Selection
    region: Area | None
    priority_group: str
    rows: list[Figure]
    community: Figure | None
    trend_periods: list[str]
    trends: list[tuple[Area, list[Figure]]]

    @cached_property
    def bar_chart(self) -> charts.BarChart | None:
        if self.community is None or not self.rows:
            return None
        return charts.bar_chart(self.rows, self.community, self.indicator.unit)

    @cached_property
    def line_chart(self) -> charts.LineChart | None:
        if len(self.trend_periods) < 2:
            return None
        series = [
            (
                area.name,
                "hf-ind-line" if area.kind == COMMUNITY else "hf-ind-line hf-ind-line--region",
                trend,
            )
            for area, trend in self.trends
        ]
        return charts.line_chart(self.trend_periods, series, self.indicator.unit)

    @property
    def has_hidden(self) -> bool:
        figures = [*self.rows, *(f for _a, t in self.trends for f in t)]
        return any(f.hidden for f in figures)

    @property
    def has_secondary(self) -> bool:
        figures = [*self.rows, *(f for _a, t in self.trends for f in t)]
        return any(f.hidden is Reason.SECONDARY for f in figures)

    @property
    def largest_hidden(self) -> int:
        """The largest count «under N» stands for."""
        return self.indicator.suppress_below - 1

    @property
    def group_labels(self) -> list[str]:
        labels = dict(PriorityGroup.choices)
        return [str(labels[g]) for g in self.indicator.priority_groups or [] if g in labels]

    @property
    def priority_group_label(self) -> str:
        return str(dict(PriorityGroup.choices).get(self.priority_group, ""))

    @property
    def trend_table(self) -> list[dict[str, Any]]:
        """The trend as rows of the table beside its chart: a period, each area's figure."""
        return [
            {"period": period, "figures": [trend[i] for _area, trend in self.trends]}
            for i, period in enumerate(self.trend_periods)
        ]


def indicator_page(
    user: Any,
    community: Community,
    indicator: Indicator,
    *,
    period: str = "",
    region: str = "",
    age: str = "",
    sex: str = "",
    priority_group: str = "",
) -> IndicatorPage:
    """The indicator by municipality and region for one period, and its trend, for the filters
    chosen (unknown choices fall back to all, and to the latest period)."""
    figures = indicator_figures(user, community, [indicator], priority_group=priority_group)[
        indicator.pk
    ]
    areas = figures.areas
    chosen = period if period in figures.periods else figures.latest
    selection = Selection(
        age if age in indicator_splits(indicator) else "",
        sex if indicator.by_sex and sex in SEXES else "",
    )
    region_area = areas.region(region) if region else None
    rows: list[Figure] = []
    community_figure = None
    if chosen is not None:
        rows = figures.compared(areas.chart_order(region_area), chosen, selection)
        community_figure = figures.figure(areas.community, chosen, selection)
    trend_areas = [areas.community] + ([region_area] if region_area else [])
    return IndicatorPage(
        indicator=indicator,
        figures=figures,
        period=chosen,
        selection=selection,
        region=region_area,
        priority_group=priority_group,
        rows=rows,
        community=community_figure,
        trend_periods=figures.periods,
        trends=[(a, figures.trend(a, selection, figures.periods)) for a in trend_areas],
    )


def csv_rows(page: IndicatorPage) -> Iterable[list[Any]]:
    """The page's selection for every period and area, as shown on the page (suppressed)."""
    indicator, figures = page.indicator, page.figures
    areas = [figures.areas.community, *figures.areas.chart_order(page.region)]
    group = dict(PriorityGroup.choices).get(page.priority_group, _("Alle"))
    yield [
        _("Indikator"),
        _("Periode"),
        _("Område"),
        _("Type"),
        _("Kommunenummer"),
        _("Region"),
        _("Aldersgruppe"),
        _("Kjønn"),
        _("Prioritert gruppe"),
        _("Teller"),
        _("Nevner"),
        _("Verdi"),
        _("Nedre grense (95 %)"),
        _("Øvre grense (95 %)"),
        _("Enhet"),
        _("Standardisert"),
        _("Sammenlignet med fellesskapet"),
    ]
    kinds = {COMMUNITY: _("Fellesskapet"), REGION: _("Region"), MUNICIPALITY: _("Kommune")}
    for period in figures.periods:
        for f in figures.compared(areas, period, page.selection):
            shown = f.is_shown
            yield [
                indicator.code,
                period,
                f.area.name,
                kinds[f.area.kind],
                f.area.number,
                f.area.region_name,
                age_label(page.selection.age),
                sex_label(page.selection.sex),
                group,
                f.shown_numerator,
                f.shown_denominator,
                charts.number(f.value, 2) if shown else f.short_text(),
                charts.number(f.low, 2) if shown and f.low is not None else "",
                charts.number(f.high, 2) if shown and f.high is not None else "",
                indicator.unit,
                _("ja") if f.standardised else "",
                f.comparison_text,
            ]


# --- The action plan: indicators linked to a measure or a goal -----------------------------------


def linked_indicators(
    user: Any, community: Community, lineages: Iterable[UUID | str]
) -> list[Indicator]:
    wanted = {str(lineage) for lineage in lineages}
    return [
        i
        for i in community_indicators(user, community)
        if wanted & {str(x) for x in i.measure_lineages or []}
    ]


def measure_cards(user: Any, measure: Measure) -> list[Card]:
    """The indicators that should move this measure (or its goal): latest values and trend."""
    community = measure.version.plan.community
    lineages = [measure.lineage, measure.goal.lineage]
    return cards(user, community, linked_indicators(user, community, lineages))


def measure_panels(user: Any, measure: Measure) -> list[Panel]:
    """The action plan's measure page asks this (through `core.pages`)."""
    found = measure_cards(user, measure)
    if not found:
        return []
    community = measure.version.plan.community
    return [
        Panel(
            order=50,
            title=_("Styringsinformasjon"),
            template="indicators/_measure_panel.html",
            context={"cards": found, "community": community},
        )
    ]


def plan_link_choices(community: Community) -> list[tuple[str, str]]:
    """The goals and measures of the community's current plans, in plan order, as choices of
    the definitions' link field (by lineage, so a link survives the plan's revisions)."""
    goals = Goal.objects.filter(
        version__plan__community=community, version__is_current=True
    ).order_by("version__plan_id", "order", "pk")
    measures: dict[int, list[Measure]] = defaultdict(list)
    for m in plan_selectors.current_measures(community).order_by("order", "pk"):
        measures[m.goal_id].append(m)
    choices = []
    for goal in goals:
        choices.append(
            (
                str(goal.lineage),
                _("Mål %(code)s: %(title)s") % {"code": goal.code, "title": goal.title[:70]},
            )
        )
        choices += [
            (str(m.lineage), _("Tiltak %(code)s: %(text)s") % {"code": m.code, "text": m.text[:70]})
            for m in measures[goal.pk]
        ]
    return choices


def linked_plan_items(community: Community, lineages: Iterable[str]) -> list[Goal | Measure]:
    """The goals and measures of the current plans an indicator is linked to (for its page)."""
    wanted = [UUID(str(x)) for x in lineages if _is_uuid(x)]
    if not wanted:
        return []
    goals = list(
        Goal.objects.filter(
            version__plan__community=community, version__is_current=True, lineage__in=wanted
        ).select_related("version__plan__community")
    )
    measures = list(
        plan_selectors.current_measures(community)
        .filter(lineage__in=wanted)
        .select_related("version__plan__community")
    )
    return [*goals, *measures]


def _is_uuid(value: Any) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True
