from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from helsefellesskap.core.backup import BackupError, export_community


class Command(BaseCommand):
    help = _(
        "Eksporterer alle data for ett helsefellesskap (rader og opplastede filer) til én zip-fil, "
        "uten passord-hasher, innloggingsøkter, e-postkø eller engangslenker. Se docs/backup.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help=_("Helsefellesskapets kortadresse, for eksempel «hnt»."))
        parser.add_argument(
            "-o",
            "--output",
            help=_("Filen som skal skrives (standard: <kortadresse>-<dato>.zip her)."),
        )

    def handle(self, *args, slug: str, output: str | None = None, **options):
        path = Path(output or f"{slug}-{timezone.localdate():%Y-%m-%d}.zip")
        try:
            result = export_community(slug, path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if options["verbosity"] > 1:
            for label, count in result.counts.items():
                self.stdout.write(f"  {label:<45} {count:>7}")
        for name in result.missing_files:
            self.stderr.write(_("Advarsel: filen «%s» mangler i lagringen og er ikke med.") % name)
        self.stdout.write(
            _(
                "Eksporterte «%(community)s»: %(rows)s rader i %(models)s tabeller og "
                "%(files)s filer til %(path)s."
            )
            % {
                "community": result.community,
                "rows": sum(result.counts.values()),
                "models": len(result.counts),
                "files": result.files,
                "path": result.path,
            }
        )
