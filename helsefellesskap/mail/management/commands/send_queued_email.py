from django.core.management.base import BaseCommand

from helsefellesskap.mail.services import email_send_due


class Command(BaseCommand):
    help = "Send every queued e-mail whose next attempt is due (run from cron as a safety net)."

    def handle(self, *args, **options):
        sent = email_send_due()
        self.stdout.write(f"{sent} sent")
