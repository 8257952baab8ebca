"""A local SMTP server that records every message it accepts, for the fault script.

Modes: "up" accepts everything; "refuse" stops listening (connection refused, a mail server
that is down); "tempfail" keeps listening but answers 451 to DATA (a mail server that is up but
deferring, e.g. greylisting or a full queue). Each accepted message is recorded per recipient
as (recipient, subject, body hash), which is what a duplicate of the same mail shares."""

import email
import email.policy
import hashlib
import threading
import time
from dataclasses import dataclass

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    at: float  # time.monotonic()
    recipient: str
    subject: str
    body_hash: str


class _Handler:
    def __init__(self, sink: "SmtpSink"):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.sink.mode == "tempfail":
            self.sink.deferred += 1
            return "451 4.3.0 Midlertidig feil, prøv igjen senere"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        subject = " ".join(str(message.get("Subject", "")).split())
        body = hashlib.sha256(_body_bytes(message)).hexdigest()[:16]
        now = time.monotonic()
        with self.sink.lock:
            for recipient in envelope.rcpt_tos:
                self.sink.received.append(Received(now, recipient.lower(), subject, body))
        return "250 OK"


def _body_bytes(message) -> bytes:
    """The message's parts without its headers (Date and Message-ID differ on every send)."""
    parts = []
    for part in message.walk():
        if not part.is_multipart():
            parts.append(part.get_payload(decode=True) or b"")
    return b"\0".join(parts)


class SmtpSink:
    def __init__(self, host: str, port: int):
        self.host = host
        self.port = port
        self.mode = "up"
        self.received: list[Received] = []
        self.deferred = 0
        self.lock = threading.Lock()
        self._handler = _Handler(self)
        self._controller: Controller | None = None

    def start(self) -> None:
        self.mode = "up"
        if self._controller is None:
            self._controller = Controller(self._handler, hostname=self.host, port=self.port)
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def fail(self, how: str) -> None:
        """Begin a mail outage: "refuse" or "tempfail"."""
        if how == "refuse":
            self.stop()
            self.mode = "refuse"
        elif how == "tempfail":
            self.mode = "tempfail"
        else:
            raise ValueError(f"unknown mail fault {how!r}")

    def recover(self) -> None:
        self.start()

    def snapshot(self) -> list[Received]:
        with self.lock:
            return list(self.received)
