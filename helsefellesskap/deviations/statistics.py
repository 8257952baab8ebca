"""Deviation statistics and the annual report to ASU: pure reads.

Everything is counted in the database (`values(...).annotate(Count(...))`, `TruncMonth`), for the
chosen year and the year before in the same query, so a page costs a fixed number of queries
whatever the volume. The one thing computed in Python is answer time in Norwegian working days:
we fetch only (reported on, answered on, deadline) of the answered deviations of the two years,
as local dates converted by the database, and count working days with a cumulative table (one
pass over the calendar, then one subtraction per deviation). With 20,000 deviations in a
community (10,000 a year) `year_statistics` takes about 80 ms on PostgreSQL, 30 ms of it for the
answer times.

Small numbers: with `suppress=True`, a count of 1–4 in a row that is a single municipality (a
party of kind municipality, or a unit of one) is shown as «under 5» (primary suppression), and
so is, as «prikket», whatever would let it be worked out: another row, or the year's total
(secondary suppression, `core.suppression`). The six breakdowns of a year are one table for
that purpose: each is an equation «rows = total», and a total shown as the same number in
several breakdowns (and in the summary) is one cell, so hiding it in one hides it in all. A
hidden figure gets no bar in the charts, no change against last year, and ranked rows that are
hidden come last by name, so neither a bar nor a position tells its size.
"""

import datetime
import statistics as pystats
from dataclasses import dataclass, field
from typing import Any, TypedDict

from django.db.models import Count, Min, Q
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helsefellesskap.actionplan.selectors import current_measures
from helsefellesskap.core.periods import year_bounds
from helsefellesskap.core.suppression import (
    SECONDARY_EXPLANATION,
    Group,
    Reason,
    hidden_label,
    suppression,
)
from helsefellesskap.core.workdays import is_working_day, working_days_between
from helsefellesskap.organisation.models import Party, Unit

from .models import DIRECTIONS, Category, Deviation, Theme, direction_of

SMALL_NUMBER_LIMIT = 5  # counts 1 .. SMALL_NUMBER_LIMIT - 1 are suppressed
MUNICIPALITY = Party.Kind.MUNICIPALITY

# Chart geometry (SVG user units); the templates only place what is computed here.
BAR_CHART_WIDTH = 400
BAR_MAX = 330
BAR_ROW_HEIGHT = 40
LABEL_CHARS = 46
COLUMN_SLOT = 40
COLUMN_TOP = 22
COLUMN_HEIGHT = 130


def suppressed_label() -> str:
    return hidden_label(Reason.PRIMARY, SMALL_NUMBER_LIMIT)


def _shown(value: int, hidden: Reason | None) -> str:
    return str(value) if hidden is None else hidden_label(hidden, SMALL_NUMBER_LIMIT)


def change_text(current: int, previous: int) -> str:
    """'+9 %', '−5 %', '0 %'; empty when there is nothing to compare with."""
    if not previous:
        return ""
    percent = round((current - previous) * 100 / previous)
    if percent > 0:
        return f"+{percent}\u00a0%"
    if percent < 0:
        return f"\u2212{-percent}\u00a0%"
    return "0\u00a0%"


# --- Results -------------------------------------------------------------------------------------


@dataclass
class Row:
    key: object
    label: str
    count: int = 0
    previous: int = 0
    municipal: bool = False  # a single municipality, or a unit of one: subject to suppression
    short: str = ""  # the label under a column (months)
    last: bool = False  # stays at the end of a ranked breakdown («no unit given»)
    hidden: Reason | None = None
    previous_hidden: Reason | None = None
    # Chart geometry, filled in by Series.layout()
    bar: int = 0
    y: int = 0
    x: int = 0
    height: int = 0
    previous_y: int = 0
    previous_height: int = 0

    @property
    def suppressed(self) -> bool:
        return self.hidden is not None

    @property
    def previous_suppressed(self) -> bool:
        return self.previous_hidden is not None

    @property
    def shown(self) -> str:
        return _shown(self.count, self.hidden)

    @property
    def previous_shown(self) -> str:
        return _shown(self.previous, self.previous_hidden)

    @property
    def change(self) -> str:
        if self.suppressed or self.previous_suppressed:
            return ""
        return change_text(self.count, self.previous)

    @property
    def short_label(self) -> str:
        return Truncator(self.label).chars(LABEL_CHARS)


@dataclass
class Series:
    """One breakdown (by category, by month …): rows with this year's and last year's counts,
    and the geometry of its bar chart."""

    key: str
    title: str
    column: str  # the heading of the label column
    rows: list[Row]
    columns: bool = False  # a column chart over time (months) instead of horizontal bars
    ranked: bool = False  # rows largest first (parties, units) rather than in a fixed order
    bar_max: int = BAR_MAX  # the length of the longest bar
    column_max: int = COLUMN_HEIGHT  # the height of the highest column
    width: int = BAR_CHART_WIDTH
    height: int = 0
    total_hidden: Reason | None = None
    previous_total_hidden: Reason | None = None

    @property
    def total(self) -> int:
        return sum(r.count for r in self.rows)

    @property
    def previous_total(self) -> int:
        return sum(r.previous for r in self.rows)

    @property
    def total_shown(self) -> str:
        return _shown(self.total, self.total_hidden)

    @property
    def previous_total_shown(self) -> str:
        return _shown(self.previous_total, self.previous_total_hidden)

    @property
    def change(self) -> str:
        if self.total_hidden or self.previous_total_hidden:
            return ""
        return change_text(self.total, self.previous_total)

    @property
    def has_suppressed(self) -> bool:
        return any(r.suppressed or r.previous_suppressed for r in self.rows) or bool(
            self.total_hidden or self.previous_total_hidden
        )

    @property
    def has_secondary(self) -> bool:
        secondary = Reason.SECONDARY
        return any(secondary in (r.hidden, r.previous_hidden) for r in self.rows) or (
            secondary in (self.total_hidden, self.previous_total_hidden)
        )

    def layout(self) -> "Series":
        """Bar lengths scaled to the largest figure that is shown; a suppressed figure gets no
        bar (its length would tell the number)."""
        if self.columns:
            shown = [r.count for r in self.rows if not r.suppressed]
            shown += [r.previous for r in self.rows if not r.previous_suppressed]
        else:
            shown = [r.count for r in self.rows if not r.suppressed]
        top = max(shown, default=0)
        if self.columns:
            self.width = COLUMN_SLOT * len(self.rows)
            self.height = COLUMN_TOP + COLUMN_HEIGHT + 24
            base = COLUMN_TOP + COLUMN_HEIGHT
            for i, row in enumerate(self.rows):
                row.x = i * COLUMN_SLOT
                row.height = _scaled(row.count, top, COLUMN_HEIGHT, row.suppressed)
                row.y = base - row.height
                row.previous_height = _scaled(
                    row.previous, top, COLUMN_HEIGHT, row.previous_suppressed
                )
                row.previous_y = base - row.previous_height
        else:
            self.height = max(BAR_ROW_HEIGHT * len(self.rows), BAR_ROW_HEIGHT)
            for i, row in enumerate(self.rows):
                row.y = i * BAR_ROW_HEIGHT
                row.bar = _scaled(row.count, top, BAR_MAX, row.suppressed)
        return self


def _scaled(n: int, top: int, full: int, hidden: bool) -> int:
    if hidden or not n or not top:
        return 0
    return max(1, round(n * full / top))


@dataclass
class AnswerTimes:
    answered: int = 0
    within_deadline: int = 0
    median_days: float | None = None

    @property
    def share_within(self) -> int | None:
        if not self.answered:
            return None
        return round(self.within_deadline * 100 / self.answered)


@dataclass
class ThemeRow:
    pk: int
    title: str
    status: str
    status_label: str
    count: int
    total: int
    follow_up: str
    measure: str = ""


@dataclass
class YearStatistics:
    community: object
    year: int
    suppress: bool
    today: datetime.date
    by_category: Series
    by_direction: Series
    by_month: Series
    by_reporting_party: Series
    by_concerned_party: Series
    by_unit: Series
    answers: AnswerTimes
    previous_answers: AnswerTimes
    open_now: int
    overdue_now: int
    themes: list[ThemeRow] = field(default_factory=list)

    @property
    def previous_year(self) -> int:
        return self.year - 1

    @property
    def total(self) -> int:
        return self.by_category.total

    @property
    def previous_total(self) -> int:
        return self.by_category.previous_total

    @property
    def total_shown(self) -> str:
        return self.by_category.total_shown

    @property
    def previous_total_shown(self) -> str:
        return self.by_category.previous_total_shown

    @property
    def change(self) -> str:
        return self.by_category.change

    @property
    def series(self) -> list[Series]:
        """The breakdowns in the order the page and the report show them."""
        return [
            self.by_category,
            self.by_direction,
            self.by_month,
            self.by_reporting_party,
            self.by_concerned_party,
            self.by_unit,
        ]

    @property
    def has_suppressed(self) -> bool:
        return any(s.has_suppressed for s in self.series)

    @property
    def has_secondary(self) -> bool:
        return any(s.has_secondary for s in self.series)

    @property
    def secondary_explanation(self) -> str:
        return str(SECONDARY_EXPLANATION)


# --- Working days for many pairs -----------------------------------------------------------------


class WorkingDayCounter:
    """`working_days_between` for many date pairs: a cumulative count of working days per date
    from `first` on, extended on demand, so each pair costs one subtraction."""

    def __init__(self, first: datetime.date):
        self._origin = first.toordinal()
        self._cumulative = [0]  # working days in (first, first + i]

    def _index(self, day: datetime.date) -> int:
        i = day.toordinal() - self._origin
        cumulative = self._cumulative
        while len(cumulative) <= i:
            next_day = datetime.date.fromordinal(self._origin + len(cumulative))
            cumulative.append(cumulative[-1] + is_working_day(next_day))
        return i

    def between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after `start` up to and including `end` (negative when end is earlier)."""
        if start.toordinal() < self._origin or end.toordinal() < self._origin:
            return working_days_between(start, end)  # rare: slow, but right
        return self._cumulative[self._index(end)] - self._cumulative[self._index(start)]


# --- Reading -------------------------------------------------------------------------------------


def first_year(community) -> int | None:
    """The year of the community's first deviation (for the year selector)."""
    first = Deviation.objects.filter(community=community).aggregate(first=Min("reported_at"))[
        "first"
    ]
    return timezone.localtime(first).year if first else None


def year_statistics(
    community, year: int, *, suppress: bool, today: datetime.date | None = None
) -> YearStatistics:
    """All figures for `community` in `year` (reported in that year), with the year before for
    trends; open and overdue are counted now. Eight to ten queries, whatever the volume."""
    today = today or timezone.localdate()
    start, end = year_bounds(year)
    previous_start, _previous_end = year_bounds(year - 1)
    deviations = Deviation.objects.filter(
        community=community, reported_at__gte=previous_start, reported_at__lt=end
    ).order_by()
    this_year = Q(reported_at__gte=start)
    last_year = Q(reported_at__lt=start)
    counts = {
        "n": Count("pk", filter=this_year),
        "p": Count("pk", filter=last_year),
    }

    result = YearStatistics(
        community=community,
        year=year,
        suppress=suppress,
        today=today,
        by_category=_by_category(community, deviations, counts),
        by_month=_by_month(deviations, year),
        **_by_parties(community, deviations, counts),
        **_answer_times(deviations, start),
        **_open_now(community, today),
        themes=_themes(community, start, end),
    )
    if suppress:
        _suppress(result.series)
    for series in result.series:
        if series.ranked:
            series.rows = _ranked(series.rows)
        series.layout()
    return result


COLUMNS = ("count", "previous")  # this year's and last year's figures


def _suppress(breakdowns: list[Series]) -> None:
    """Hide the small municipal counts, and whatever would tell them, in every breakdown.

    Each breakdown and year is an equation: its rows add up to its total. The total is keyed by
    its value, not by the breakdown: every breakdown of a year has the same total, shown in the
    summary too, so it is one cell of the table (if two breakdowns ever disagreed, both totals
    would still be protected, just as two cells)."""
    counts: dict[tuple[object, ...], int] = {}
    groups: list[Group[tuple[object, ...]]] = []
    municipal: set[tuple[object, ...]] = set()
    for series in breakdowns:
        for column, total_count in zip(COLUMNS, (series.total, series.previous_total), strict=True):
            total = (column, "total", total_count)
            counts[total] = total_count
            parts = []
            for row in series.rows:
                key = (column, series.key, row.key)
                counts[key] = getattr(row, column)
                parts.append(key)
                if row.municipal:
                    municipal.add(key)
            groups.append(Group(total, frozenset(parts)))
    found = suppression(counts, groups, SMALL_NUMBER_LIMIT, sensitive=municipal)
    for series in breakdowns:
        series.total_hidden = found.reason(("count", "total", series.total))
        series.previous_total_hidden = found.reason(("previous", "total", series.previous_total))
        for row in series.rows:
            row.hidden = found.reason(("count", series.key, row.key))
            row.previous_hidden = found.reason(("previous", series.key, row.key))


def _by_category(community, deviations, counts) -> Series:
    found = {r["category_id"]: r for r in deviations.values("category_id").annotate(**counts)}
    rows = []
    for pk, name, active in Category.objects.filter(community=community).values_list(
        "pk", "name", "is_active"
    ):
        r = found.pop(pk, None)
        if r or active:  # every category in use, and the retired ones that still have reports
            rows.append(Row(pk, name, r["n"] if r else 0, r["p"] if r else 0))
    return Series("category", _("Etter kategori"), _("Kategori"), rows)


def _by_month(deviations, year: int) -> Series:
    per_month = {}
    for r in (
        deviations.annotate(month=TruncMonth("reported_at")).values("month").annotate(n=Count("pk"))
    ):
        month = timezone.localtime(r["month"]) if timezone.is_aware(r["month"]) else r["month"]
        per_month[(month.year, month.month)] = r["n"]
    rows = [
        Row(
            m,
            str(MONTHS[m]).capitalize(),
            per_month.get((year, m), 0),
            per_month.get((year - 1, m), 0),
            short=str(MONTHS_3[m]),
        )
        for m in range(1, 13)
    ]
    return Series("month", _("Etter måned"), _("Måned"), rows, columns=True)


class PartySeries(TypedDict):
    by_direction: Series
    by_reporting_party: Series
    by_concerned_party: Series
    by_unit: Series


class Answers(TypedDict):
    answers: AnswerTimes
    previous_answers: AnswerTimes


class OpenNow(TypedDict):
    open_now: int
    overdue_now: int


def _by_parties(community, deviations, counts) -> PartySeries:
    """Direction, reporting party, concerned party and concerned unit from one query grouped on
    ids only (grouping on joined names is several times slower), then the names of the parties
    and of the units that occur."""
    groups = list(
        deviations.values(
            "by_gp", "reporting_party_id", "concerned_party_id", "concerned_unit_id"
        ).annotate(**counts)
    )
    parties = {
        pk: (name, kind)
        for pk, name, kind in Party.objects.filter(community=community).values_list(
            "pk", "name", "kind"
        )
    }
    unit_ids = {g["concerned_unit_id"] for g in groups} - {None}
    unit_names = (
        {
            pk: (f"{name} ({party})", kind == MUNICIPALITY)
            for pk, name, party, kind in Unit.objects.filter(pk__in=unit_ids).values_list(
                "pk", "name", "party__name", "party__kind"
            )
        }
        if unit_ids
        else {}
    )
    directions = {key: Row(key, str(label)) for key, label in DIRECTIONS.items()}
    reporting: dict[Any, Row] = {}
    concerned: dict[Any, Row] = {}
    units: dict[Any, Row] = {}
    no_unit = Row(None, _("Ingen enhet oppgitt"), last=True)

    def add(table, key, label, municipal, g):
        row = table.get(key)
        if row is None:
            row = table[key] = Row(key, label, municipal=municipal)
        row.count += g["n"]
        row.previous += g["p"]

    user_reps = (_("Brukerrepresentant"), "")  # a report by a user representative of no party
    for g in groups:
        reporting_name, reporting_kind = parties.get(g["reporting_party_id"], user_reps)
        concerned_name, concerned_kind = parties[g["concerned_party_id"]]
        add(directions, direction_of(reporting_kind, concerned_kind, g["by_gp"]), "", False, g)
        add(
            reporting,
            g["reporting_party_id"],
            reporting_name,
            reporting_kind == MUNICIPALITY,
            g,
        )
        add(concerned, g["concerned_party_id"], concerned_name, concerned_kind == MUNICIPALITY, g)
        if g["concerned_unit_id"]:
            label, municipal = unit_names[g["concerned_unit_id"]]
            add(units, g["concerned_unit_id"], label, municipal, g)
        else:
            no_unit.count += g["n"]
            no_unit.previous += g["p"]
    unit_rows = list(units.values())
    if no_unit.count or no_unit.previous:
        unit_rows.append(no_unit)
    return PartySeries(
        by_direction=Series(
            "direction", _("Etter retning"), _("Retning"), list(directions.values())
        ),
        by_reporting_party=Series(
            "reporting",
            _("Etter meldende part"),
            _("Part"),
            list(reporting.values()),
            ranked=True,
        ),
        by_concerned_party=Series(
            "concerned",
            _("Etter part avviket gjelder"),
            _("Part"),
            list(concerned.values()),
            ranked=True,
        ),
        by_unit=Series(
            "unit", _("Etter enhet avviket gjelder"), _("Enhet"), unit_rows, ranked=True
        ),
    )


def _ranked(rows: list[Row]) -> list[Row]:
    """Largest first, then by name. Hidden rows come after the shown ones, by name among
    themselves, so their place tells nothing about their size; «no unit given» comes last."""
    return sorted(
        rows,
        key=lambda r: (r.last, r.suppressed, 0 if r.suppressed else -r.count, r.label),
    )


def _answer_times(deviations, start: datetime.datetime) -> Answers:
    """Answered deviations (those with an answer, whatever happened after) of each year: how many,
    how many by the deadline, and the median number of working days from report to answer.
    The database turns the times into local dates: parsing dates is far cheaper than parsing
    time-zone-aware timestamps."""
    triples = deviations.filter(answered_at__isnull=False).values_list(
        TruncDate("reported_at"), TruncDate("answered_at"), "deadline"
    )
    first_day = start.date()
    days: dict[bool, list[int]] = {True: [], False: []}
    within = {True: 0, False: 0}
    between = WorkingDayCounter(datetime.date(first_day.year - 1, 1, 1)).between
    for reported_on, answered_on, deadline in triples:
        current = reported_on >= first_day
        days[current].append(between(reported_on, answered_on))
        within[current] += answered_on <= deadline
    return Answers(
        answers=AnswerTimes(
            len(days[True]), within[True], pystats.median(days[True]) if days[True] else None
        ),
        previous_answers=AnswerTimes(
            len(days[False]), within[False], pystats.median(days[False]) if days[False] else None
        ),
    )


def _open_now(community, today: datetime.date) -> OpenNow:
    """Open cases (the states in which the deadline runs) and those of them past the deadline."""
    found = Deviation.objects.filter(
        community=community, state__in=Deviation.OPEN_STATES
    ).aggregate(
        open_now=Count("pk"),
        overdue_now=Count("pk", filter=Q(deadline__lt=today)),
    )
    return OpenNow(open_now=found["open_now"], overdue_now=found["overdue_now"])


def _themes(community, start, end) -> list[ThemeRow]:
    """Themes with deviations reported in the year, created in the year, or still not closed."""
    in_year = Q(deviations__reported_at__gte=start, deviations__reported_at__lt=end)
    themes = list(
        Theme.objects.filter(community=community)
        .annotate(n=Count("deviations", filter=in_year), total=Count("deviations"))
        .filter(
            Q(n__gt=0)
            | Q(created_at__gte=start, created_at__lt=end)
            | ~Q(status=Theme.Status.CLOSED)
        )
        .order_by("-n", "title")
        .values("pk", "title", "status", "n", "total", "follow_up", "measure_lineage")
    )
    measures = _measures(community, {t["measure_lineage"] for t in themes} - {None})
    return [
        ThemeRow(
            pk=t["pk"],
            title=t["title"],
            status=t["status"],
            status_label=str(Theme.Status(t["status"]).label),
            count=t["n"],
            total=t["total"],
            follow_up=t["follow_up"],
            measure=measures.get(t["measure_lineage"], ""),
        )
        for t in themes
    ]


def _measures(community, lineages: set) -> dict:
    """'1 a) Text …' of the current version of each linked measure (one query, only if any)."""
    if not lineages:
        return {}
    found = (
        current_measures(community)
        .filter(lineage__in=lineages)
        .values_list("lineage", "code", "text")
    )
    return {lineage: f"{code} {Truncator(text).words(12)}" for lineage, code, text in found}


# --- De-identified rows for the secretariat ------------------------------------------------------

CSV_HEADER = (
    gettext_lazy("Nummer"),
    gettext_lazy("Meldt (måned)"),
    gettext_lazy("Kategori"),
    gettext_lazy("Type"),
    gettext_lazy("Retning"),
    gettext_lazy("Meldende part"),
    gettext_lazy("Gjelder part"),
    gettext_lazy("Gjelder enhet"),
    gettext_lazy("Konsekvens, fysisk"),
    gettext_lazy("Konsekvens, psykisk"),
    gettext_lazy("Status"),
    gettext_lazy("Elektronisk melding"),
    gettext_lazy("Virkedager til svar"),
    gettext_lazy("Svart innen fristen"),
    gettext_lazy("Tema"),
)


def export_rows(community, year: int):
    """One row per deviation reported in `year`, without any free text: no description, no
    answer, no names of people. Yields lists of strings and numbers, header first."""
    start, end = year_bounds(year)
    # Labels as plain strings once, not a lazy translation per row.
    kinds = {k: str(v) for k, v in Deviation.Kind.choices}
    consequences = {k: str(v) for k, v in Deviation.Consequence.choices}
    states = {k: str(v) for k, v in Deviation.State.choices}
    messages = {k: str(v) for k, v in Deviation.MessageType.choices if k}
    directions = {k: str(v) for k, v in DIRECTIONS.items()}
    counter = WorkingDayCounter(start.date())
    yes, no = _("ja"), _("nei")
    yield [str(title) for title in CSV_HEADER]
    rows = (
        Deviation.objects.filter(community=community, reported_at__gte=start, reported_at__lt=end)
        .order_by("reported_at", "pk")
        .values_list(
            "number",
            TruncDate("reported_at"),
            "category__name",
            "kind",
            "reporting_party__kind",
            "concerned_party__kind",
            "by_gp",
            "reporting_party__name",
            "concerned_party__name",
            "concerned_unit__name",
            "consequence_physical",
            "consequence_psychological",
            "state",
            "message_type",
            TruncDate("answered_at"),
            "deadline",
            "theme__title",
        )
    )
    for (
        number,
        reported_on,
        category,
        kind,
        reporting_kind,
        concerned_kind,
        by_gp,
        reporting,
        concerned,
        unit,
        physical,
        psychological,
        state,
        message_type,
        answered_on,
        deadline,
        theme,
    ) in rows.iterator(chunk_size=2000):
        yield [
            number,
            f"{reported_on:%Y-%m}",
            category,
            kinds.get(kind, kind),
            directions[direction_of(reporting_kind, concerned_kind, by_gp)],
            reporting,
            concerned,
            unit or "",
            consequences.get(physical, physical),
            consequences.get(psychological, psychological),
            states.get(state, state),
            messages.get(message_type, message_type),
            counter.between(reported_on, answered_on) if answered_on else "",
            (yes if answered_on <= deadline else no) if answered_on else "",
            theme or "",
        ]
