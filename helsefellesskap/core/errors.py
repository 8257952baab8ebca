"""Error pages in Norwegian, with the layout, a plain explanation and a way on.

Django calls the handlers named in the root URLconf (400, 403, 404, 500) and `csrf_failure`
(settings.CSRF_FAILURE_VIEW). A database outage answers 503 through `DatabaseUnavailableMiddleware`.
The 500 and 503 pages render without the request's context processors, which may need the very
database that failed."""

import logging
import sys
from dataclasses import dataclass
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


@dataclass(frozen=True)
class ErrorPage:
    status: int
    title: str | Promise
    text: str | Promise
    hint: str | Promise = ""


BAD_REQUEST = ErrorPage(
    400,
    _("Forespørselen kunne ikke forstås"),
    _("Noe i adressen eller skjemaet var ikke slik vi ventet."),
    _("Gå tilbake i nettleseren og prøv igjen."),
)
FORBIDDEN = ErrorPage(
    403,
    _("Du har ikke tilgang til denne siden"),
    _("Siden finnes, men den er for andre roller enn din."),
    _("Kontakt sekretariatet i helsefellesskapet hvis du mener at du skal ha tilgang."),
)
NOT_FOUND = ErrorPage(
    404,
    _("Fant ikke siden"),
    _("Adressen kan være feil, eller siden kan være flyttet eller fjernet."),
    _("Noen sider vises bare for dem som er logget inn og har et verv i helsefellesskapet."),
)
SERVER_ERROR = ErrorPage(
    500,
    _("Noe gikk galt hos oss"),
    _("Feilen er registrert, og vi ser på den. Prøv igjen om litt."),
    _("Det du skrev i et skjema, finner du igjen ved å gå tilbake i nettleseren."),
)
UNAVAILABLE = ErrorPage(
    503,
    _("Tjenesten er midlertidig utilgjengelig"),
    _("Vi får ikke kontakt med databasen akkurat nå. Prøv igjen om litt."),
    _("Det du skrev i et skjema, finner du igjen ved å gå tilbake i nettleseren."),
)
STILL_WORKING = ErrorPage(
    409,
    _("Skjemaet er fortsatt under behandling"),
    _("Du sendte det samme skjemaet flere ganger, og den første innsendingen er ikke ferdig."),
    _("Vent litt og last siden på nytt. Ikke send skjemaet en gang til."),
)
CSRF_FAILED = ErrorPage(
    403,
    _("Skjemaet kunne ikke sendes"),
    _("Siden var for gammel, eller nettleseren sendte ikke informasjonskapselen vi trenger."),
    _(
        "Gå tilbake, last siden på nytt og send skjemaet igjen. Det du skrev, er ikke sendt; "
        "lange skjemaer har det som utkast i nettleseren."
    ),
)


def render_error(page: ErrorPage, request: HttpRequest | None = None) -> HttpResponse:
    """The page; with `request` None, without context processors (they may need the database)."""
    body = render_to_string("errors/error.html", {"page": page}, request=request)
    response = HttpResponse(body, status=page.status)
    if page.status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error(BAD_REQUEST, request)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error(FORBIDDEN, request)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error(NOT_FOUND, request)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django calls this while handling the exception: an outage that escaped the middleware
    (in a template, say) still gets the 503 page."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return render_error(UNAVAILABLE)
    return render_error(SERVER_ERROR)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render_error(CSRF_FAILED)


class DatabaseUnavailableMiddleware:
    """A database that cannot be reached answers 503 «prøv igjen om litt» instead of a 500."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable: %s %s: %s", request.method, request.path, exception)
        return render_error(UNAVAILABLE)
