"""The restore drill as a test: the demo (both communities, every kind of row) plus an uploaded
file, a queued mail with a one-time link and a calendar token; one community exported; the
database flushed to a fresh installation; the export imported. Every row count and every row's
contents must come back, and nothing secret or foreign may be in the file.

The core imports no domain app, so the rows are reached through the app registry."""

import io
import json
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from helsefellesskap.core import backup

SLUG = "nordre-trondelag"
OTHER_SLUG = "st-olavs"
MAIL_LINK = "https://samhandling.example.no/konto/nytt-passord/Mg/engangslenke-som-ikke-skal-med/"
PAPER = b"%PDF-1.4\n% sakspapir som skal med i eksporten\n"

# Rows the export changes on purpose: an open invitation is closed, as its link is dead.
CHANGED = {"organisation.invitation": {"expires_at"}}


def model(label: str):
    return apps.get_model(label)


def contents() -> dict[str, dict]:
    """Every exported row of the community, field by field."""
    community = model(backup.COMMUNITY_MODEL).objects.get(slug=SLUG)
    return {
        part.label: {
            row["pk"]: row for row in part.rows(community).values("pk", *_comparable(part))
        }
        for part in backup.plan()
    }


def _comparable(part) -> list[str]:
    fields = [part.model._meta.get_field(name) for name in part.fields]
    return [f.attname for f in fields if f.name not in CHANGED.get(part.label, ())]


def _add_rows_the_demo_lacks(hnt):
    """An uploaded case paper, a mail with a one-time link and a personal calendar token."""
    case = model("cases.Case").objects.filter(community=hnt).first()
    paper = model("cases.CasePaper").objects.create(
        case=case, title="Notat med vedlegg", file=ContentFile(PAPER, name="notat.pdf")
    )
    mail = model("mail.OutgoingEmail")(
        to="sekretariat.hnt@example.no", subject="Nytt passord", text_body=MAIL_LINK
    )
    if any(f.name == "community" for f in mail._meta.fields):
        mail.community = hnt  # the community's own mail stays out too
    mail.save()
    user = model("accounts.User").objects.get(email="sekretariat.hnt@example.no")
    token = model("annualwheel.FeedToken").objects.create(user=user).token
    return paper.file.name, token


def _secrets() -> list[str]:
    hashes = list(model("accounts.User").objects.values_list("password", flat=True))
    tokens = list(model("organisation.Invitation").objects.values_list("token_hash", flat=True))
    return [value for value in hashes + tokens if value]


def _logins_of_people() -> dict[int, str]:
    people = model("organisation.Person").objects.filter(community__slug=SLUG, user__isnull=False)
    return dict(people.values_list("pk", "user__email"))


def _wipe():
    call_command("flush", "--no-input", stdout=io.StringIO())


@pytest.fixture(scope="module")
def drill(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    path = tmp_path_factory.mktemp("export") / "hnt.zip"
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)):
        # What the migrations put in (the national indicator library), to put back afterwards:
        # this fixture commits, and the tests after it expect the database as migrated.
        migrated = connection.creation.serialize_db_to_string()
        try:
            call_command("load_demo", "--force", stdout=io.StringIO())
            hnt = model(backup.COMMUNITY_MODEL).objects.get(slug=SLUG)
            paper_name, feed_token = _add_rows_the_demo_lacks(hnt)
            before_counts = backup.community_counts(SLUG)
            before = contents()
            logins = _logins_of_people()
            secrets = [*_secrets(), feed_token, MAIL_LINK]
            exported = backup.export_community(SLUG, path)

            _wipe()
            default_storage.delete(paper_name)
            fresh = {part.label: part.model._base_manager.count() for part in backup.plan()}
            rehearsal = backup.import_community(path, dry_run=True)
            after_rehearsal = {
                part.label: part.model._base_manager.count() for part in backup.plan()
            }
            media_after_rehearsal = sorted(p.name for p in media.rglob("*") if p.is_file())
            imported = backup.import_community(path)

            yield SimpleNamespace(
                path=path,
                media=media,
                paper_name=paper_name,
                before_counts=before_counts,
                after_counts=backup.community_counts(SLUG),
                before=before,
                logins=logins,
                after=contents(),
                secrets=secrets,
                exported=exported,
                fresh=fresh,
                rehearsal=rehearsal,
                after_rehearsal=after_rehearsal,
                media_after_rehearsal=media_after_rehearsal,
                imported=imported,
            )
        finally:
            call_command("flush", "--no-input", inhibit_post_migrate=True, stdout=io.StringIO())
            connection.creation.deserialize_db_from_string(migrated)
            # The rows came back with their ids; PostgreSQL's sequences must move past them.
            reset = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
            with connection.cursor() as cursor:
                for statement in reset:
                    cursor.execute(statement)


def _rows_in_file(path: Path) -> list[dict]:
    with zipfile.ZipFile(path) as archive:
        return [json.loads(line) for line in archive.read(backup.DATA).splitlines()]


def _whole_file(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


def test_every_model_of_the_installation_has_a_rule():
    assert backup.unclassified() == []


@pytest.mark.django_db
def test_the_restore_starts_from_an_empty_installation(drill):
    assert set(drill.fresh.values()) == {0}


@pytest.mark.django_db
def test_every_row_count_comes_back(drill):
    assert sum(drill.before_counts.values()) > 3000
    assert drill.imported.found == drill.before_counts
    assert drill.after_counts == drill.before_counts
    assert drill.exported.counts == drill.before_counts


@pytest.mark.django_db
def test_every_row_comes_back_field_by_field(drill):
    for label, rows in drill.before.items():
        assert drill.after[label] == rows, label


@pytest.mark.django_db
def test_uploaded_files_come_back(drill):
    paper = model("cases.CasePaper").objects.get(file=drill.paper_name)
    with paper.file.open("rb") as restored:
        assert restored.read() == PAPER
    assert drill.imported.files == 1


@pytest.mark.django_db
def test_a_rehearsal_changes_nothing(drill):
    assert sum(drill.rehearsal.found.values()) == sum(drill.before_counts.values())
    assert set(drill.after_rehearsal.values()) == {0}
    assert drill.media_after_rehearsal == []


@pytest.mark.django_db  # with the others, so the drill is set up once, on the migrated database
def test_no_password_hash_token_or_one_time_link_is_in_the_file(drill):
    data = _whole_file(drill.path)
    for secret in drill.secrets:
        assert secret.encode() not in data
    assert b"md5$" not in data and b"pbkdf2_sha256$" not in data
    with zipfile.ZipFile(drill.path) as archive:
        rows = archive.read(backup.DATA)
    assert b'"password"' not in rows and b'"token_hash"' not in rows


@pytest.mark.django_db  # with the others, so the drill is set up once, on the migrated database
def test_the_other_community_stays_out_of_the_file(drill):
    exported = {(row["model"], row["pk"]) for row in _rows_in_file(drill.path)}
    ours = {(label, pk) for label, rows in drill.before.items() for pk in rows}
    assert exported == ours
    communities = [
        row for row in _rows_in_file(drill.path) if row["model"] == "organisation.community"
    ]
    assert [row["fields"]["slug"] for row in communities] == [SLUG]


@pytest.mark.django_db
def test_the_other_community_is_not_restored(drill):
    assert not model(backup.COMMUNITY_MODEL).objects.filter(slug=OTHER_SLUG).exists()
    assert model("organisation.Person").objects.exclude(community__slug=SLUG).count() == 0


@pytest.mark.django_db
def test_an_open_invitation_arrives_closed(drill):
    invitations = model("organisation.Invitation").objects.all()
    assert invitations and not any(invitation.is_usable for invitation in invitations)


@pytest.mark.django_db
def test_imported_logins_have_no_password_until_they_ask_for_one(drill, client):
    user = model("accounts.User").objects.get(email="sekretariat.hnt@example.no")
    assert not user.has_usable_password()
    assert not user.is_staff and not user.is_superuser
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    mail = model("mail.OutgoingEmail").objects.get(to=user.email)
    assert "/konto/nytt-passord/" in mail.text_body


@pytest.mark.django_db
def test_a_second_import_of_the_same_community_is_refused(drill):
    with pytest.raises(backup.BackupError, match="finnes allerede"):
        backup.import_community(drill.path)


def _rewritten(path: Path, target: Path, change) -> Path:
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as copy:
        for name in source.namelist():
            content = source.read(name)
            if name == backup.MANIFEST:
                manifest = json.loads(content)
                change(manifest)
                content = json.dumps(manifest).encode()
            copy.writestr(name, content)
    return target


@pytest.mark.django_db
def test_an_export_from_another_migration_state_is_refused(drill, tmp_path):
    def newer(manifest):
        manifest["migrations"]["organisation"].append("9999_fra_fremtiden")

    path = _rewritten(drill.path, tmp_path / "newer.zip", newer)
    with pytest.raises(backup.BackupError, match="migreringstilstand"):
        backup.import_community(path)


@pytest.mark.django_db
def test_an_installation_whose_ids_are_taken_is_refused(drill, tmp_path):
    def renamed(manifest):
        manifest["community"]["slug"] = "et-annet-navn"

    path = _rewritten(drill.path, tmp_path / "renamed.zip", renamed)
    with pytest.raises(backup.BackupError, match="ikke tom"):
        backup.import_community(path)


def test_a_file_that_is_no_export_is_refused(tmp_path):
    path = tmp_path / "tull.zip"
    path.write_bytes(b"ikke en zip")
    with pytest.raises(backup.BackupError, match="ikke en eksport"):
        backup.import_community(path)


@pytest.mark.django_db
def test_logins_the_installation_has_are_reused_and_taken_ids_are_moved(drill, settings, tmp_path):
    """An operator who ran `createsuperuser` first, and a login both installations know. (The
    flush is inside the test's transaction, so the restored world is back for the next test.)"""
    settings.MEDIA_ROOT = str(tmp_path)
    _wipe()
    users = model("accounts.User").objects
    known = "leder.asu@example.no"
    taken = min(pk for pk, row in drill.before["accounts.user"].items() if row["email"] != known)
    users.create_user(email="drift@example.no", password="driftens-eget-passord", id=taken)
    users.create_user(email=known, password="ledernes-eget-passord")

    result = backup.import_community(drill.path)

    assert (result.users_matched, result.users_new_id) == (1, 1)
    assert _logins_of_people() == drill.logins
    assert users.get(email=known).check_password("ledernes-eget-passord")
    assert users.get(email="drift@example.no").pk == taken
    assert backup.community_counts(SLUG) == drill.before_counts
