"""E-mail backends for tests: a mail server that is down, one that is busy while something else
happens, and a slow one."""

import smtplib
import time

from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend


class DownBackend(BaseEmailBackend):
    """Every connection to the mail server fails, as `smtplib` reports it."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


DOWN = "helsefellesskap.mail.tests.backends.DownBackend"


class DuringSendBackend(BaseEmailBackend):
    """Delivers like Django's test outbox, but first runs `DuringSendBackend.hook` (if set):
    what else happens while the mail server is busy with this mail."""

    hook = None

    def send_messages(self, email_messages):
        if DuringSendBackend.hook is not None:
            DuringSendBackend.hook()
        return locmem.EmailBackend().send_messages(email_messages)


class SlowBackend(BaseEmailBackend):
    """The test outbox behind a slow mail server: each mail takes a moment."""

    def send_messages(self, email_messages):
        time.sleep(0.3)
        return locmem.EmailBackend().send_messages(email_messages)


DURING_SEND = "helsefellesskap.mail.tests.backends.DuringSendBackend"
SLOW = "helsefellesskap.mail.tests.backends.SlowBackend"
