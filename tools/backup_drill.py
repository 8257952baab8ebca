"""The backup and restore drill, on a real PostgreSQL (docs/backup.md).

1. A scratch installation: a new database, migrated, with the demo and one uploaded file.
2. One community exported with `export_community`, imported with `import_community` into a
   second new installation (migrated, with an administrator of its own made first, as an
   operator would, on an id one of the exported logins has), after a rehearsal with
   `--dry-run`; rows per model and the file compared.
3. The whole installation: the database through `pg_dump -Fc` and `pg_restore --clean
   --if-exists` into a third (migrated) database, MEDIA_ROOT through tar; rows per table and the
   file compared.

Prints the tables and OK or FEIL, exits 1 on FEIL, and drops its databases and files at the end.

    .venv/bin/python tools/backup_drill.py [--host 127.0.0.1] [--port 5432] [--user postgres]
"""

import argparse
import hashlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
SLUG = "nordre-trondelag"
PAPER = b"%PDF-1.4\n% sakspapir til gjenopprettingsovelsen\n"

ADD_PAPER = f"""
from django.core.files.base import ContentFile
from helsefellesskap.cases.models import Case, CasePaper
case = Case.objects.filter(community__slug={SLUG!r}).order_by("pk").first()
paper = CasePaper.objects.create(case=case, title="Notat", file=ContentFile({PAPER!r}, "notat.pdf"))
print(paper.file.name)
"""
COUNTS = f"""
import json
from helsefellesskap.core.backup import community_counts
print(json.dumps(community_counts({SLUG!r})))
"""
# The operator's own administrator, made before the import, on an id the export uses.
ADMIN = """
from django.contrib.auth import get_user_model
users = get_user_model().objects
users.create_superuser("drift@example.no", "et-langt-driftspassord-2026", id={id})
"""
TABLE_COUNTS = """
SELECT table_name || ' ' || (xpath('/row/c/text()', query_to_xml(
    format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]
FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name
"""


class Drill:
    def __init__(self, host: str, port: int, user: str, work: Path) -> None:
        self.pg = {"PGHOST": host, "PGPORT": str(port), "PGUSER": user}
        self.url = f"postgres://{user}@{host}:{port}/"
        self.work = work
        self.suffix = secrets.token_hex(3)
        self.databases: list[str] = []
        self.failed = False

    # --- Helpers ---

    def run(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(  # noqa: S603 - the drill's own commands, no outside input
            args,
            env={**os.environ, **self.pg, **(env or {})},
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SystemExit(f"FEIL: {' '.join(args[:3])} …\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def database(self, role: str) -> str:
        name = f"hf_drill_{role}_{self.suffix}"
        self.run("createdb", name)
        self.databases.append(name)
        return name

    def manage(self, database: str, media: Path, *args: str) -> str:
        env = {
            "DATABASE_URL": self.url + database,
            "MEDIA_ROOT": str(media),
            "DEBUG": "0",
            "SECRET_KEY": "gjenopprettingsovelse-" + "x" * 50,
            "LOG_LEVEL": "WARNING",
        }
        return self.run(str(PYTHON), "manage.py", *args, env=env)

    def timed(self, label: str, action):  # type: ignore[no-untyped-def]
        start = time.monotonic()
        result = action()
        print(f"  {label:<62} {time.monotonic() - start:6.1f} s")
        return result

    def compare(self, title: str, left: dict[str, int], right: dict[str, int]) -> None:
        print(f"\n{title}")
        print(f"  {'tabell':<45} {'kilde':>8} {'mål':>8}")
        for name in sorted(set(left) | set(right)):
            a, b = left.get(name, "-"), right.get(name, "-")
            mark = "" if a == b else "  <-- FEIL"
            self.failed |= a != b
            print(f"  {name:<45} {a:>8} {b:>8}{mark}")
        total = sum(left.values()), sum(right.values())
        print(f"  {'sum':<45} {total[0]:>8} {total[1]:>8}")

    def same_file(self, name: str, *media: Path) -> None:
        copies = [root / name for root in media]
        same = all(p.exists() for p in copies) and len({_sha256(p) for p in copies}) == 1
        self.failed |= not same
        print(f"  opplastet fil {name}: {'lik' if same else 'FEIL: mangler eller er ulik'}")

    def table_counts(self, database: str) -> dict[str, int]:
        out = self.run("psql", "-d", database, "-XtAq", "-c", TABLE_COUNTS)
        return {name: int(count) for name, count in (line.split() for line in out.splitlines())}

    def drop_all(self) -> None:
        for name in self.databases:
            subprocess.run(  # noqa: S603
                ["dropdb", "--if-exists", "--force", name],  # noqa: S607 - from PATH, as psql
                env={**os.environ, **self.pg},
                capture_output=True,
            )

    # --- The drill ---

    def manage_json(self, database: str, media: Path, code: str):  # type: ignore[no-untyped-def]
        return json.loads(self.manage(database, media, "shell", "-c", code).splitlines()[-1])

    def migrated(self, role: str) -> tuple[str, Path]:
        name, media = self.database(role), self.work / f"media-{role}"
        media.mkdir()
        self.manage(name, media, "migrate", "--no-input")
        return name, media

    def source(self) -> tuple[str, Path, str]:
        print("Kilde")
        source, media = self.timed("ny database, migrate", lambda: self.migrated("kilde"))
        self.timed("load_demo", lambda: self.manage(source, media, "load_demo", "--force"))
        paper = self.manage(source, media, "shell", "-c", ADD_PAPER).splitlines()[-1]
        return source, media, paper

    def community_round_trip(self, source: str, source_media: Path, paper: str) -> None:
        export = self.work / f"{SLUG}.zip"
        print("\nEtt fellesskap (export_community / import_community)")
        self.timed(
            f"export_community {SLUG}",
            lambda: self.manage(source, source_media, "export_community", SLUG, "-o", str(export)),
        )
        target, media = self.timed(
            "mål: ny database, migrate, egen administrator", lambda: self.migrated("mal")
        )
        self.manage(target, media, "shell", "-c", ADMIN.format(id=_first_user_id(export)))
        self.timed(
            "import_community --dry-run",
            lambda: self.manage(target, media, "import_community", str(export), "--dry-run"),
        )
        report = self.timed(
            "import_community", lambda: self.manage(target, media, "import_community", str(export))
        )
        print(f"  eksportfil: {export.stat().st_size / 1024:.0f} KiB")
        for line in report.strip().splitlines():
            print(f"  | {line}")
        self.compare(
            f"Rader per modell i «{SLUG}», kilde mot mål",
            self.manage_json(source, source_media, COUNTS),
            self.manage_json(target, media, COUNTS),
        )
        self.same_file(paper, source_media, media)

    def database_round_trip(self, source: str, source_media: Path, paper: str) -> None:
        dump, files = self.work / "helsefellesskap.dump", self.work / "media.tar.gz"
        print("\nHele installasjonen (pg_dump -Fc, pg_restore --clean --if-exists, tar)")
        self.timed(
            "pg_dump -Fc", lambda: self.run("pg_dump", "-Fc", "--no-owner", "-f", str(dump), source)
        )
        self.timed(
            "tar av MEDIA_ROOT",
            lambda: self.run("tar", "-C", str(source_media), "-czf", str(files), "."),
        )
        restored, media = self.timed(
            "ny database, migrate (en installasjon som skal overskrives)",
            lambda: self.migrated("gjenopprettet"),
        )
        self.timed(
            "pg_restore --clean --if-exists --single-transaction",
            lambda: self.run(
                *("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"),
                *("--exit-on-error",),
                *("-d", restored, str(dump)),
            ),
        )
        self.timed(
            "tar -x i ny MEDIA_ROOT", lambda: self.run("tar", "-C", str(media), "-xzf", str(files))
        )
        print(f"  dumpfil: {dump.stat().st_size / 1024:.0f} KiB")
        self.compare(
            "Rader per tabell, kilde mot gjenopprettet",
            self.table_counts(source),
            self.table_counts(restored),
        )
        self.same_file(paper, source_media, media)


def _first_user_id(export: Path) -> int:
    with zipfile.ZipFile(export) as archive, archive.open("data.jsonl") as data:
        return int(json.loads(data.readline())["pk"])


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PGPORT", "5432")))
    parser.add_argument("--user", default=os.environ.get("PGUSER", "postgres"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hf-drill-") as work:
        drill = Drill(args.host, args.port, args.user, Path(work))
        try:
            source = drill.source()
            drill.community_round_trip(*source)
            drill.database_round_trip(*source)
        finally:
            drill.drop_all()
    print("\nOK" if not drill.failed else "\nFEIL")
    return 1 if drill.failed else 0


if __name__ == "__main__":
    sys.exit(main())
