"""Reads of action plans: the tree with statuses and filters, "our measures", the timeline, the
progress summary and the difference between two versions. Each in a fixed number of queries.

Which plans, versions and status reports a user sees is the policies' rule (`visible_to`); the
reads here only shape what the user may see."""

import datetime
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db.models import Case, Prefetch, QuerySet, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from helsefellesskap.organisation.models import Body, Community

from . import policies
from .models import ActionPlan, FocusArea, Goal, Measure, MeasureYear, PlanVersion, StatusReport

Status = StatusReport.Status
NOT_REPORTED = "not_reported"  # a measure without a (visible) status report
OVERDUE = "overdue"  # the count of overdue measures in a progress row
STATUS_LABELS: dict[str, str | Promise] = {
    NOT_REPORTED: _("Ikke rapportert"),
    **dict(Status.choices),
}
STATUS_COLORS: dict[str, str] = {NOT_REPORTED: "neutral", **StatusReport.COLORS}


def visible_versions(user: Any, plan: ActionPlan) -> QuerySet[PlanVersion]:
    """The versions of the plan the user may see, newest first."""
    return (
        PlanVersion.objects.visible_to(user)
        .filter(plan=plan)
        .select_related("recommended_by", "adopted_by")
        .order_by("-number")
    )


def plans_for(user: Any, community: Community) -> QuerySet[ActionPlan]:
    """The community's plans the user may see, each with its current version as `cur`."""
    return ActionPlan.objects.visible_to(user, community).prefetch_related(
        Prefetch("versions", queryset=PlanVersion.objects.filter(is_current=True), to_attr="cur")
    )


def current_measures(community: Community) -> QuerySet[Measure]:
    """The measures of the community's current plans (for links from cases and deviations)."""
    return Measure.objects.filter(
        version__plan__community=community, version__is_current=True
    ).select_related("version__plan")


def current_measure_choices(community: Community) -> list[tuple[str, str]]:
    """The current measures as choices of a form field, by lineage: «1 a) Text …»."""
    return [
        (str(m.lineage), f"{m.code} {m.text[:70]}")
        for m in current_measures(community).order_by("order")
    ]


def latest_reports(
    user: Any, plan: ActionPlan, lineages: Iterable[UUID] | None = None
) -> dict[UUID, StatusReport]:
    """The latest status report the user may see of each measure lineage of the plan."""
    reports = (
        StatusReport.objects.visible_to(user)
        .filter(plan=plan)
        .select_related("body", "reported_by")
    )
    if lineages is not None:
        reports = reports.filter(lineage__in=list(lineages))
    latest: dict[UUID, StatusReport] = {}
    for report in reports.order_by("lineage", "-reported_on", "-created_at", "-id"):
        latest.setdefault(report.lineage, report)
    return latest


def _measures(version: PlanVersion) -> QuerySet[Measure]:
    return (
        Measure.objects.filter(version=version)
        .select_related("goal__focus_area", "version__plan__community")
        .prefetch_related(
            "responsible_bodies",
            Prefetch("years", queryset=MeasureYear.objects.order_by("year")),
        )
        .order_by("order")
    )


def annotate_status(user: Any, measures: list[Measure], plan: ActionPlan) -> list[Measure]:
    """Give each measure `.report` (the latest status report the user may see, or None),
    `.status` and `.is_overdue`: its last year has passed and it is neither completed nor
    cancelled."""
    today = timezone.localdate()
    reports = latest_reports(user, plan, {m.lineage for m in measures})
    for measure in measures:
        measure.report = reports.get(measure.lineage)
        measure.status = measure.report.status if measure.report else NOT_REPORTED
        measure.status_label = STATUS_LABELS[measure.status]
        measure.status_color = STATUS_COLORS[measure.status]
        years = [y.year for y in measure.years.all()]
        measure.year_list = years
        measure.last_year = max(years) if years else None
        measure.is_overdue = (
            measure.last_year is not None
            and measure.last_year < today.year
            and measure.status not in StatusReport.CLOSED
        )
    return measures


@dataclass
class Filters:
    focus_area: str = ""
    body: int | None = None
    priority_group: str = ""
    year: int | None = None
    status: str = ""
    overdue: bool = False
    query: str = ""

    @property
    def active(self) -> bool:
        return any(
            [
                self.focus_area,
                self.body,
                self.priority_group,
                self.year,
                self.status,
                self.overdue,
                self.query,
            ]
        )

    def matches(self, measure: Measure) -> bool:
        if self.focus_area and measure.goal.focus_area.code != self.focus_area:
            return False
        if self.body and self.body not in {b.pk for b in measure.responsible_bodies.all()}:
            return False
        if self.priority_group and self.priority_group not in measure.priority_groups:
            return False
        if self.year and self.year not in measure.year_list:
            return False
        if self.status and measure.status != self.status:
            return False
        if self.overdue and not measure.is_overdue:
            return False
        if self.query:
            haystack = f"{measure.code} {measure.text} {measure.goal.title}".lower()
            if self.query.lower() not in haystack:
                return False
        return True


@dataclass
class GoalNode:
    goal: Goal
    measures: list[Measure] = field(default_factory=list)


@dataclass
class AreaNode:
    area: FocusArea
    goals: list[GoalNode] = field(default_factory=list)

    @property
    def measure_count(self) -> int:
        return sum(len(g.measures) for g in self.goals)


def plan_tree(
    user: Any, version: PlanVersion, filters: Filters | None = None
) -> tuple[list[AreaNode], int]:
    """The version as focus areas → goals → measures (with status), filtered. Goals without a
    matching measure are left out when a filter is active. Returns the tree and the number of
    matching measures."""
    filters = filters or Filters()
    measures = measures_with_status(user, version)
    areas: OrderedDict[int, AreaNode] = OrderedDict(
        (area.pk, AreaNode(area=area)) for area in version.focus_areas.order_by("order")
    )
    goals: OrderedDict[int, GoalNode] = OrderedDict()
    for goal in version.goals.order_by("order"):
        goals[goal.pk] = GoalNode(goal=goal)
    matched = 0
    for measure in measures:
        if filters.matches(measure):
            goals[measure.goal_id].measures.append(measure)
            matched += 1
    for node in goals.values():
        if node.measures or not filters.active:
            areas[node.goal.focus_area_id].goals.append(node)
    tree = [a for a in areas.values() if a.goals or not filters.active]
    return tree, matched


def measures_with_status(user: Any, version: PlanVersion) -> list[Measure]:
    return annotate_status(user, list(_measures(version)), version.plan)


def measure_in(user: Any, version: PlanVersion, lineage: UUID) -> Measure | None:
    """The measure of `lineage` in `version`, else in the newest version of the plan that has it
    and the user may see."""
    return (
        Measure.objects.visible_to(user)
        .filter(version__plan=version.plan_id, lineage=lineage)
        .select_related("goal__focus_area", "version__plan__community")
        .prefetch_related("responsible_bodies", "years")
        .order_by(Case(When(version=version, then=0), default=1), "-version__number")
        .first()
    )


def measure_history(user: Any, measure: Measure) -> list[StatusReport]:
    """The status reports of the measure (in every version) the user may see, newest first."""
    return list(
        StatusReport.objects.visible_to(user)
        .filter(plan=measure.version.plan, lineage=measure.lineage)
        .select_related("body", "reported_by")
        .order_by("-reported_on", "-created_at", "-id")
    )


def measure_versions(user: Any, measure: Measure) -> list[Measure]:
    """The measure in every version the user may see, newest first."""
    return list(
        Measure.objects.visible_to(user)
        .filter(version__plan=measure.version.plan, lineage=measure.lineage)
        .select_related("version")
        .order_by("-version__number")
    )


def measures_for_body(user: Any, body: Body, version: PlanVersion) -> list[Measure]:
    return [m for m in measures_with_status(user, version) if body in m.responsible_bodies.all()]


def bodies_of_user(user: Any, community: Community) -> list[Body]:
    """Bodies where the user holds a current seat that may report status."""
    ids = policies.acting_body_ids(user, community)
    if not ids:
        return []
    return list(Body.objects.filter(community=community, pk__in=ids))


# --- Timeline and progress ----------------------------------------------------------------------


def timeline(user: Any, version: PlanVersion) -> tuple[list[int], list[Measure]]:
    """The plan's years (the period, widened to every year a measure runs) and the measures."""
    measures = measures_with_status(user, version)
    years = set(version.plan.years)
    for measure in measures:
        years.update(measure.year_list)
    return sorted(years), measures


STATUS_ORDER: list[str] = [NOT_REPORTED, *Status.values]


@dataclass
class ProgressRow:
    label: str
    counts: Counter[str]
    total: int = 0

    @property
    def completed(self) -> int:
        return self.counts.get(Status.COMPLETED, 0)

    @property
    def overdue(self) -> int:
        return self.counts.get(OVERDUE, 0)

    @property
    def completed_percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0

    def cells(self) -> list[int]:
        """The count of each status, in STATUS_ORDER, for the table."""
        return [self.counts.get(status, 0) for status in STATUS_ORDER]

    def bar(self, width: int = 200) -> list[dict[str, Any]]:
        """The stacked bar: one segment per status with its x and width."""
        segments: list[dict[str, Any]] = []
        x = 0.0
        for status in STATUS_ORDER:
            n = self.counts.get(status, 0)
            if n and self.total:
                w = width * n / self.total
                segments.append({"status": status, "n": n, "x": round(x, 1), "w": round(w, 1)})
                x += w
        return segments


@dataclass
class StatusSummary:
    """What the status report for ASU holds, as PDF or spreadsheet."""

    plan: ActionPlan
    version: PlanVersion
    today: datetime.date
    measures: list[Measure]
    progress: dict[str, list[ProgressRow]]


def status_summary(user: Any, version: PlanVersion) -> StatusSummary:
    measures = measures_with_status(user, version)
    return StatusSummary(
        plan=version.plan,
        version=version,
        today=timezone.localdate(),
        measures=measures,
        progress=progress(user, version, measures),
    )


def progress(
    user: Any, version: PlanVersion, measures: list[Measure] | None = None
) -> dict[str, list[ProgressRow]]:
    """Status counts by focus area, by responsible body and by year (of `measures`, when the
    caller has them already)."""
    if measures is None:
        measures = measures_with_status(user, version)
    by_area: OrderedDict[str, ProgressRow] = OrderedDict()
    by_body: dict[str, ProgressRow] = {}
    by_year: dict[int, ProgressRow] = {}
    for area in version.focus_areas.order_by("order"):
        by_area[area.code] = ProgressRow(label=f"{area.code} {area.title}", counts=Counter())

    def count(row: ProgressRow, measure: Measure) -> None:
        row.counts[measure.status] += 1
        row.total += 1
        if measure.is_overdue:
            row.counts[OVERDUE] += 1

    for measure in measures:
        count(by_area[measure.goal.focus_area.code], measure)
        bodies = list(measure.responsible_bodies.all())
        for body in bodies:
            count(
                by_body.setdefault(str(body), ProgressRow(label=str(body), counts=Counter())),
                measure,
            )
        if not bodies:
            label = measure.responsible_text or "–"
            count(by_body.setdefault(label, ProgressRow(label=label, counts=Counter())), measure)
        for year in measure.year_list:
            count(by_year.setdefault(year, ProgressRow(label=str(year), counts=Counter())), measure)
    total = ProgressRow(label="", counts=Counter())
    for measure in measures:
        count(total, measure)
    return {
        "total": [total],
        "areas": list(by_area.values()),
        "bodies": sorted(by_body.values(), key=lambda r: r.label),
        "years": [by_year[y] for y in sorted(by_year)],
    }
