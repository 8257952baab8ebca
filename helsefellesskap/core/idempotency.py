"""Idempotent submits. Every form that changes something carries a fresh token
(`{% form_token %}`); the first POST with a token does the work, and a repeat of the same form
with the same content (a double click, four impatient clicks, a retry after a timeout) gets the
first result, a redirect to where the first submit led, instead of a second row.

A repeat that arrives while the first is still running waits for it. A submit whose first try
ended without a redirect (the form had errors, the database went away) leaves no trace, so the
user can send it again. A token with different content (the user went back and changed the form)
is a new submit.

Residual window, by design: when the work commits but the database goes away before the token is
marked done, a repeat after `ABANDONED_AFTER` does the work again."""

import datetime
import hashlib
import logging
import re
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import STILL_WORKING, render_error
from .models import SubmittedForm

FIELD = "form_token"
# A first submit still unfinished after this long is taken to have died (with its process, or in
# a database outage that kept it from releasing its token): a repeat then does the work.
ABANDONED_AFTER = datetime.timedelta(seconds=20)
# How long a repeat waits for the first submit before answering "still working": longer than
# ABANDONED_AFTER, so a retry after an outage takes over rather than giving up.
WAIT_FOR_FIRST = 25.0
KEEP = datetime.timedelta(days=1)
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

ALREADY_SENT = _("Skjemaet var allerede sendt. Du ser resultatet av den første innsendingen.")

logger = logging.getLogger(__name__)


def _body_hash(request: HttpRequest) -> str:
    fields = sorted(
        (key, value)
        for key, values in request.POST.lists()
        for value in values
        if key not in ("csrfmiddlewaretoken", FIELD)
    )
    files = sorted(
        (key, f.name or "", f.size or 0)
        for key in request.FILES
        for f in request.FILES.getlist(key)
    )
    digest = hashlib.sha256(urlencode(fields).encode())
    digest.update(repr(files).encode())
    return digest.hexdigest()


def _is_result(response: HttpResponse) -> bool:
    """A finished submit answers with a redirect (or htmx's redirect header)."""
    return response.status_code in (301, 302, 303) or "HX-Redirect" in response


def _location(response: HttpResponse) -> str:
    return str(response.get("HX-Redirect") or response.get("Location") or "")


class FormTokenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not _UUID.match(token):
            return self.get_response(request)
        user_id = request.user.pk if request.user.is_authenticated else None
        body_hash = _body_hash(request)
        first = self._claim(token, user_id, body_hash)
        if first is not None:
            return self._repeat(request, first, user_id, body_hash)
        try:
            response = self.get_response(request)
        except BaseException:
            self._forget(token)
            raise
        if _is_result(response):
            SubmittedForm.objects.filter(token=token).update(
                done=True, location=_location(response)[:2000]
            )
        else:
            self._forget(token)
        return response

    def _claim(self, token: str, user_id: int | None, body_hash: str) -> SubmittedForm | None:
        """None when this request is the first (or takes over an abandoned first)."""
        now = timezone.now()
        try:
            with transaction.atomic():
                SubmittedForm.objects.create(
                    token=token, user_id=user_id, body_hash=body_hash, started_at=now
                )
        except IntegrityError:
            taken_over = SubmittedForm.objects.filter(
                token=token, done=False, started_at__lt=now - ABANDONED_AFTER
            ).update(started_at=now, user_id=user_id, body_hash=body_hash)
            if taken_over:
                return None
            return SubmittedForm.objects.filter(token=token).first() or self._claim(
                token, user_id, body_hash
            )
        if now.minute == 0 and now.second < 5:  # now and then, not on every submit
            SubmittedForm.objects.filter(started_at__lt=now - KEEP).delete()
        return None

    def _repeat(
        self, request: HttpRequest, first: SubmittedForm, user_id: int | None, body_hash: str
    ) -> HttpResponse:
        if first.user_id != user_id or first.body_hash != body_hash:
            # Another person's token, or the same form sent with other content: a new submit.
            return self.get_response(request)
        deadline = time.monotonic() + WAIT_FOR_FIRST
        while not first.done and time.monotonic() < deadline:
            time.sleep(0.1)
            refreshed = SubmittedForm.objects.filter(pk=first.pk).first()
            if refreshed is None:  # the first ended without a result: this one tries
                return self.__call__(request)
            if not refreshed.done and refreshed.started_at < timezone.now() - ABANDONED_AFTER:
                return self.__call__(request)  # the first died: this one takes over
            first = refreshed
        if not first.done:
            return render_error(STILL_WORKING, request)
        logger.info("repeated submit answered with the first result")
        messages.info(request, ALREADY_SENT)
        response = HttpResponseRedirect(first.location or request.path)
        response.status_code = 303  # "see the result", whatever the first request's method
        return response

    @staticmethod
    def _forget(token: str) -> None:
        try:
            SubmittedForm.objects.filter(token=token, done=False).delete()
        except Exception:  # noqa: BLE001 - the database may be the reason we are here
            logger.warning("could not release form token after a failed submit")
