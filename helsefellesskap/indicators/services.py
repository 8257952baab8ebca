"""Writes of steering information. Each helper's functions sit in their own section."""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Field, Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helsefellesskap.actionplan.models import PriorityGroup
from helsefellesskap.audit.models import AuditEntry
from helsefellesskap.audit.services import audit_record, save_audited
from helsefellesskap.organisation.models import Community, Party

from . import loads, policies
from .models import AsuReport, Commentary, DataLoad, Indicator, Observation, Population, Sex

logger = logging.getLogger(__name__)

# --- Loads: figures, population and event files into the product (load_*) --------------------
#
# The flow. An upload is written to the protected folder (`settings.INDICATOR_EVENT_DIR`, outside
# MEDIA_ROOT, never served) and becomes a DataLoad waiting for its task. A table (figures or
# population) is read and checked by `load_preview_run`, which stores what would change (new,
# changed and unchanged cells) and waits for the analyst; `load_confirm` queues
# `load_apply_run`, which reads the file again, checks it again and writes it in one
# transaction, then deletes the file. An event file (pseudonymised stays) is computed at once by
# `load_events_run` and deleted in any case. Every task first claims its load (a conditional
# update), so a task the worker runs twice (see `core.worker`) does the work once.
#
# What is kept where (docs/steering-information.md): an uploaded table stays in the protected
# folder until it is applied or discarded or fails its check; an event file only until its task
# has read it (deleted in a `finally`, also on failure). The DataLoad keeps counts, periods,
# indicator codes, the first messages and changed aggregate cells, never a row of an event file;
# logs get counts and error types, never an error's text, which may quote a value.

TABLE_KINDS = (DataLoad.Kind.AGGREGATE, DataLoad.Kind.POPULATION)
EVENT_KINDS = (DataLoad.Kind.EVENTS, DataLoad.Kind.DEMO)
CHANGES_SHOWN = 50  # changed cells listed in the preview; the rest are counted
PERIODS_SHOWN = 40
BATCH = 2000

Status = DataLoad.Status


def load_folder() -> Path:
    """The protected folder for uploads waiting for their task: only this process's user may
    read it."""
    folder = Path(settings.INDICATOR_EVENT_DIR)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _store(chunks: Iterable[bytes], suffix: str) -> tuple[Path, str]:
    """Write the upload to a new file of the protected folder; its path and SHA-256."""
    path = load_folder() / f"{secrets.token_hex(16)}{suffix}"
    digest = hashlib.sha256()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            for chunk in chunks:
                digest.update(chunk)
                handle.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, digest.hexdigest()


def load_content_hash(content: bytes) -> str:
    """What `DataLoad.content_hash` holds for a file of these bytes."""
    return hashlib.sha256(content).hexdigest()


def _suffix(file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    return suffix if suffix in {".csv", ".txt", ".xlsx", ".json", ".parquet"} else ".dat"


def load_create(
    *,
    actor: Any,
    community: Community,
    kind: str,
    file_name: str,
    chunks: Iterable[bytes],
    indicator: Indicator | None = None,
    enqueue: bool = True,
) -> DataLoad:
    """Keep the uploaded file in the protected folder and queue its task (when the surrounding
    transaction commits). `actor` None: the demo, which runs the task itself (`enqueue=False`).
    `indicator`: the one a statistics-bank table without an indicator column is about."""
    if actor is not None and not policies.is_analyst(actor, community):
        raise PermissionDenied
    path, content_hash = _store(chunks, _suffix(file_name))
    summary: dict[str, Any] = {"phase": "events" if kind in EVENT_KINDS else "preview"}
    if indicator is not None:
        summary["indicator"] = indicator.pk
    try:
        load = DataLoad.objects.create(
            community=community,
            kind=kind,
            file_name=Path(file_name).name[:250],
            stored_path=str(path),
            content_hash=content_hash,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            summary=summary,
            progress_text=_("Venter på å starte."),
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if enqueue:
        transaction.on_commit(functools.partial(_enqueue, load.pk, summary["phase"]))
    return load


def _enqueue(load_id: int, phase: str) -> None:
    from . import tasks  # the tasks call back into this module

    {"preview": tasks.preview_load, "apply": tasks.apply_load, "events": tasks.compute_events}[
        phase
    ].enqueue(load_id)


def load_confirm(*, actor: Any, load: DataLoad, enqueue: bool = True) -> bool:
    """Queue the writing of a previewed table. False when it is no longer waiting for that (a
    second click, or someone else confirmed or discarded it). `actor` None: the demo, which
    runs the task itself (`enqueue=False`, then `load_run`)."""
    if actor is not None and not policies.DataLoadPolicy().can_edit(actor, load):
        raise PermissionDenied
    summary = {**load.summary, "phase": "apply", "confirmed_by": getattr(actor, "pk", None)}
    taken = DataLoad.objects.filter(pk=load.pk, status=Status.PREVIEW).update(
        status=Status.WAITING, summary=summary, progress=0, progress_text=_("Venter på å lagre.")
    )
    if taken:
        load.status, load.summary = Status.WAITING, summary
        if enqueue:
            transaction.on_commit(functools.partial(_enqueue, load.pk, "apply"))
    return bool(taken)


def load_discard(*, actor: Any, load: DataLoad) -> bool:
    """Throw away a load that stored nothing (waiting, previewed or failed), with its file.
    False for a load that is running or done."""
    if not policies.DataLoadPolicy().can_edit(actor, load):
        raise PermissionDenied
    deleted, _rows = DataLoad.objects.filter(
        pk=load.pk, status__in=[Status.WAITING, Status.PREVIEW, Status.FAILED]
    ).delete()
    if deleted:
        _delete_file(load)
    return bool(deleted)


# --- The tasks' work -----------------------------------------------------------------------------


def _claim(load_id: int, phase: str) -> DataLoad | None:
    """Take the load for this task, or None when it is not (or no longer) this task's to do."""
    load = DataLoad.objects.select_related("community").filter(pk=load_id).first()
    if load is None:
        return None
    if load.status not in (Status.WAITING, Status.RUNNING) or load.summary.get("phase") != phase:
        if load.status in (Status.DONE, Status.FAILED):
            _delete_file(load)  # a repeat after a crash between the result and the clean-up
        return None
    taken = DataLoad.objects.filter(pk=load_id, status=load.status).update(
        status=Status.RUNNING, progress=1, progress_text=_("Starter.")
    )
    if not taken:
        return None
    load.status = Status.RUNNING
    return load


def _reporter(load: DataLoad, low: int, high: int) -> Callable[[int, str], None]:
    """A progress callback writing low … high percent of the whole, at most once a second."""
    last = [0.0]

    def report(percent: int, text: str) -> None:
        now = timezone.now().timestamp()
        if now - last[0] < 1.0:
            return
        last[0] = now
        scaled = low + (high - low) * max(0, min(percent, 100)) // 100
        DataLoad.objects.filter(pk=load.pk).update(progress=scaled, progress_text=text[:200])

    return report


def _set_progress(load: DataLoad, percent: int, text: str) -> None:
    DataLoad.objects.filter(pk=load.pk).update(progress=percent, progress_text=text[:200])


def _delete_file(load: DataLoad) -> None:
    if not load.stored_path:
        return
    Path(load.stored_path).unlink(missing_ok=True)
    DataLoad.objects.filter(pk=load.pk).update(stored_path="")
    load.stored_path = ""


def _fail(load: DataLoad, problems: list[dict[str, Any]], more: int = 0) -> DataLoad:
    load.status = Status.FAILED
    load.errors = problems
    load.summary = {**load.summary, "more_errors": more}
    load.progress, load.progress_text = 100, _("Ingenting er lagret.")
    load.finished_at = timezone.now()
    load.save(
        update_fields=["status", "errors", "summary", "progress", "progress_text", "finished_at"]
    )
    return load


def _file_problem(message: str) -> list[dict[str, Any]]:
    return [{"row": 0, "column": "", "message": message}]


UNEXPECTED = _(
    "Noe gikk galt under innlesingen, og ingenting er lagret. Prøv igjen, eller kontakt "
    "plattformadministratoren hvis det skjer igjen."
)


def _unexpected(load: DataLoad, error: BaseException) -> DataLoad:
    # Only the kind of error: its text may quote a value from the file.
    logger.warning("Data load %s failed: %s", load.pk, type(error).__name__)
    return _fail(load, _file_problem(str(UNEXPECTED)))


def _read_stored(load: DataLoad) -> bytes | None:
    """The file's bytes, if it is still there and unchanged since the upload."""
    path = Path(load.stored_path) if load.stored_path else None
    if path is None or not path.exists():
        return None
    raw = path.read_bytes()
    return raw if hashlib.sha256(raw).hexdigest() == load.content_hash else None


FILE_GONE = _("Filen finnes ikke lenger på serveren. Last den opp på nytt.")


# --- Reading a table against the community -------------------------------------------------------


def _municipalities(community: Community) -> dict[str, int]:
    """Municipality number → party id, for the community's municipality parties."""
    return dict(
        Party.objects.filter(
            community=community, kind=Party.Kind.MUNICIPALITY, municipality_number__gt=""
        ).values_list("municipality_number", "pk")
    )


def _indicator_refs(community: Community) -> dict[str, loads.IndicatorRef]:
    """The indicators a table may name: the national ones, and the community's own (which win
    when a code is both)."""
    refs: dict[str, loads.IndicatorRef] = {}
    rows = Indicator.objects.filter(Q(community__isnull=True) | Q(community=community))
    # National first, so that the community's own definition under the same code wins.
    for pk, code, frequency, is_proportion, _own in sorted(
        rows.values_list("pk", "code", "frequency", "is_proportion", "community_id"),
        key=lambda row: row[4] is not None,
    ):
        refs[code.lower()] = loads.IndicatorRef(pk, code, frequency, is_proportion)
    return refs


def _parse(load: DataLoad, raw: bytes, progress: Callable[[int, str], None]) -> loads.Parsed:
    municipalities = _municipalities(load.community)
    if load.kind == DataLoad.Kind.POPULATION:
        return loads.parse_population(
            raw, load.file_name, municipalities=municipalities, progress=progress
        )
    refs = _indicator_refs(load.community)
    chosen = None
    if load.summary.get("indicator"):
        chosen = next((r for r in refs.values() if r.pk == load.summary["indicator"]), None)
    return loads.parse_figures(
        raw,
        load.file_name,
        indicators=refs,
        municipalities=municipalities,
        indicator=chosen,
        progress=progress,
    )


# --- What would change ---------------------------------------------------------------------------


class _Changes:
    """The cells of a file against what is stored: new ones, changed ones with their stored
    row (pk and old values), and a count of the unchanged."""

    def __init__(self) -> None:
        self.new: list[Any] = []
        self.changed: list[tuple[int, Any, tuple[int, ...]]] = []
        self.unchanged = 0


def _figure_changes(
    community: Community, cells: Mapping[tuple[Any, ...], loads.FigureCell]
) -> _Changes:
    changes = _Changes()
    indicators = {cell.indicator_id for cell in cells.values()}
    periods = {cell.period for cell in cells.values()}
    stored = {
        (indicator, municipality, period, age, sex, group): (pk, numerator, denominator)
        for pk, indicator, municipality, period, age, sex, group, numerator, denominator in (
            Observation.objects.filter(
                community=community, indicator_id__in=indicators, period__in=periods
            ).values_list(
                "pk",
                "indicator_id",
                "municipality_id",
                "period",
                "age_band",
                "sex",
                "priority_group",
                "numerator",
                "denominator",
            )
        )
    }
    for key, cell in cells.items():
        found = stored.get(key)
        if found is None:
            changes.new.append(cell)
        elif found[1:] == (cell.numerator, cell.denominator):
            changes.unchanged += 1
        else:
            changes.changed.append((found[0], cell, found[1:]))
    return changes


def _population_changes(
    community: Community, cells: Mapping[tuple[Any, ...], loads.PopulationCell]
) -> _Changes:
    changes = _Changes()
    years = {cell.year for cell in cells.values()}
    stored = {
        (municipality, year, sex, age): (pk, count)
        for pk, municipality, year, sex, age, count in Population.objects.filter(
            community=community, year__in=years
        ).values_list("pk", "municipality_id", "year", "sex", "age_band", "count")
    }
    for key, cell in cells.items():
        found = stored.get(key)
        if found is None:
            changes.new.append(cell)
        elif found[1] == cell.count:
            changes.unchanged += 1
        else:
            changes.changed.append((found[0], cell, found[1:]))
    return changes


def _breakdown(age_band: str, sex: str, priority_group: str = "") -> str:
    parts = [age_band] if age_band else []
    if sex:
        parts.append(str(Sex(sex).label).lower())
    if priority_group:
        parts.append(priority_group)
    return ", ".join(parts) or _("alle")


def _summary(load: DataLoad, parsed: loads.Parsed, changes: _Changes) -> dict[str, Any]:
    """What the preview and the result say: counts, per indicator (or year), periods, and the
    first changed cells with old and new values. Aggregate figures only."""
    population = load.kind == DataLoad.Kind.POPULATION
    names = dict(
        Party.objects.filter(community=load.community, kind=Party.Kind.MUNICIPALITY).values_list(
            "pk", "name"
        )
    )
    groups: dict[str, Counter[str]] = {}

    def group_of(cell: Any) -> str:
        return str(cell.year) if population else codes[cell.indicator_id]

    codes: dict[int, str] = {}
    if not population:
        ids = {cell.indicator_id for cell in parsed.cells.values()}
        codes = dict(Indicator.objects.filter(pk__in=ids).values_list("pk", "code"))
    for cell in changes.new:
        groups.setdefault(group_of(cell), Counter())["new"] += 1
    for _pk, cell, _old in changes.changed:
        groups.setdefault(group_of(cell), Counter())["changed"] += 1
    for cell in parsed.cells.values():
        groups.setdefault(group_of(cell), Counter())["cells"] += 1
    listed = []
    for _pk, cell, old in changes.changed[:CHANGES_SHOWN]:
        if population:
            what = {
                "group": str(cell.year),
                "breakdown": _breakdown(cell.age_band, cell.sex),
                "old": str(old[0]),
                "new": str(cell.count),
            }
        else:
            what = {
                "group": f"{codes[cell.indicator_id]} {cell.period}",
                "breakdown": _breakdown(cell.age_band, cell.sex, cell.priority_group),
                "old": f"{old[0]} / {old[1]}",
                "new": f"{cell.numerator} / {cell.denominator}",
            }
        listed.append({"municipality": names.get(cell.municipality_id, ""), **what})
    periods = sorted(
        {(cell.period_start, cell.period) for cell in parsed.cells.values()}
        if not population
        else {(cell.year, str(cell.year)) for cell in parsed.cells.values()}
    )
    earlier = (
        DataLoad.objects.filter(
            community=load.community, content_hash=load.content_hash, status=Status.DONE
        )
        .exclude(pk=load.pk)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    return {
        **load.summary,
        "rows": parsed.rows_read,
        "cells": len(parsed.cells),
        "skipped": parsed.skipped,
        "new": len(changes.new),
        "changed": len(changes.changed),
        "unchanged": changes.unchanged,
        "groups": [
            {"name": name, **counts} for name, counts in sorted(groups.items(), key=lambda g: g[0])
        ],
        "periods": [code for _start, code in periods][:PERIODS_SHOWN],
        "municipalities": len({cell.municipality_id for cell in parsed.cells.values()}),
        "changes": listed,
        "more_changes": max(0, len(changes.changed) - CHANGES_SHOWN),
        "same_file_loaded": timezone.localtime(earlier).isoformat() if earlier else "",
    }


def load_preview_run(load_id: int) -> DataLoad | None:
    """The first task of a table: read, check, and work out what would change. Stores nothing
    but the load's own state."""
    load = _claim(load_id, "preview")
    if load is None:
        return DataLoad.objects.filter(pk=load_id).first()
    try:
        raw = _read_stored(load)
        if raw is None:
            _delete_file(load)
            return _fail(load, _file_problem(str(FILE_GONE)))
        _set_progress(load, 5, _("Leser filen."))
        parsed = _parse(load, raw, _reporter(load, 5, 70))
        if parsed.problems:
            _delete_file(load)
            return _fail(load, parsed.problems.items, parsed.problems.more)
        _set_progress(load, 75, _("Sammenligner med tallene som er lagret."))
        changes = _changes(load, parsed)
        load.summary = _summary(load, parsed, changes)
        load.rows_read = parsed.rows_read
        load.status, load.progress = Status.PREVIEW, 100
        load.progress_text = _("Klar til godkjenning.")
        load.save(update_fields=["summary", "rows_read", "status", "progress", "progress_text"])
        return load
    except Exception as error:
        _delete_file(load)
        return _unexpected(load, error)


def _changes(load: DataLoad, parsed: loads.Parsed) -> _Changes:
    if load.kind == DataLoad.Kind.POPULATION:
        return _population_changes(load.community, parsed.cells)
    return _figure_changes(load.community, parsed.cells)


CONCURRENT = _(
    "Noen andre lagret de samme tallene samtidig, og ingenting er lagret fra denne filen. "
    "Last den opp på nytt for å se hva som er endret."
)


def load_apply_run(load_id: int) -> DataLoad | None:
    """The second task of a table: read and check the file again (definitions may have changed
    since the preview), then write every new and changed cell in one transaction."""
    load = _claim(load_id, "apply")
    if load is None:
        return DataLoad.objects.filter(pk=load_id).first()
    try:
        raw = _read_stored(load)
        if raw is None:
            return _fail(load, _file_problem(str(FILE_GONE)))
        _set_progress(load, 10, _("Leser filen på nytt."))
        parsed = _parse(load, raw, _reporter(load, 10, 60))
        if parsed.problems:
            return _fail(load, parsed.problems.items, parsed.problems.more)
        _set_progress(load, 65, _("Lagrer tallene."))
        return _write(load, parsed)
    except IntegrityError:
        return _fail(load, _file_problem(str(CONCURRENT)))
    except Exception as error:
        return _unexpected(load, error)
    finally:
        _delete_file(load)


@transaction.atomic
def _write(load: DataLoad, parsed: loads.Parsed) -> DataLoad:
    locked = DataLoad.objects.select_for_update().filter(pk=load.pk).first()
    if locked is None or locked.status != Status.RUNNING:
        return locked or load  # discarded, or another run of the task finished it
    changes = _changes(load, parsed)
    if load.kind == DataLoad.Kind.POPULATION:
        _write_population(load, changes)
    else:
        _write_figures(load, changes)
    return _done(load, _summary(load, parsed, changes), parsed.rows_read)


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.column
    return connection.ops.quote_name(field.column)


def _columns(model: type[Model], fields: Sequence[str]) -> tuple[str, str]:
    table = connection.ops.quote_name(model._meta.db_table)
    return table, ", ".join(_column(model, name) for name in fields)


def _insert(model: type[Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Many rows with one prepared statement: an event file gives tens of thousands of cells,
    and building a model instance for each would take seconds. The table and column names
    come from the model, the values are parameters."""
    if not rows:
        return
    table, columns = _columns(model, fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
                rows[start : start + BATCH],
            )


def _update(model: type[Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Set `fields` of many rows by primary key (the key last in each row)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    sets = ", ".join(f"{_column(model, name)} = %s" for name in fields)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(
                f"UPDATE {table} SET {sets} WHERE {quote('id')} = %s",  # noqa: S608
                rows[start : start + BATCH],
            )


OBSERVATION_FIELDS = (
    "community",
    "indicator",
    "municipality",
    "period",
    "period_start",
    "period_kind",
    "age_band",
    "sex",
    "priority_group",
    "numerator",
    "denominator",
    "load",
)


def _write_figures(load: DataLoad, changes: _Changes) -> None:
    date = connection.ops.adapt_datefield_value
    _insert(
        Observation,
        OBSERVATION_FIELDS,
        [
            (
                load.community_id,
                cell.indicator_id,
                cell.municipality_id,
                cell.period,
                date(cell.period_start),
                cell.period_kind,
                cell.age_band,
                cell.sex,
                cell.priority_group,
                cell.numerator,
                cell.denominator,
                load.pk,
            )
            for cell in changes.new
        ],
    )
    _update(
        Observation,
        ("numerator", "denominator", "load"),
        [(cell.numerator, cell.denominator, load.pk, pk) for pk, cell, _old in changes.changed],
    )


def _write_population(load: DataLoad, changes: _Changes) -> None:
    _insert(
        Population,
        ("community", "municipality", "year", "sex", "age_band", "count"),
        [
            (
                load.community_id,
                cell.municipality_id,
                cell.year,
                cell.sex,
                cell.age_band,
                cell.count,
            )
            for cell in changes.new
        ],
    )
    _update(Population, ("count",), [(cell.count, pk) for pk, cell, _old in changes.changed])


def _done(load: DataLoad, summary: dict[str, Any], rows_read: int) -> DataLoad:
    load.summary = {**summary, "phase": "done"}
    load.rows_read = rows_read
    load.status, load.progress = Status.DONE, 100
    load.progress_text = _("Ferdig.")
    load.finished_at = timezone.now()
    load.save(
        update_fields=["summary", "rows_read", "status", "progress", "progress_text", "finished_at"]
    )
    confirmed_by = summary.get("confirmed_by")
    actor = get_user_model().objects.filter(pk=confirmed_by).first() if confirmed_by else None
    audit_record(
        actor=actor or load.created_by,
        action=AuditEntry.Action.CREATE,
        obj=load,
        community=load.community,
        changes={"new": ["", str(summary["new"])], "changed": ["", str(summary["changed"])]},
    )
    logger.info(
        "Data load %s (%s): %s new, %s changed, %s unchanged",
        load.pk,
        load.kind,
        summary["new"],
        summary["changed"],
        summary["unchanged"],
    )
    return load


# --- Event files ---------------------------------------------------------------------------------


NO_POPULATION = _(
    "Fellesskapet har ingen befolkningstall ennå. Last inn befolkningen først: ratene per "
    "1 000 innbyggere og standardiseringen regnes mot den."
)
NOT_READABLE = _(
    "Filen kan ikke leses som sykehusopphold. Sjekk at den er Parquet eller CSV med kolonnene "
    "som er beskrevet under skjemaet. Ingenting er lagret, og filen er slettet."
)


def _ensure_computed_indicators(community: Community, actor: Any) -> dict[str, list[Indicator]]:
    """The community's indicators per computation. A computed national definition without a
    copy in the community is copied first (`indicator_copy`), so the figures land on the
    community's own definitions, which its analysis group may then adjust and publish."""
    own: dict[str, list[Indicator]] = {}
    for indicator in Indicator.objects.filter(community=community).exclude(computation=""):
        own.setdefault(indicator.computation, []).append(indicator)
    taken = set(Indicator.objects.filter(community=community).values_list("code", flat=True))
    for national in Indicator.objects.filter(community__isnull=True).exclude(computation=""):
        if national.computation in own or national.code in taken:
            continue  # computed already, or the community has its own under that code
        copy = indicator_copy(actor=actor, community=community, national=national)
        own.setdefault(copy.computation, []).append(copy)
    return own


def _population_rows(community: Community) -> list[Any]:
    from .compute import PopulationRow

    return [
        PopulationRow(municipality=number, year=year, sex=sex, age_band=age, count=count)
        for number, year, sex, age, count in Population.objects.filter(
            community=community
        ).values_list("municipality__municipality_number", "year", "sex", "age_band", "count")
    ]


def _event_cells(
    community: Community, computed: Iterable[Any], actor: Any
) -> tuple[dict[tuple[Any, ...], loads.FigureCell], int]:
    """The computed cells as figures of the community's indicators; and how many cells named no
    municipality of the community or no indicator it computes (left out)."""
    municipalities = _municipalities(community)
    indicators = _ensure_computed_indicators(community, actor)
    cells: dict[tuple[Any, ...], loads.FigureCell] = {}
    left_out = 0
    for computed_cell in computed:
        municipality = municipalities.get(computed_cell.municipality)
        targets = indicators.get(computed_cell.computation, [])
        if municipality is None or not targets:
            left_out += 1
            continue
        for indicator in targets:
            cell = loads.FigureCell(
                indicator_id=indicator.pk,
                municipality_id=municipality,
                period=computed_cell.period,
                period_start=computed_cell.period_start,
                period_kind=computed_cell.period_kind,
                age_band=computed_cell.age_band,
                sex=computed_cell.sex,
                priority_group=computed_cell.priority_group,
                numerator=computed_cell.numerator,
                denominator=computed_cell.denominator,
            )
            cells[cell.key] = cell
    return cells, left_out


def load_events_run(load_id: int) -> DataLoad | None:
    """The task of an event file: DuckDB computes the standard set from it into aggregates,
    which are written in one transaction; the file is deleted whatever happens. Nothing of a
    row of the file reaches the load, a log or a page: only counts of cells."""
    load = _claim(load_id, "events")
    if load is None:
        return DataLoad.objects.filter(pk=load_id).first()
    try:
        path = Path(load.stored_path) if load.stored_path else None
        if path is None or not path.exists():
            return _fail(load, _file_problem(str(FILE_GONE)))
        population = _population_rows(load.community)
        if not population:
            return _fail(load, _file_problem(str(NO_POPULATION)))
        _set_progress(load, 5, _("Beregner indikatorene fra oppholdene."))
        from . import compute

        try:
            computed = compute.compute_standard_set(
                path,
                population=population,
                municipalities=set(_municipalities(load.community)),
                progress=_reporter(load, 5, 80),
            )
        except compute.EventFileError as error:
            # The engine's messages name rows by number and columns by name, never a value.
            problems = [{"row": 0, "column": "", "message": text} for text in error.messages]
            return _fail(load, problems[: loads.MAX_SHOWN], max(0, len(problems) - loads.MAX_SHOWN))
        except Exception as error:  # DuckDB's own errors may quote a value: not shown, not logged
            logger.warning("Event load %s could not be computed: %s", load.pk, type(error).__name__)
            return _fail(load, _file_problem(str(NOT_READABLE)))
        _delete_file(load)  # the aggregates are in memory: the rows go now
        _set_progress(load, 85, _("Lagrer tallene."))
        cells, left_out = _event_cells(load.community, computed, load.created_by)
        parsed = loads.Parsed(cells=dict(cells))
        return _write_events(load, parsed, left_out)
    except IntegrityError:
        return _fail(load, _file_problem(str(CONCURRENT)))
    except Exception as error:
        return _unexpected(load, error)
    finally:
        _delete_file(load)


@transaction.atomic
def _write_events(load: DataLoad, parsed: loads.Parsed, left_out: int) -> DataLoad:
    locked = DataLoad.objects.select_for_update().filter(pk=load.pk).first()
    if locked is None or locked.status != Status.RUNNING:
        return locked or load
    changes = _figure_changes(load.community, parsed.cells)
    _write_figures(load, changes)
    summary = _summary(load, parsed, changes)
    summary["left_out"] = left_out
    return _done(load, summary, 0)


def load_run(load: DataLoad) -> DataLoad | None:
    """Run a load's pending task here and now (the demo and management commands, which have no
    worker to wait for)."""
    load.refresh_from_db(fields=["summary"])
    phase = load.summary.get("phase")
    if phase == "preview":
        return load_preview_run(load.pk)
    if phase == "apply":
        return load_apply_run(load.pk)
    return load_events_run(load.pk)


# --- Definitions: create, copy from the national library, edit (indicator_*) ---------------------
# (The pages helper's section. Imports it needs: ValidationError, gettext_lazy, PriorityGroup,
# save_audited, AsuReport, Commentary.)

# The fields of a definition that its form sets; the rest are the product's own.
INDICATOR_FIELDS = [
    "code",
    "name",
    "description",
    "numerator_text",
    "denominator_text",
    "factor",
    "unit",
    "direction",
    "is_proportion",
    "standardised",
    "priority_groups",
    "age_splits",
    "by_sex",
    "source",
    "frequency",
    "suppress_below",
    "computation",
    "is_published",
    "share_small_numbers",
    "measure_lineages",
]
# What a copy takes from the national definition: not its publication, nor links to a plan.
COPIED_FIELDS = [
    f
    for f in INDICATOR_FIELDS
    if f not in {"is_published", "share_small_numbers", "measure_lineages"}
]

ERROR_CODE_TAKEN = gettext_lazy("Fellesskapet har allerede en indikator med denne koden.")
ERROR_CODE_RESERVED = gettext_lazy(
    "Koden er navnet på en side i styringsinformasjonen. Velg en annen kode."
)
ERROR_AGE_SPLIT = gettext_lazy(
    "«%(split)s» følger ikke aldersgruppene 0–17, 18–49, 50–69, 70–79 og 80+ "
    "(for eksempel «0-69» eller «80+»)."
)
ERROR_PRIORITY_GROUP = gettext_lazy("«%(group)s» er ikke en prioritert pasientgruppe.")
ERROR_NOT_NATIONAL = gettext_lazy("Bare nasjonale definisjoner kan kopieres.")
ERROR_ALREADY_COPIED = gettext_lazy("Fellesskapet har allerede en indikator med koden «%(code)s».")


def _check_definition(indicator: Indicator) -> None:
    """The rules the model cannot state: a code free in the community that is not the name of
    one of the module's pages, age splits on the bands' edges, known priority groups."""
    from django.urls import Resolver404, resolve

    from .selectors import split_bands

    errors: dict[str, list[Any]] = {}
    community = indicator.community
    if community is not None and indicator.code:
        taken = Indicator.objects.filter(community=community, code=indicator.code).exclude(
            pk=indicator.pk
        )
        if taken.exists():
            errors.setdefault("code", []).append(ERROR_CODE_TAKEN)
        try:
            match = resolve(f"/{community.slug}/styringsinformasjon/{indicator.code}/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "indicator":
            errors.setdefault("code", []).append(ERROR_CODE_RESERVED)
    for split in indicator.age_splits or []:
        if not isinstance(split, str) or split_bands(split) is None:
            errors.setdefault("age_splits", []).append(ERROR_AGE_SPLIT % {"split": split})
    groups = dict(PriorityGroup.choices)
    for group in indicator.priority_groups or []:
        if group not in groups:
            errors.setdefault("priority_groups", []).append(ERROR_PRIORITY_GROUP % {"group": group})
    if errors:
        raise ValidationError(errors)


def _save_definition(
    *, actor: Any, indicator: Indicator, values: dict[str, Any], allowed: list[str]
) -> Indicator:
    with transaction.atomic():
        for name, value in values.items():
            if name in allowed:
                setattr(indicator, name, value)
        _check_definition(indicator)
        return save_audited(actor=actor, obj=indicator, values=values, allowed=allowed)


def indicator_create(*, actor: Any, community: Community, **values: Any) -> Indicator:
    """A definition of the community's own."""
    return _save_definition(
        actor=actor,
        indicator=Indicator(community=community),
        values=values,
        allowed=INDICATOR_FIELDS,
    )


def indicator_update(*, actor: Any, indicator: Indicator, **values: Any) -> Indicator:
    return _save_definition(
        actor=actor, indicator=indicator, values=values, allowed=INDICATOR_FIELDS
    )


def indicator_copy(*, actor: Any, community: Community, national: Indicator) -> Indicator:
    """Copy a national definition into the community, unpublished. Figures, commentary and
    reports the community already holds under the national definition move to the copy, so
    the dashboard keeps them."""
    if not national.is_national:
        raise ValidationError(ERROR_NOT_NATIONAL)
    if Indicator.objects.filter(community=community, code=national.code).exists():
        raise ValidationError(ERROR_ALREADY_COPIED % {"code": national.code})
    values: dict[str, Any] = {name: getattr(national, name) for name in COPIED_FIELDS}
    values["copied_from"] = national
    with transaction.atomic():
        copy = _save_definition(
            actor=actor,
            indicator=Indicator(community=community),
            values=values,
            allowed=[*COPIED_FIELDS, "copied_from"],
        )
        Observation.objects.filter(community=community, indicator=national).update(indicator=copy)
        Commentary.objects.filter(community=community, indicator=national).update(indicator=copy)
        AsuReport.indicators.through.objects.filter(
            asureport__community=community, indicator=national
        ).update(indicator=copy)
    return copy
