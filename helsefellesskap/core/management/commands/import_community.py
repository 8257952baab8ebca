from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from helsefellesskap.core.backup import BackupError, import_community


class Command(BaseCommand):
    help = _(
        "Importerer en eksport fra export_community i en ny, tom installasjon, i én transaksjon "
        "(alt eller ingenting). Se docs/backup.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("Zip-filen fra export_community."))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Gjør hele importen med alle kontroller, og rull den tilbake til slutt."),
        )

    def handle(self, *args, path: str, dry_run: bool = False, **options):
        try:
            result = import_community(path, dry_run=dry_run)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if options["verbosity"] > 1:
            for label, count in result.counts.items():
                self.stdout.write(f"  {label:<45} {count:>7} {result.found[label]:>7}")
        rows = sum(result.counts.values())
        if result.dry_run:
            self.stdout.write(
                _(
                    "Prøveimport av «%(community)s»: %(rows)s rader og %(files)s filer gikk bra, "
                    "og alt er rullet tilbake."
                )
                % {"community": result.community, "rows": rows, "files": result.files}
            )
            return
        self.stdout.write(
            _(
                "Importerte «%(community)s»: %(rows)s rader i %(models)s tabeller og "
                "%(files)s filer. Radtallene stemmer med eksporten."
            )
            % {
                "community": result.community,
                "rows": rows,
                "models": len(result.counts),
                "files": result.files,
            }
        )
        self.stdout.write(
            _(
                "Brukere: %(matched)s fantes fra før (samme e-postadresse), %(moved)s fikk ny id "
                "fordi id-en var i bruk. De nye brukerne har ikke noe passord: de logger inn "
                "første gang med «Glemt passord»."
            )
            % {"matched": result.users_matched, "moved": result.users_new_id}
        )
