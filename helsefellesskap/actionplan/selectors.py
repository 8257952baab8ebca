"""Reads of action plans: the tree with statuses and filters, "our measures", the timeline, the
progress summary and the difference between two versions. Each in a fixed number of queries."""

from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helsefellesskap.core import access
from helsefellesskap.organisation.models import Body, Membership
from helsefellesskap.organisation.policies import ACTING_ROLES

from .models import ActionPlan, Measure, MeasureYear, PlanVersion, StatusReport

Status = StatusReport.Status
NOT_REPORTED = "not_reported"
STATUS_LABELS = {NOT_REPORTED: _("Ikke rapportert"), **dict(Status.choices)}
STATUS_COLORS = {NOT_REPORTED: "neutral", **StatusReport.COLORS}


def visible_versions(user, plan: ActionPlan):
    """Members see every version; the public only adopted ones (current and earlier)."""
    versions = plan.versions.select_related("recommended_by", "adopted_by").order_by("-number")
    if not access.can_view_private(user, plan.community):
        versions = versions.filter(
            status__in=[PlanVersion.Status.ADOPTED, PlanVersion.Status.RETIRED]
        )
    return versions


def plans_for(user, community):
    plans = ActionPlan.objects.filter(community=community)
    if not access.can_view_private(user, community):
        plans = plans.filter(versions__is_current=True)
    return plans.prefetch_related(
        Prefetch("versions", queryset=PlanVersion.objects.filter(is_current=True), to_attr="cur")
    ).distinct()


def latest_reports(plan: ActionPlan, lineages=None) -> dict:
    """The latest status report of each measure lineage of the plan."""
    reports = StatusReport.objects.filter(plan=plan).select_related("body", "reported_by")
    if lineages is not None:
        reports = reports.filter(lineage__in=list(lineages))
    latest: dict = {}
    for report in reports.order_by("lineage", "-reported_on", "-created_at", "-id"):
        latest.setdefault(report.lineage, report)
    return latest


def _measures(version: PlanVersion):
    return (
        Measure.objects.filter(version=version)
        .select_related("goal__focus_area", "version__plan__community")
        .prefetch_related(
            "responsible_bodies",
            Prefetch("years", queryset=MeasureYear.objects.order_by("year")),
        )
        .order_by("order")
    )


def annotate_status(measures: list[Measure], plan: ActionPlan) -> list[Measure]:
    """Give each measure `.report` (latest status report or None), `.status` and `.is_overdue`:
    its last year has passed and it is neither completed nor cancelled."""
    today = timezone.localdate()
    reports = latest_reports(plan, {m.lineage for m in measures})
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
    goal: object
    measures: list = field(default_factory=list)


@dataclass
class AreaNode:
    area: object
    goals: list = field(default_factory=list)

    @property
    def measure_count(self) -> int:
        return sum(len(g.measures) for g in self.goals)


def plan_tree(version: PlanVersion, filters: Filters | None = None) -> tuple[list[AreaNode], int]:
    """The version as focus areas → goals → measures (with status), filtered. Goals without a
    matching measure are left out when a filter is active. Returns the tree and the number of
    matching measures."""
    filters = filters or Filters()
    measures = annotate_status(list(_measures(version)), version.plan)
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


def measures_with_status(version: PlanVersion) -> list[Measure]:
    return annotate_status(list(_measures(version)), version.plan)


def measure_history(measure: Measure) -> list[StatusReport]:
    return list(
        StatusReport.objects.filter(plan=measure.version.plan, lineage=measure.lineage)
        .select_related("body", "reported_by")
        .order_by("-reported_on", "-created_at", "-id")
    )


def measure_versions(user, measure: Measure) -> list[Measure]:
    """The measure in every version the user may see, newest first."""
    plan = measure.version.plan
    return list(
        Measure.objects.filter(version__in=visible_versions(user, plan), lineage=measure.lineage)
        .select_related("version")
        .order_by("-version__number")
    )


def measures_for_body(body: Body, version: PlanVersion) -> list[Measure]:
    return [m for m in measures_with_status(version) if body in m.responsible_bodies.all()]


def bodies_of_user(user, community) -> list[Body]:
    """Bodies where the user holds a current seat that may report status."""
    if not user.is_authenticated:
        return []
    return list(
        Body.objects.filter(
            community=community,
            memberships__person__user=user,
            memberships__pk__in=Membership.objects.current().filter(role__in=ACTING_ROLES),
        ).distinct()
    )


# --- Timeline and progress ----------------------------------------------------------------------


def timeline(version: PlanVersion) -> tuple[list[int], list[Measure]]:
    """The plan's years (the period, widened to every year a measure runs) and the measures."""
    measures = measures_with_status(version)
    years = set(version.plan.years)
    for measure in measures:
        years.update(measure.year_list)
    return sorted(years), measures


STATUS_ORDER = [NOT_REPORTED, *Status.values]


@dataclass
class ProgressRow:
    label: str
    counts: Counter
    total: int = 0

    @property
    def completed(self) -> int:
        return self.counts.get(Status.COMPLETED, 0)

    @property
    def overdue(self) -> int:
        return self.counts.get("overdue", 0)

    @property
    def completed_percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0

    def cells(self) -> list[int]:
        """The count of each status, in STATUS_ORDER, for the table."""
        return [self.counts.get(status, 0) for status in STATUS_ORDER]

    def bar(self, width: int = 200) -> list[dict]:
        """The stacked bar: one segment per status with its x and width."""
        segments, x = [], 0.0
        for status in STATUS_ORDER:
            n = self.counts.get(status, 0)
            if n and self.total:
                w = width * n / self.total
                segments.append({"status": status, "n": n, "x": round(x, 1), "w": round(w, 1)})
                x += w
        return segments


def progress(version: PlanVersion, measures: list[Measure] | None = None) -> dict:
    """Status counts by focus area, by responsible body and by year (of `measures`, when the
    caller has them already)."""
    if measures is None:
        measures = measures_with_status(version)
    by_area: OrderedDict[str, ProgressRow] = OrderedDict()
    by_body: dict[str, ProgressRow] = {}
    by_year: dict[int, ProgressRow] = {}
    for area in version.focus_areas.order_by("order"):
        by_area[area.code] = ProgressRow(label=f"{area.code} {area.title}", counts=Counter())

    def count(row: ProgressRow, measure: Measure) -> None:
        row.counts[measure.status] += 1
        row.total += 1
        if measure.is_overdue:
            row.counts["overdue"] += 1

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
