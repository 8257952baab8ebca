from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from helsefellesskap.demo.actionplan import load_demo_plans
from helsefellesskap.demo.annualwheel import load_demo_wheel
from helsefellesskap.demo.cases import load_demo_cases
from helsefellesskap.demo.deviations import load_demo_deviations
from helsefellesskap.demo.indicators import load_demo_indicators
from helsefellesskap.demo.mail import load_demo_mail
from helsefellesskap.demo.organisation import load_demo

ERROR_NOT_DEBUG = (
    "Demodataene har innlogginger med et kjent passord og lastes bare når DEBUG er på. "
    "Bruk --force hvis du virkelig vil laste dem likevel."
)


class Command(BaseCommand):
    help = (
        "Laster demodata: begge helsefellesskapene med parter, organer, syntetiske personer og "
        "medlemskap, én demo-innlogging per rolle, og begge handlingsplanene med et år med "
        "syntetiske statusrapporter. Kan kjøres flere ganger."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Last demodata også når DEBUG er av (aldri i produksjon).",
        )

    def handle(self, *args, force: bool = False, **options):
        if not (settings.DEBUG or force):
            raise CommandError(ERROR_NOT_DEBUG)
        result = load_demo(stdout=self.stdout)
        self.stdout.write(
            f"Demodata: {result['communities']} helsefellesskap, {result['parties']} parter, "
            f"{result['bodies']} organer, {result['people']} personer, "
            f"{result['memberships']} medlemskap "
            f"({result['created']} nye og {result['updated']} endrede rader i denne kjøringen)."
        )
        plans = load_demo_plans()
        self.stdout.write(
            f"Handlingsplaner: {plans['plans']} planer med {plans['measures']} tiltak, "
            f"{plans['reports']} statusrapporter ({plans['created']} nye i denne kjøringen)."
        )
        deviations = load_demo_deviations()
        self.stdout.write(
            f"Samhandlingsavvik: {deviations['deviations']} "
            f"({deviations['created']} nye i denne kjøringen)."
        )
        result["logins"] += deviations["logins"]
        cases = load_demo_cases()
        self.stdout.write(
            f"Saker og møter: {cases['cases']} saker, {cases['meetings']} møter "
            f"({cases['created']} nye i denne kjøringen)."
        )
        indicators = load_demo_indicators()
        self.stdout.write(
            f"Styringsinformasjon: {indicators['indicators']} indikatorer, "
            f"{indicators['observations']} målinger, {indicators['population']} befolkningstall "
            f"({indicators['created']} nye og {indicators['updated']} endrede rader i denne "
            "kjøringen)."
        )
        wheel = load_demo_wheel()  # after the cases: rules skip dates that have a meeting
        self.stdout.write(f"Årshjul: {wheel['created']} nye regler og hendelser i denne kjøringen.")
        mail = load_demo_mail()
        self.stdout.write(f"E-post: {mail['created']} nye demo-e-poster i denne kjøringen.")
        self.stdout.write("")
        self.stdout.write(f"Demo-innlogginger (passord: {result['password']}):")
        width = max(len(description) for description, _email in result["logins"])
        for description, email in result["logins"]:
            self.stdout.write(f"  {description.ljust(width)}   {email}")
