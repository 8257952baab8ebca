"""Changes to action plans. Each runs in one transaction and writes the audit trail."""

import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from helsefellesskap.audit.models import AuditEntry
from helsefellesskap.audit.services import audit_record, save_audited
from helsefellesskap.organisation.models import Body, Community

from . import planfile
from .models import (
    ERROR_ADOPT_NEEDS_RECOMMENDATION,
    ERROR_WRONG_ADOPTING_BODY,
    ERROR_WRONG_RECOMMENDING_BODY,
    ActionPlan,
    FocusArea,
    Goal,
    Measure,
    MeasureYear,
    PlanVersion,
    StatusReport,
)

ERROR_NOT_EDITABLE = _(
    "Denne versjonen er vedtatt eller erstattet og kan ikke endres. Start en revisjon."
)
ERROR_DRAFT_EXISTS = _("Det finnes allerede et utkast til revisjon: %(label)s.")
ERROR_NO_CURRENT = _("Planen har ingen gjeldende versjon å revidere.")
ERROR_STATUS_IN_FUTURE = _("Statusdatoen kan ikke være fram i tid.")
ERROR_GOAL_OTHER_VERSION = _("Målet hører til en annen versjon av planen.")
ERROR_GOAL_MISSING = _("Velg målet tiltaket hører til.")
ERROR_FOCUS_AREA_MISSING = _("Velg innsatsområdet målet hører til.")
ERROR_GOAL_HAS_MEASURES = _("Målet har tiltak. Flytt eller ta ut tiltakene først.")
ERROR_OTHER_VERSION = _("Dette hører til en annen versjon av planen.")
ERROR_OTHER_COMMUNITY = _("Organet hører til et annet helsefellesskap.")
ERROR_STATUS_NOT_CURRENT = _("Status rapporteres på gjeldende versjon av planen.")
ERROR_STATUS_BODY = _("Organet er ikke ansvarlig for tiltaket.")

# The measure's fields a form edits as they are stored, and all it changes on the row (the
# responsible bodies and years are rows of their own). The forms use the same lists.
MEASURE_PLAIN_FIELDS = ["goal", "code", "text", "responsible_text", "note"]
MEASURE_FIELDS = [*MEASURE_PLAIN_FIELDS, "priority_groups", "references"]
GOAL_FIELDS = ["focus_area", "code", "title"]


class PlanImportError(Exception):
    """The plan file has errors; nothing was stored."""

    def __init__(self, errors: planfile.PlanFileErrors):
        super().__init__("; ".join(errors.as_text()))
        self.errors = errors


def _require_editable(version: PlanVersion) -> None:
    if not version.is_editable:
        raise ValidationError(ERROR_NOT_EDITABLE)


def _begin_edit(actor: Any, version: PlanVersion) -> None:
    """An edit of a recommended version takes it back to a draft: ASU recommended another
    text."""
    _require_editable(version)
    if version.status == PlanVersion.Status.RECOMMENDED:
        save_audited(
            actor=actor,
            obj=version,
            values={
                "status": PlanVersion.Status.DRAFT,
                "recommended_on": None,
                "recommended_by": None,
            },
            allowed=["status", "recommended_on", "recommended_by"],
        )


def _assert_valid(version: PlanVersion) -> None:
    """A draft must stay a plan the import format accepts (codes, references, years), or the
    next revision or re-import would fail. Run inside the edit's transaction."""
    _clean, errors = planfile.validate(planfile.version_to_data(version), version.plan.community)
    if errors:
        raise ValidationError(errors.as_text())


# --- Import --------------------------------------------------------------------------------------


def plan_import(
    *, actor: Any, community: Community, data: dict[str, Any], plan: ActionPlan | None = None
) -> PlanVersion:
    """Store a plan file as a new version: of a new plan, or of `plan` (then as a draft whose
    measures keep the lineage of the current version's measures with the same code)."""
    clean, errors = planfile.validate(data, community)
    if errors:
        raise PlanImportError(errors)
    with transaction.atomic():
        if plan is None:
            plan = ActionPlan(
                community=community,
                title=clean["title"],
                slug=_unique_slug(
                    community, f"handlingsplan-{clean['period_start']}-{clean['period_end']}"
                ),
                motto=clean["motto"],
                period_start=clean["period_start"],
                period_end=clean["period_end"],
                source=clean["source"],
            )
            plan.full_clean()
            plan.save()
            audit_record(
                actor=actor, action=AuditEntry.Action.CREATE, obj=plan, community=community
            )
            previous = None
            status = clean["version"]["status"]
        else:
            _require_no_open_draft(plan)
            previous = plan.versions.filter(is_current=True).first()
            status = PlanVersion.Status.DRAFT
            # A new version of a plan starts as a draft; decisions are recorded in the workflow.
            clean["version"].update(
                recommended_on=None, recommended_by=None, adopted_on=None, adopted_by=None
            )
        meta = clean["version"]
        version = PlanVersion.objects.create(
            plan=plan,
            number=_next_number(plan),
            label=meta["label"] or plan.title,
            status=status,
            is_current=status == PlanVersion.Status.ADOPTED,
            based_on=previous,
            recommended_on=meta["recommended_on"],
            recommended_by=meta["recommended_by"],
            adopted_on=meta["adopted_on"],
            adopted_by=meta["adopted_by"],
            note=meta["note"],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        lineages = _lineages_by_code(previous)
        _create_tree(version, clean["focus_areas"], lineages)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            obj=version,
            community=community,
            changes={"import": ["", f"{version.measures.count()} tiltak"]},
        )
    return version


def _unique_slug(community: Community, text: str) -> str:
    base = slugify(text)[:70] or "handlingsplan"
    slug, n = base, 2
    while ActionPlan.objects.filter(community=community, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _next_number(plan: ActionPlan) -> int:
    return (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1


def _lineages_by_code(version: PlanVersion | None) -> dict[str, dict[str, UUID]]:
    if version is None:
        return {"focus": {}, "goal": {}, "measure": {}}
    return {
        "focus": dict(version.focus_areas.values_list("code", "lineage")),
        "goal": dict(version.goals.values_list("code", "lineage")),
        "measure": dict(version.measures.values_list("code", "lineage")),
    }


def _create_tree(
    version: PlanVersion, areas: list[dict[str, Any]], lineages: dict[str, dict[str, UUID]]
) -> None:
    order = {"focus": 0, "goal": 0, "measure": 0}
    bodies_through = Measure.responsible_bodies.through
    links, years = [], []
    for area_data in areas:
        order["focus"] += 1
        area = FocusArea(
            version=version,
            code=area_data["code"],
            title=area_data["title"],
            description=area_data["description"],
            order=order["focus"],
        )
        if area.code in lineages["focus"]:
            area.lineage = lineages["focus"][area.code]
        area.save()
        for goal_data in area_data["goals"]:
            order["goal"] += 1
            goal = Goal(
                version=version,
                focus_area=area,
                code=goal_data["code"],
                title=goal_data["title"],
                order=order["goal"],
            )
            if goal.code in lineages["goal"]:
                goal.lineage = lineages["goal"][goal.code]
            goal.save()
            for data in goal_data["measures"]:
                order["measure"] += 1
                measure = Measure(
                    version=version,
                    goal=goal,
                    code=data["code"],
                    text=data["text"],
                    order=order["measure"],
                    responsible_text=data["responsible_text"],
                    priority_groups=data["priority_groups"],
                    references=data["references"],
                    note=data["note"],
                    documents=data["documents"],
                )
                if measure.code in lineages["measure"]:
                    measure.lineage = lineages["measure"][measure.code]
                measure.save()
                links += [bodies_through(measure=measure, body=b) for b in data["responsible"]]
                years += [
                    MeasureYear(measure=measure, year=year, note=note)
                    for year, note in sorted(data["years"].items())
                ]
    bodies_through.objects.bulk_create(links)
    MeasureYear.objects.bulk_create(years)


# --- Revisions -----------------------------------------------------------------------------------


def _require_no_open_draft(plan: ActionPlan) -> None:
    """One revision at a time: no new version while a draft or recommendation is open."""
    draft = plan.versions.filter(
        status__in=[PlanVersion.Status.DRAFT, PlanVersion.Status.RECOMMENDED]
    ).first()
    if draft:
        raise ValidationError(ERROR_DRAFT_EXISTS % {"label": draft.label})


def revision_start(*, actor: Any, plan: ActionPlan) -> PlanVersion:
    """Start the yearly revision: a draft that is a copy of the current version."""
    with transaction.atomic():
        plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
        _require_no_open_draft(plan)
        current = plan.versions.filter(is_current=True).first()
        if current is None:
            raise ValidationError(ERROR_NO_CURRENT)
        data = {
            **planfile.version_to_data(current),
            "version": {"status": PlanVersion.Status.DRAFT.value},
        }
        clean, errors = planfile.validate(data, plan.community)
        if errors:
            raise ValidationError(errors.as_text())
        year = timezone.localdate().year
        version = PlanVersion.objects.create(
            plan=plan,
            number=_next_number(plan),
            label=_("Revisjon %(year)s") % {"year": year},
            status=PlanVersion.Status.DRAFT,
            based_on=current,
            created_by=actor,
        )
        _create_tree(version, clean["focus_areas"], _lineages_by_code(current))
        audit_record(
            actor=actor, action=AuditEntry.Action.CREATE, obj=version, community=plan.community
        )
    return version


def _require_own_body(version: PlanVersion, body: Body) -> None:
    if body.community_id != version.plan.community_id:
        raise ValidationError({"body": ERROR_OTHER_COMMUNITY})


def version_recommend(
    *, actor: Any, version: PlanVersion, body: Body, on: datetime.date, note: str = ""
) -> PlanVersion:
    _require_editable(version)
    _require_own_body(version, body)
    if body.kind != Body.Kind.ADMINISTRATIVE:
        raise ValidationError({"body": ERROR_WRONG_RECOMMENDING_BODY})
    values = {
        "status": PlanVersion.Status.RECOMMENDED,
        "recommended_by": body,
        "recommended_on": on,
    }
    if note:
        values["note"] = note
    return save_audited(actor=actor, obj=version, values=values, allowed=list(values))


def version_adopt(
    *, actor: Any, version: PlanVersion, body: Body, on: datetime.date, note: str = ""
) -> PlanVersion:
    """PSU adopts the version on ASU's recommendation; it becomes the current version."""
    _require_editable(version)
    _require_own_body(version, body)
    if body.kind != Body.Kind.POLITICAL:
        raise ValidationError({"body": ERROR_WRONG_ADOPTING_BODY})
    if version.status != PlanVersion.Status.RECOMMENDED:
        raise ValidationError(ERROR_ADOPT_NEEDS_RECOMMENDATION)
    with transaction.atomic():
        for old in version.plan.versions.select_for_update().filter(is_current=True):
            save_audited(
                actor=actor,
                obj=old,
                values={"is_current": False, "status": PlanVersion.Status.RETIRED},
                allowed=["is_current", "status"],
            )
        values = {
            "status": PlanVersion.Status.ADOPTED,
            "adopted_by": body,
            "adopted_on": on,
            "is_current": True,
        }
        if note:
            values["note"] = note
        return save_audited(actor=actor, obj=version, values=values, allowed=list(values))


# --- Editing a draft -----------------------------------------------------------------------------


def measure_save(
    *,
    actor: Any,
    version: PlanVersion,
    measure: Measure | None = None,
    responsible: list[Body] | None = None,
    years: dict[int, str] | None = None,
    **values: Any,
) -> Measure:
    """Create or change a measure of a draft: text, code (renumber), goal (move), owners, years."""
    goal = values.get("goal")
    if goal is not None and goal.version_id != version.pk:
        raise ValidationError({"goal": ERROR_GOAL_OTHER_VERSION})
    if measure is not None and measure.version_id != version.pk:
        raise ValidationError(ERROR_OTHER_VERSION)
    if responsible and any(b.community_id != version.plan.community_id for b in responsible):
        raise ValidationError({"responsible": ERROR_OTHER_COMMUNITY})
    with transaction.atomic():
        _begin_edit(actor, version)
        if measure is None:
            if goal is None:
                raise ValidationError({"goal": ERROR_GOAL_MISSING})
            last = version.measures.filter(goal=goal).aggregate(n=Max("order"))["n"]
            if last is None:
                last = (
                    version.measures.filter(goal__order__lt=goal.order).aggregate(n=Max("order"))[
                        "n"
                    ]
                    or 0
                )
            version.measures.filter(order__gt=last).update(order=F("order") + 1)
            measure = Measure(version=version, order=last + 1)
        measure = save_audited(actor=actor, obj=measure, values=values, allowed=MEASURE_FIELDS)
        if responsible is not None:
            measure.responsible_bodies.set(responsible)
        if years is not None:
            measure.years.all().delete()
            MeasureYear.objects.bulk_create(
                MeasureYear(measure=measure, year=year, note=note)
                for year, note in sorted(years.items())
            )
        _assert_valid(version)
    return measure


def measure_retire(*, actor: Any, measure: Measure) -> None:
    """Take a measure out of a draft. Earlier versions keep it, with its status history."""
    version = measure.version
    with transaction.atomic():
        _begin_edit(actor, version)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            obj=measure,
            community=version.plan.community,
        )
        measure.delete()
        _assert_valid(version)


def goal_save(*, actor: Any, version: PlanVersion, goal: Goal | None = None, **values: Any) -> Goal:
    """Add a goal (last in its focus area), or renumber, retitle or move one."""
    area = values.get("focus_area")
    if area is not None and area.version_id != version.pk:
        raise ValidationError({"focus_area": ERROR_OTHER_VERSION})
    if goal is not None and goal.version_id != version.pk:
        raise ValidationError(ERROR_OTHER_VERSION)
    with transaction.atomic():
        _begin_edit(actor, version)
        if goal is None:
            if area is None:
                raise ValidationError({"focus_area": ERROR_FOCUS_AREA_MISSING})
            last = (
                version.goals.filter(focus_area__order__lte=area.order).aggregate(n=Max("order"))[
                    "n"
                ]
                or 0
            )
            version.goals.filter(order__gt=last).update(order=F("order") + 1)
            goal = Goal(version=version, order=last + 1)
        goal = save_audited(actor=actor, obj=goal, values=values, allowed=GOAL_FIELDS)
        _assert_valid(version)
    return goal


def goal_retire(*, actor: Any, goal: Goal) -> None:
    """Take an empty goal out of a draft."""
    version = goal.version
    _require_editable(version)
    if goal.measures.exists():
        raise ValidationError(ERROR_GOAL_HAS_MEASURES)
    with transaction.atomic():
        _begin_edit(actor, version)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            obj=goal,
            community=version.plan.community,
        )
        goal.delete()
        _assert_valid(version)


# --- Status --------------------------------------------------------------------------------------


def status_report(
    *,
    actor: Any,
    measure: Measure,
    status: str,
    text: str = "",
    reported_on: datetime.date | None = None,
    body: Body | None = None,
) -> StatusReport:
    reported_on = reported_on or timezone.localdate()
    if reported_on > timezone.localdate():
        raise ValidationError({"reported_on": ERROR_STATUS_IN_FUTURE})
    if not measure.version.is_current:
        raise ValidationError(ERROR_STATUS_NOT_CURRENT)
    if body is not None and not measure.responsible_bodies.filter(pk=body.pk).exists():
        raise ValidationError({"body": ERROR_STATUS_BODY})
    report = StatusReport(
        plan=measure.version.plan,
        lineage=measure.lineage,
        measure=measure,
        reported_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return save_audited(
        actor=actor,
        obj=report,
        values={"status": status, "text": text, "reported_on": reported_on, "body": body},
        allowed=["status", "text", "reported_on", "body"],
    )


def plan_publish_status(*, actor: Any, plan: ActionPlan, public: bool) -> ActionPlan:
    return save_audited(
        actor=actor, obj=plan, values={"status_is_public": public}, allowed=["status_is_public"]
    )
