"""URLs that fail on purpose, in front of the product's own, for tests/test_errors.py."""

from django.db import OperationalError
from django.urls import path

from helsefellesskap.urls import urlpatterns as product_urls


def boom(request):
    raise RuntimeError("a bug")


def outage(request):
    raise OperationalError("connection refused")


urlpatterns = [path("feil/500/", boom), path("feil/503/", outage), *product_urls]

handler400 = "helsefellesskap.core.errors.bad_request"
handler403 = "helsefellesskap.core.errors.permission_denied"
handler404 = "helsefellesskap.core.errors.page_not_found"
handler500 = "helsefellesskap.core.errors.server_error"
