"""The plan import format (docs/plan-format.md): validate a plan file before anything is stored,
and turn a stored version back into the same format. The spreadsheet reads and writes this too."""

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from helsefellesskap.organisation.models import Body, Community

from .models import (
    ERROR_ADOPT_NEEDS_RECOMMENDATION,
    ERROR_PERIOD,
    ERROR_WRONG_ADOPTING_BODY,
    ERROR_WRONG_RECOMMENDING_BODY,
    Measure,
    MeasureYear,
    PlanVersion,
    PriorityGroup,
)

FORMAT = "helsefellesskap-handlingsplan/1"
SECRETARIAT_ALIASES = {"sekr", "sekretariat", "sekretariatet"}


@dataclass
class PlanFileErrors:
    """Row-level errors, each with where it is ("Tiltak 1 a)") and what is wrong."""

    items: list[tuple[str, str]] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        self.items.append((where, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __iter__(self):
        return iter(self.items)

    def as_text(self) -> list[str]:
        return [f"{where}: {message}" for where, message in self.items]


def body_lookup(community: Community) -> dict[str, Body]:
    """Bodies by lower-cased short name and name; the secretariat also as SEKR."""
    lookup: dict[str, Body] = {}
    for body in Body.objects.filter(community=community):
        for key in (body.short_name, body.name):
            if key:
                lookup[key.strip().lower()] = body
        if body.kind == Body.Kind.SECRETARIAT:
            for alias in SECRETARIAT_ALIASES:
                lookup[alias] = body
    return lookup


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _year(value, where, errors) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        errors.add(where, _("«%(value)s» er ikke et årstall.") % {"value": value})
        return None
    if not 1990 <= year <= 2100:
        errors.add(where, _("«%(value)s» er ikke et årstall.") % {"value": value})
        return None
    return year


def _date(value, where, errors) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.add(where, _("«%(value)s» er ikke en dato (ÅÅÅÅ-MM-DD).") % {"value": value})
        return None


def validate(data, community: Community) -> tuple[dict, PlanFileErrors]:
    """Check a whole plan file. Returns the cleaned data (bodies resolved) and the errors; the
    caller stores nothing when there are errors."""
    errors = PlanFileErrors()
    if not isinstance(data, dict):
        errors.add(_("Filen"), _("Filen er ikke en handlingsplan i riktig format."))
        return {}, errors
    if data.get("format") != FORMAT:
        errors.add(_("Filen"), _("Formatet må være «%(format)s».") % {"format": FORMAT})
    bodies = body_lookup(community)
    clean: dict[str, Any] = {
        "title": _text(data.get("title")),
        "motto": _text(data.get("motto")),
        "source": _text(data.get("source")),
        "period_start": _year(data.get("period_start"), _("Planperiode fra"), errors),
        "period_end": _year(data.get("period_end"), _("Planperiode til"), errors),
    }
    if not clean["title"]:
        errors.add(_("Plan"), _("Tittel mangler."))
    if (
        clean["period_start"]
        and clean["period_end"]
        and clean["period_end"] < clean["period_start"]
    ):
        errors.add(_("Plan"), str(ERROR_PERIOD))
    clean["version"] = _validate_version(data.get("version") or {}, bodies, errors)
    clean["focus_areas"] = []
    codes: dict[str, set[str]] = {"focus": set(), "goal": set(), "measure": set()}
    areas = data.get("focus_areas")
    if not isinstance(areas, list) or not areas:
        errors.add(_("Plan"), _("Planen har ingen innsatsområder."))
        areas = []
    for area in areas:
        clean["focus_areas"].append(_validate_area(area, bodies, codes, errors))
    all_codes = codes["goal"] | codes["measure"]
    for area in clean["focus_areas"]:
        for goal in area["goals"]:
            for measure in goal["measures"]:
                for ref in measure["references"]:
                    if ref not in all_codes:
                        errors.add(
                            _("Tiltak %(code)s") % {"code": measure["code"]},
                            _("Henvisningen «%(ref)s» finnes ikke i planen.") % {"ref": ref},
                        )
    return clean, errors


def _status(value: str) -> str:
    """A version status from its code or its Norwegian label («Vedtatt av PSU», «utkast»)."""
    Status = PlanVersion.Status
    allowed = (Status.DRAFT, Status.RECOMMENDED, Status.ADOPTED)
    by_label = {str(Status(code).label).lower(): code for code in allowed}
    by_label.update({"innstilt": Status.RECOMMENDED, "vedtatt": Status.ADOPTED})
    value = value.strip()
    return value if value in allowed else by_label.get(value.lower(), value)


def _validate_version(version, bodies, errors) -> dict:
    where = _("Versjon")
    status = _status(_text(version.get("status"))) or PlanVersion.Status.DRAFT
    if status not in (
        PlanVersion.Status.DRAFT,
        PlanVersion.Status.RECOMMENDED,
        PlanVersion.Status.ADOPTED,
    ):
        errors.add(where, _("Ukjent status «%(status)s».") % {"status": status})
    clean: dict[str, Any] = {
        "label": _text(version.get("label")),
        "status": status,
        "note": _text(version.get("note")),
        "recommended_on": _date(version.get("recommended_on"), where, errors),
        "adopted_on": _date(version.get("adopted_on"), where, errors),
    }
    for key in ("recommended_by", "adopted_by"):
        name = _text(version.get(key))
        clean[key] = bodies.get(name.lower()) if name else None
        if name and clean[key] is None:
            errors.add(where, _("Fant ikke organet «%(name)s».") % {"name": name})
    # The same decision rules as the workflow (section 5.2): ASU recommends, PSU adopts.
    recommended_by, adopted_by = clean["recommended_by"], clean["adopted_by"]
    if status in (PlanVersion.Status.RECOMMENDED, PlanVersion.Status.ADOPTED) and (
        recommended_by is None or recommended_by.kind != Body.Kind.ADMINISTRATIVE
    ):
        message = (
            ERROR_ADOPT_NEEDS_RECOMMENDATION
            if status == PlanVersion.Status.ADOPTED
            else ERROR_WRONG_RECOMMENDING_BODY
        )
        errors.add(where, str(message))
    if status == PlanVersion.Status.ADOPTED and (
        adopted_by is None or adopted_by.kind != Body.Kind.POLITICAL
    ):
        errors.add(where, str(ERROR_WRONG_ADOPTING_BODY))
    return clean


def _node(item, kind: str, label: str, codes, errors) -> tuple[dict, str, str]:
    """The item as a dict, its code and where it is, with a missing or repeated code reported."""
    item = item if isinstance(item, dict) else {}
    code = _text(str(item.get("code", "")))
    where = label % {"code": code or "?"}
    if not code:
        errors.add(where, _("Nummer mangler."))
    elif code in codes[kind]:
        errors.add(where, _("Nummeret er brukt før."))
    codes[kind].add(code)
    return item, code, where


def _validate_area(area, bodies, codes, errors) -> dict:
    area, code, where = _node(area, "focus", _("Innsatsområde %(code)s"), codes, errors)
    clean: dict[str, Any] = {
        "code": code,
        "title": _text(area.get("title")),
        "description": _text(area.get("description")),
        "goals": [],
    }
    if not clean["title"]:
        errors.add(where, _("Tittel mangler."))
    for goal in area.get("goals") or []:
        clean["goals"].append(_validate_goal(goal, bodies, codes, errors))
    return clean


def _validate_goal(goal, bodies, codes, errors) -> dict:
    goal, code, where = _node(goal, "goal", _("Mål %(code)s"), codes, errors)
    clean: dict[str, Any] = {"code": code, "title": _text(goal.get("title")), "measures": []}
    if not clean["title"]:
        errors.add(where, _("Målet mangler tekst."))
    for measure in goal.get("measures") or []:
        clean["measures"].append(_validate_measure(measure, bodies, codes, errors))
    return clean


def _validate_measure(measure, bodies, codes, errors) -> dict:
    measure, code, where = _node(measure, "measure", _("Tiltak %(code)s"), codes, errors)
    clean: dict[str, Any] = {
        "code": code,
        "text": _text(measure.get("text")),
        "responsible": [],
        "responsible_text": _text(measure.get("responsible_text")),
        "years": {},
        "priority_groups": [],
        "references": [_text(str(ref)) for ref in measure.get("references") or []],
        "note": _text(measure.get("note")),
        "documents": [],
    }
    if not clean["text"]:
        errors.add(where, _("Tiltaket mangler tekst."))
    for name in measure.get("responsible") or []:
        body = bodies.get(_text(name).lower())
        if body is None:
            errors.add(where, _("Fant ikke organet «%(name)s».") % {"name": name})
        elif body not in clean["responsible"]:
            clean["responsible"].append(body)
    clean["responsible"].sort(key=lambda body: (body.order, body.name))
    years = measure.get("years") or {}
    if not isinstance(years, dict):
        errors.add(where, _("År må være en liste over årstall med merknad."))
        years = {}
    for year, note in years.items():
        number = _year(year, where, errors)
        if number:
            clean["years"][number] = _text(note)
    for group in measure.get("priority_groups") or []:
        if group not in PriorityGroup.values:
            errors.add(where, _("Ukjent pasientgruppe «%(group)s».") % {"group": group})
        elif group not in clean["priority_groups"]:
            clean["priority_groups"].append(group)
    for document in measure.get("documents") or []:
        document = document if isinstance(document, dict) else {}
        title, url = _text(document.get("title")), _text(document.get("url"))
        if not (title or url):
            continue
        if url and not url.startswith(("http://", "https://")):
            errors.add(where, _("Lenken «%(url)s» må begynne med https://.") % {"url": url})
        clean["documents"].append({"title": title or url, "url": url})
    return clean


def parse_json(raw: bytes | str) -> tuple[dict | None, PlanFileErrors]:
    errors = PlanFileErrors()
    try:
        return json.loads(raw), errors
    except (ValueError, UnicodeDecodeError) as error:
        errors.add(_("Filen"), _("Filen er ikke gyldig JSON: %(error)s") % {"error": error})
        return None, errors


def version_to_data(version: PlanVersion) -> dict:
    """The version in the import format: importing the result gives the same plan back."""
    plan = version.plan
    measures = (
        Measure.objects.filter(version=version)
        .prefetch_related(
            "responsible_bodies", Prefetch("years", queryset=MeasureYear.objects.order_by("year"))
        )
        .order_by("order")
    )
    by_goal: dict[int, list[Measure]] = {}
    for measure in measures:
        by_goal.setdefault(measure.goal_id, []).append(measure)
    goals_by_area: dict[int, list] = {}
    for goal in version.goals.order_by("order"):
        goals_by_area.setdefault(goal.focus_area_id, []).append(goal)

    def body_name(body: Body) -> str:
        return body.short_name or body.name

    return {
        "format": FORMAT,
        "title": plan.title,
        "motto": plan.motto,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "source": plan.source,
        "version": {
            "label": version.label,
            "status": version.status
            if version.status != PlanVersion.Status.RETIRED
            else PlanVersion.Status.ADOPTED,
            "recommended_on": version.recommended_on.isoformat() if version.recommended_on else "",
            "recommended_by": body_name(version.recommended_by) if version.recommended_by else "",
            "adopted_on": version.adopted_on.isoformat() if version.adopted_on else "",
            "adopted_by": body_name(version.adopted_by) if version.adopted_by else "",
            "note": version.note,
        },
        "focus_areas": [
            {
                "code": area.code,
                "title": area.title,
                "description": area.description,
                "goals": [
                    {
                        "code": goal.code,
                        "title": goal.title,
                        "measures": [
                            {
                                "code": m.code,
                                "text": m.text,
                                "responsible": [body_name(b) for b in m.responsible_bodies.all()],
                                "responsible_text": m.responsible_text,
                                "years": {str(y.year): y.note for y in m.years.all()},
                                "priority_groups": list(m.priority_groups),
                                "references": list(m.references),
                                "note": m.note,
                                "documents": list(m.documents),
                            }
                            for m in by_goal.get(goal.pk, [])
                        ],
                    }
                    for goal in goals_by_area.get(area.pk, [])
                ],
            }
            for area in version.focus_areas.order_by("order")
        ],
    }
