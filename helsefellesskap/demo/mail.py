"""Demo mail for the secretariat's mail page in both demo communities: one mail the server
refused (failed, with its reason) and one waiting for another attempt. Synthetic addresses only.

Idempotent: a mail with the same community, recipient and subject is left alone. The waiting one
is due far ahead, so a running worker does not send it during a demo."""

import datetime
from typing import Any

from django.utils import timezone

from helsefellesskap.mail.models import OutgoingEmail
from helsefellesskap.organisation.models import Community

MAILS: list[dict[str, Any]] = [
    {
        "to": "ukjent.mottaker@example.no",
        "subject": "Invitasjon til møte i ASU",
        "status": OutgoingEmail.Status.FAILED,
        "attempts": 8,
        "last_error": "{'ukjent.mottaker@example.no': (550, b'5.1.1 Mottakeren finnes ikke')}",
        "next_attempt_at": None,
    },
    {
        "to": "fagrad.leder@example.no",
        "subject": "Nytt samhandlingsavvik",
        "status": OutgoingEmail.Status.QUEUED,
        "attempts": 3,
        "last_error": "Connection unexpectedly closed",
        "next_attempt_at": datetime.timedelta(days=365),
    },
]
TEXT = "Dette er en demo-e-post. Den inneholder ingen lenker."


def load_demo_mail() -> dict[str, int]:
    created = 0
    now = timezone.now()
    for community in Community.objects.filter(slug__in=["nordre-trondelag", "st-olavs"]).order_by(
        "pk"
    ):
        for spec in MAILS:
            ahead = spec["next_attempt_at"]
            _mail, new = OutgoingEmail.objects.get_or_create(
                community=community,
                to=spec["to"],
                subject=spec["subject"],
                defaults={
                    "text_body": TEXT,
                    "status": spec["status"],
                    "attempts": spec["attempts"],
                    "last_error": spec["last_error"],
                    "next_attempt_at": now + ahead if ahead else None,
                },
            )
            created += new
    return {"created": created}
