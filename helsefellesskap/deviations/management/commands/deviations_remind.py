from django.core.management.base import BaseCommand

from helsefellesskap.deviations.services import send_reminders


class Command(BaseCommand):
    help = (
        "Minner avviksbehandlere på fristen og varsler sekretariatet om saker over fristen. "
        "Kjøres daglig (cron)."
    )

    def handle(self, *args, **options):
        counts = send_reminders()
        self.stdout.write(
            f"{counts['reminded']} påminnelser, {counts['escalated']} varsler om passert frist"
        )
