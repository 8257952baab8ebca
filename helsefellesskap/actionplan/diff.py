"""A readable difference between two versions of a plan: goals and measures added, removed and
changed, field by field. Rows are matched by lineage, so a renumbered measure is "changed", not
"removed and added"."""

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import planfile
from .models import PlanVersion, PriorityGroup

MEASURE_LABELS = {
    "code": _("Nummer"),
    "text": _("Tiltak"),
    "goal": _("Mål"),
    "responsible": _("Ansvarlig"),
    "responsible_text": _("Ansvarlig (fritekst)"),
    "years": _("År"),
    "priority_groups": _("Prioriterte pasientgrupper"),
    "references": _("Henvisninger"),
    "note": _("Merknad"),
    "documents": _("Dokumenter"),
}
GOAL_LABELS = {"code": _("Nummer"), "title": _("Mål"), "focus_area": _("Innsatsområde")}


@dataclass
class Change:
    label: str
    before: str
    after: str


class Kind(models.TextChoices):
    ADDED = "added", _("Ny")
    REMOVED = "removed", _("Fjernet")
    CHANGED = "changed", _("Endret")


KIND_COLORS = {Kind.ADDED: "success", Kind.REMOVED: "danger", Kind.CHANGED: "warning"}


@dataclass
class Entry:
    kind: Kind
    code: str
    title: str
    changes: list[Change] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(self.kind.label)

    @property
    def color(self) -> str:
        return KIND_COLORS[self.kind]


@dataclass
class VersionDiff:
    before: PlanVersion
    after: PlanVersion
    goals: list[Entry] = field(default_factory=list)
    measures: list[Entry] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.goals or self.measures)

    def count(self, kind: Kind) -> int:
        return sum(1 for entry in self.measures if entry.kind == kind)

    @property
    def added(self) -> int:
        return self.count(Kind.ADDED)

    @property
    def changed(self) -> int:
        return self.count(Kind.CHANGED)

    @property
    def removed(self) -> int:
        return self.count(Kind.REMOVED)


def _years_text(years: dict) -> str:
    return ", ".join(f"{y} ({n})" if n else str(y) for y, n in sorted(years.items()))


def _groups_text(groups: list) -> str:
    labels = dict(PriorityGroup.choices)
    return ", ".join(str(labels.get(g, g)) for g in groups)


def _flatten(version: PlanVersion) -> tuple[dict, dict]:
    """Goals and measures of a version, keyed by lineage, as comparable text fields."""
    data = planfile.version_to_data(version)
    goal_lineages = dict(version.goals.values_list("code", "lineage"))
    measure_lineages = dict(version.measures.values_list("code", "lineage"))
    goals, measures = {}, {}
    for area in data["focus_areas"]:
        for goal in area["goals"]:
            goals[goal_lineages[goal["code"]]] = {
                "code": goal["code"],
                "title": goal["title"],
                "focus_area": f"{area['code']} {area['title']}",
            }
            for m in goal["measures"]:
                measures[measure_lineages[m["code"]]] = {
                    "code": m["code"],
                    "text": m["text"],
                    "goal": f"{goal['code']} {goal['title']}",
                    "responsible": ", ".join(m["responsible"]),
                    "responsible_text": m["responsible_text"],
                    "years": _years_text({int(y): n for y, n in m["years"].items()}),
                    "priority_groups": _groups_text(m["priority_groups"]),
                    "references": ", ".join(m["references"]),
                    "note": m["note"],
                    "documents": ", ".join(d["title"] for d in m["documents"]),
                }
    return goals, measures


def _compare(before: dict, after: dict, labels: dict, title_field: str) -> list[Entry]:
    entries = []
    for lineage, new in after.items():
        old = before.get(lineage)
        if old is None:
            entries.append(Entry(Kind.ADDED, new["code"], new[title_field]))
            continue
        changes = [
            Change(str(label), old[name], new[name])
            for name, label in labels.items()
            if old[name] != new[name]
        ]
        if changes:
            entries.append(Entry(Kind.CHANGED, new["code"], new[title_field], changes))
    for lineage, old in before.items():
        if lineage not in after:
            entries.append(Entry(Kind.REMOVED, old["code"], old[title_field]))
    return entries


def version_diff(before: PlanVersion, after: PlanVersion) -> VersionDiff:
    old_goals, old_measures = _flatten(before)
    new_goals, new_measures = _flatten(after)
    return VersionDiff(
        before=before,
        after=after,
        goals=_compare(old_goals, new_goals, GOAL_LABELS, "title"),
        measures=_compare(old_measures, new_measures, MEASURE_LABELS, "text"),
    )
