"""One community's complete data in one file, and back into an empty installation.

The export is a zip: `manifest.json` (format, version, the source's migration state, rows per
model, the files), `data.jsonl` (one row per line, Django's JSON Lines serialisation with full
time precision) and `files/` (the uploaded files the rows name).

The core knows no domain app, so the rows are found through the app registry: every model with
a policy reaches its community through `policy.community_field`, the tables of many-to-many
fields follow the row that owns them, and logins follow the rows that point at them. What belongs
to the installation rather than to a community is named in `LEFT_OUT`; a model that is neither
makes the export refuse, so a new model cannot be left behind unnoticed.

Primary keys are kept, so every foreign key, every link in a text and every audit entry's
`object_id` stays right; the import therefore needs an installation where those ids are free (a
new one). Logins are the exception: an imported login whose e-mail address the installation
already has is that login, and one whose id is taken gets a new id."""

import datetime
import io
import json
import os
import re
import secrets
import shutil
import tempfile
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files import File
from django.core.files.storage import Storage
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError, DeserializedObject
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import FileField, ForeignKey, Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .policies import policy_for

FORMAT = "helsefellesskap-community-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data.jsonl"
FILES = "files/"
COMMUNITY_MODEL = "organisation.community"

# Rows of the installation, not of one community, with the reason they stay behind.
LEFT_OUT: dict[str, str] = {
    "admin.logentry": "the admin's own history, keyed by this installation's content types",
    "auth.permission": "made by migrate in every installation",
    "auth.group": "platform roles are the target installation's decision",
    "contenttypes.contenttype": "made by migrate in every installation",
    "sessions.session": "log-ins; imported users log in anew",
    "django_tasks_database.dbtaskresult": "the task queue; its arguments can hold one-time links",
    "mail.outgoingemail": "sent and queued mail; holds one-time links (invitations, resets)",
    "annualwheel.feedtoken": "the secret of a personal calendar address; users make a new one",
    "core.submittedform": "form tokens of the last day, against double submits",
    "core.workerheartbeat": "the task worker's pulse, for the health endpoint",
}

# The fields of a login that travel: no password hash, no last log-in, no platform rights.
USER_FIELDS = ("email", "full_name", "is_active", "date_joined")

# Secrets a community row holds: never written; the import fills in a random value that matches
# no token anyone has (the old links would point at the old installation anyway).
SECRET_FIELDS: dict[str, tuple[str, ...]] = {
    "organisation.invitation": ("token_hash",),
}
# Links from a community row to the installation's own reference rows (the national indicator
# library, which every installation has from its migrations): left out, and empty after import.
INSTALLATION_LINKS: dict[str, tuple[str, ...]] = {
    "indicators.indicator": ("copied_from",),
}
# A field whose name says "secret" must be listed above, or among the public ones below.
SECRET_NAME = re.compile(r"password|passwd|token|secret|hash|salt|otp", re.IGNORECASE)
NOT_SECRET: set[str] = {
    # The sha256 of a loaded data file, to tell a second load of the same file: no secret.
    "indicators.dataload.content_hash",
}


def _close_open_invitation(row: Model, now: datetime.datetime) -> None:
    """The token of an open invitation is not exported, so its link is dead: the invitation is
    closed as a new invitation would close it (`organisation.services`), and the secretariat
    sends a new one from the target installation."""
    if row.accepted_at is None and row.expires_at > now:  # type: ignore[attr-defined]
        row.expires_at = now  # type: ignore[attr-defined]


ROW_CHANGES: dict[str, Callable[[Model, datetime.datetime], None]] = {
    "organisation.invitation": _close_open_invitation,
}


class BackupError(Exception):
    """A refusal, in Norwegian, for the operator."""


# --- Which rows: a plan per model ----------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One model of the export: the fields written and how its rows are found."""

    model: type[Model]
    fields: tuple[str, ...]
    rows: Callable[[Model], QuerySet[Any]]

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


def _label(model: type[Model]) -> str:
    return model._meta.label_lower


def _community_model() -> type[Model]:
    return apps.get_model(COMMUNITY_MODEL)


def _by_policy(model: type[Model]) -> Callable[[Model], QuerySet[Any]]:
    policy = policy_for(model)
    return lambda community: policy.in_community(model._base_manager.all(), community)


def _by_owner(through: type[Model], owner: Part) -> Callable[[Model], QuerySet[Any]]:
    """The rows of a many-to-many table: those of the owning rows."""
    owner_key = next(
        f for f in through._meta.concrete_fields if f.is_relation and f.related_model is owner.model
    )
    return lambda community: through._base_manager.filter(
        **{f"{owner_key.name}__in": owner.rows(community).values("pk")}
    )


def _written_fields(model: type[Model]) -> tuple[str, ...]:
    """Concrete fields without the primary key (written anyway) and the secrets; many-to-many
    fields travel as rows of their own tables."""
    label = _label(model)
    if model is get_user_model():
        return tuple(name for name in USER_FIELDS if _has_field(model, name))
    secret = set(SECRET_FIELDS.get(label, ())) | set(INSTALLATION_LINKS.get(label, ()))
    return tuple(
        f.name for f in model._meta.concrete_fields if not f.primary_key and f.name not in secret
    )


def _has_field(model: type[Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


def _user_part(parts: list[Part]) -> Part:
    """The logins the community's rows point at (people, authors, actors, reporters)."""
    user_model = get_user_model()

    def rows(community: Model) -> QuerySet[Any]:
        pointed_at = Q(pk__in=[])
        for part in parts:
            for key in _keys_to(part.model, user_model):
                pointed_at |= Q(pk__in=part.rows(community).values(key.attname))
        return user_model._base_manager.filter(pointed_at)

    return Part(user_model, _written_fields(user_model), rows)


def _keys_to(model: type[Model], target: type[Model]) -> list[ForeignKey[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, ForeignKey) and f.related_model is target
    ]


def _models() -> Iterator[type[Model]]:
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.proxy and model._meta.managed:
            yield model


def _owner(model: type[Model]) -> type[Model] | None:
    """The model that declares a many-to-many table, for the table's own model."""
    source = model._meta.auto_created
    return source if isinstance(source, type) else None


def _follows_owner(through: type[Model]) -> bool:
    """Whether a many-to-many table travels with its owner: not the tables of a login (groups
    and permissions are platform rights) nor of a model left out."""
    owner = _owner(through)
    return owner is not None and owner is not get_user_model() and _label(owner) not in LEFT_OUT


def plan() -> list[Part]:
    """Every model of the export: logins first, the community next, then the registry's order.
    Refuses when a model or a field has not been decided on (see `unclassified`)."""
    problems = unclassified()
    if problems:
        raise BackupError(
            _("Eksporten vet ikke hva den skal gjøre med: %(what)s. Det må avgjøres i koden.")
            % {"what": "; ".join(problems)}
        )
    user_model = get_user_model()
    parts: list[Part] = []
    for model in _models():
        if _label(model) in LEFT_OUT or model is user_model or _owner(model):
            continue
        parts.append(Part(model, _written_fields(model), _by_policy(model)))
    owners = {part.model: part for part in parts}
    for model in _models():
        owner = _owner(model)
        if owner in owners and _follows_owner(model):
            parts.append(Part(model, _written_fields(model), _by_owner(model, owners[owner])))
    community_model = _community_model()
    parts.sort(key=lambda part: part.model is not community_model)
    return [_user_part(parts), *parts]


def unclassified() -> list[str]:
    """What the export has no rule for: a model that is neither community data (it has a
    policy), the login, a many-to-many table nor left out; a many-to-many table from community
    data to a model left out; a field whose name says secret that is written; a model with
    multi-table inheritance, whose raw insert would miss its parent's row. Empty when the export
    knows everything in the installation."""
    problems = []
    user_model = get_user_model()
    for model in _models():
        label = _label(model)
        if label in LEFT_OUT:
            continue
        if _owner(model):
            if _follows_owner(model):
                problems += _left_out_targets(model)
            continue
        if model is not user_model:
            try:
                policy_for(model)
            except LookupError:
                problems.append(f"{model._meta.label} (ingen policy og ikke i LEFT_OUT)")
                continue
        if model._meta.parents:
            problems.append(f"{model._meta.label} (arv over flere tabeller)")
        for name in _written_fields(model):
            if SECRET_NAME.search(name) and f"{label}.{name}" not in NOT_SECRET:
                problems.append(f"{model._meta.label}.{name} (ser ut som en hemmelighet)")
    return problems


def _left_out_targets(through: type[Model]) -> list[str]:
    return [
        f"{through._meta.label}.{f.name} (peker på en tabell som ikke eksporteres)"
        for f in through._meta.concrete_fields
        if f.is_relation and _label(f.related_model) in LEFT_OUT  # type: ignore[arg-type]
    ]


# --- Export --------------------------------------------------------------------------------------


class _PreciseEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; a restore keeps them to the microsecond."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


@dataclass
class ExportResult:
    path: Path
    community: str
    counts: dict[str, int]
    files: int
    missing_files: list[str] = field(default_factory=list)


def migration_state(labels: Iterable[str]) -> dict[str, list[str]]:
    """The applied migrations of the apps the rows belong to."""
    app_labels = {label.split(".")[0] for label in labels}
    applied = MigrationRecorder(connection).applied_migrations()
    state: dict[str, list[str]] = {app: [] for app in sorted(app_labels)}
    for app, name in applied:
        if app in state:
            state[app].append(name)
    return {app: sorted(names) for app, names in state.items()}


def export_community(slug: str, path: str | os.PathLike[str]) -> ExportResult:
    """Write the community's rows and files to `path` (a zip), from one consistent snapshot.
    The file appears only when it is complete."""
    community = _community_model()._base_manager.filter(slug=slug).first()
    if community is None:
        raise BackupError(_("Fant ikke noe helsefellesskap med kortadressen «%s».") % slug)
    parts = plan()
    target = Path(path)
    partial = target.with_name(target.name + ".part")
    try:
        with _snapshot(), zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            result = _write(archive, parts, community, slug, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    return result


def _write(
    archive: zipfile.ZipFile, parts: list[Part], community: Model, slug: str, target: Path
) -> ExportResult:
    rows = {part.label: list(part.rows(community).order_by("pk")) for part in parts}
    _check_references(parts, rows)
    now = timezone.now()
    for label, change in ROW_CHANGES.items():
        for row in rows.get(label, ()):
            change(row, now)
    with (
        archive.open(_member(DATA), "w") as raw,
        io.TextIOWrapper(raw, encoding="utf-8") as stream,
    ):
        for part in parts:
            serializers.serialize(
                "jsonl", rows[part.label], fields=part.fields, stream=stream, cls=_PreciseEncoder
            )
    files = _files(parts, rows)
    missing = [name for name, storage in files.items() if not _copy_into(archive, name, storage)]
    counts = {part.label: len(rows[part.label]) for part in parts}
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": now.isoformat(),
        "community": {"slug": slug, "name": str(community), "id": community.pk},
        "migrations": migration_state(counts),
        "counts": counts,
        "files": [name for name in files if name not in missing],
        "missing_files": missing,
        "left_out": sorted(LEFT_OUT),
        "scrubbed": _scrubbed(parts),
    }
    archive.writestr(_member(MANIFEST), json.dumps(manifest, ensure_ascii=False, indent=2))
    return ExportResult(target, str(community), counts, len(files) - len(missing), missing)


@contextmanager
def _snapshot() -> Iterator[None]:
    """One transaction, repeatable read on PostgreSQL, so rows written while the export runs
    cannot leave a foreign key pointing at a row the export did not see."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _scrubbed(parts: list[Part]) -> dict[str, list[str]]:
    """The fields left out of each model's rows."""
    scrubbed = {}
    for part in parts:
        names = [
            f.name
            for f in part.model._meta.concrete_fields
            if not f.primary_key and f.name not in part.fields
        ]
        if names:
            scrubbed[part.label] = names
    return scrubbed


def _check_references(parts: list[Part], rows: dict[str, list[Model]]) -> None:
    """Every foreign key of an exported row points at an exported row (or at nothing)."""
    by_model = {part.model: rows[part.label] for part in parts}
    dangling = []
    for part in parts:
        for key in part.model._meta.concrete_fields:
            if not isinstance(key, ForeignKey) or key.name not in part.fields:
                continue
            target_rows = by_model.get(key.related_model, [])
            targets = {getattr(row, key.target_field.attname) for row in target_rows}
            missing = {getattr(row, key.attname) for row in rows[part.label]} - targets - {None}
            if missing:
                dangling.append(f"{part.model._meta.label}.{key.name} → {sorted(missing)[:5]}")
    if dangling:
        raise BackupError(
            _("Eksporten ville pekt på rader utenfor helsefellesskapet: %(what)s.")
            % {"what": "; ".join(dangling)}
        )


def _member(name: str) -> zipfile.ZipInfo:
    """A compressed zip member stamped with the time of the export."""
    info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _file_fields(model: type[Model]) -> list[FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, FileField)]


def _files(parts: list[Part], rows: dict[str, list[Model]]) -> dict[str, Storage]:
    """The names of the uploaded files the rows point at, with the storage that holds each."""
    files: dict[str, Storage] = {}
    for part in parts:
        for file_field in _file_fields(part.model):
            for row in rows[part.label]:
                name = getattr(row, file_field.attname)
                if name:
                    files[str(name)] = file_field.storage
    return dict(sorted(files.items()))


def _copy_into(archive: zipfile.ZipFile, name: str, storage: Storage) -> bool:
    try:
        source = storage.open(name, "rb")
    except OSError:
        return False
    with source, archive.open(_member(FILES + name), "w") as target:
        shutil.copyfileobj(source, target)
    return True


# --- Import --------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    community: str
    counts: dict[str, int]
    found: dict[str, int]
    files: int
    users_matched: int
    users_new_id: int
    dry_run: bool


def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError) as error:
        raise BackupError(_("Filen er ikke en eksport fra Helsefellesskap.")) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("Filen er ikke en eksport fra Helsefellesskap."))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            _(
                "Eksporten har formatversjon %(theirs)s; denne installasjonen leser "
                "versjon %(ours)s."
            )
            % {"theirs": manifest.get("format_version"), "ours": FORMAT_VERSION}
        )
    return manifest


def import_community(path: str | os.PathLike[str], *, dry_run: bool = False) -> ImportResult:
    """Load an export into this installation in one transaction: everything or nothing. With
    `dry_run`, do all of it and every check, then roll back."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise BackupError(_("Filen er ikke en eksport fra Helsefellesskap.")) from error
    with archive:
        manifest = read_manifest(archive)
        _check_target(manifest)
        objects = _read_rows(archive, manifest)
        stored: list[tuple[Storage, str]] = []
        try:
            with transaction.atomic():
                result = _load(archive, manifest, objects, stored)
                result.dry_run = dry_run
                if dry_run:
                    transaction.set_rollback(True)
        except IntegrityError as error:
            _remove(stored)
            raise BackupError(
                _(
                    "Importen stoppet fordi en rad kolliderer med data i denne installasjonen "
                    "(%(error)s). Ingenting er lagret."
                )
                % {"error": error}
            ) from error
        except BaseException:
            _remove(stored)
            raise
        if dry_run:
            _remove(stored)
    return result


def _check_target(manifest: dict[str, Any]) -> None:
    counts: dict[str, int] = manifest.get("counts", {})
    ours = migration_state(counts)
    theirs = manifest.get("migrations", {})
    differ = sorted(
        app for app in set(ours) | set(theirs) if set(ours.get(app, [])) != set(theirs.get(app, []))
    )
    if differ:
        raise BackupError(
            _(
                "Eksporten er laget med en annen migreringstilstand enn denne installasjonen "
                "(gjelder %(apps)s). Bruk samme versjon av Helsefellesskap som kilden, kjør "
                "«manage.py migrate» og prøv igjen."
            )
            % {"apps": ", ".join(differ)}
        )
    known = {part.label for part in plan()}
    if set(counts) != known:
        raise BackupError(
            _("Eksporten og denne installasjonen har ikke de samme tabellene (%(what)s).")
            % {"what": ", ".join(sorted(set(counts) ^ known))}
        )
    community = manifest.get("community", {})
    existing = _community_model()._base_manager.filter(slug=community.get("slug"))
    if existing.exists():
        raise BackupError(
            _("Helsefellesskapet «%(slug)s» finnes allerede i denne installasjonen.")
            % {"slug": community.get("slug")}
        )


def _read_rows(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> list[DeserializedObject]:
    try:
        with archive.open(DATA) as raw:
            lines = (line.decode("utf-8") for line in raw)
            objects = list(serializers.deserialize("jsonl", lines))
    except (KeyError, DeserializationError, UnicodeDecodeError, zipfile.BadZipFile) as error:
        raise BackupError(
            _("Eksportfilen kan ikke leses: %(error)s") % {"error": str(error)[:300]}
        ) from error
    read = Counter(_label(type(obj.object)) for obj in objects)
    expected = {label: n for label, n in manifest["counts"].items() if n}
    if dict(read) != expected:
        raise BackupError(_("Eksportfilen er skadet: radtallene stemmer ikke med innholdslisten."))
    return objects


def _load(
    archive: zipfile.ZipFile,
    manifest: dict[str, Any],
    objects: list[DeserializedObject],
    stored: list[tuple[Storage, str]],
) -> ImportResult:
    user_model = get_user_model()
    users = [obj.object for obj in objects if type(obj.object) is user_model]
    rows = [obj.object for obj in objects if type(obj.object) is not user_model]
    _refuse_taken_ids(rows)
    user_ids, matched, new_id = _load_users(users)
    files = 0
    by_model: dict[type[Model], list[Model]] = defaultdict(list)
    for row in rows:
        for key in _keys_to(type(row), user_model):
            value = getattr(row, key.attname)
            if value is not None and value not in user_ids:
                raise BackupError(_("Eksportfilen er skadet: en rad peker på en ukjent bruker."))
            setattr(row, key.attname, user_ids.get(value))
        _fill_secrets(row)
        files += _restore_files(archive, row, stored)
        by_model[type(row)].append(row)
    with connection.constraint_checks_disabled():
        for model, batch in by_model.items():
            _insert_as_is(model, batch)
    models = {*by_model, user_model}
    try:
        connection.check_constraints(table_names=[m._meta.db_table for m in models])
    except (IntegrityError, DatabaseError) as error:
        raise BackupError(
            _(
                "Importen ville gitt brutte koblinger mellom radene (%(error)s). Ingenting "
                "er lagret."
            )
            % {"error": error}
        ) from error
    _reset_sequences(models)
    slug = manifest["community"]["slug"]
    found = community_counts(slug)
    if found != manifest["counts"]:
        differ = sorted(k for k in found if found[k] != manifest["counts"].get(k))
        raise BackupError(
            _("Kontrollen etter importen fant andre radtall enn i eksporten (%(what)s).")
            % {"what": ", ".join(differ)}
        )
    return ImportResult(
        community=manifest["community"]["name"],
        counts=manifest["counts"],
        found=found,
        files=files,
        users_matched=matched,
        users_new_id=new_id,
        dry_run=False,
    )


def _insert_as_is(model: type[Model], rows: list[Model]) -> None:
    """Insert the rows with their ids and every value as stored: a raw insert, as `loaddata`
    does, so `auto_now` fields keep their times; in batches, as `bulk_create` does (which has
    no raw mode)."""
    fields = model._meta.local_concrete_fields
    size = min(connection.ops.bulk_batch_size(fields, rows) or 1, 1000)
    insert = model._base_manager.all()._insert  # type: ignore[attr-defined]  # private, stable
    for start in range(0, len(rows), size):
        insert(rows[start : start + size], fields=fields, raw=True)


def _refuse_taken_ids(rows: list[Model]) -> None:
    ids: dict[type[Model], list[Any]] = defaultdict(list)
    for row in rows:
        ids[type(row)].append(row.pk)
    taken = []
    for model, pks in ids.items():
        for start in range(0, len(pks), 500):
            if model._base_manager.filter(pk__in=pks[start : start + 500]).exists():
                taken.append(model._meta.verbose_name_plural)
                break
    if taken:
        raise BackupError(
            _(
                "Installasjonen er ikke tom: id-ene til %(what)s er allerede i bruk. Importer i "
                "en ny installasjon (migrert, eventuelt med en administrator)."
            )
            % {"what": ", ".join(str(name) for name in taken)}
        )


def _load_users(users: Sequence[Model]) -> tuple[dict[Any, Any], int, int]:
    """Logins: the installation's own when the e-mail address is known, else new ones without
    a usable password ("Glemt passord" gives them one). An id already taken gets a new one."""
    user_model = get_user_model()
    manager = user_model._base_manager
    ids: dict[Any, Any] = {}
    later: list[Model] = []
    matched = 0
    for user in users:
        email = getattr(user, user_model.EMAIL_FIELD)
        existing = manager.filter(**{f"{user_model.EMAIL_FIELD}__iexact": email}).first()
        if existing is not None:
            ids[user.pk] = existing.pk
            matched += 1
            continue
        user.set_unusable_password()  # type: ignore[attr-defined]
        if manager.filter(pk=user.pk).exists():
            later.append(user)
            continue
        Model.save_base(user, raw=True, force_insert=True)
        ids[user.pk] = user.pk
    # New ids only after the kept ones, from a sequence that knows of them.
    _reset_sequences({user_model})
    for user in later:
        old = user.pk
        user.pk = None
        Model.save_base(user, raw=True, force_insert=True)
        ids[old] = user.pk
    return ids, matched, len(later)


def _fill_secrets(row: Model) -> None:
    for name in SECRET_FIELDS.get(_label(type(row)), ()):
        length = row._meta.get_field(name).max_length or 64  # type: ignore[union-attr]
        setattr(row, name, secrets.token_hex(length // 2))


def _restore_files(archive: zipfile.ZipFile, row: Model, stored: list[tuple[Storage, str]]) -> int:
    """Save the row's files; a name the storage already has gets a new one, nothing is
    overwritten."""
    restored = 0
    for file_field in _file_fields(type(row)):
        name = str(getattr(row, file_field.attname) or "")
        if not name:
            continue
        try:
            member = archive.open(FILES + name)
        except KeyError:
            continue  # missing in the source too: the manifest lists it
        with member, tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as buffer:
            shutil.copyfileobj(member, buffer)
            buffer.seek(0)
            saved = file_field.storage.save(name, File(buffer, name=Path(name).name))
        stored.append((file_field.storage, saved))
        setattr(row, file_field.attname, saved)
        restored += 1
    return restored


def _remove(stored: list[tuple[Storage, str]]) -> None:
    for storage, name in stored:
        storage.delete(name)


def _reset_sequences(models: Iterable[type[Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def community_counts(slug: str) -> dict[str, int]:
    """Rows per model of one community, as the export counts them: the check after an import,
    and the drill's comparison."""
    community = _community_model()._base_manager.get(slug=slug)
    return {part.label: part.rows(community).count() for part in plan()}
