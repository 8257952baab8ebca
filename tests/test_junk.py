"""Junk in a URL or a form never gives a 500: every route of the product, with made-up ids and
the real community, answers GET and an empty or junk POST with a 4xx or a page, as the
secretariat, a member and an anonymous visitor."""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _routes(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if not route.startswith("admin/"):
                yield from _routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route


def _fill(route: str, slug: str) -> str:
    def value(match: re.Match) -> str:
        kind, name = match.group(1) or "str", match.group(2)
        if name == "slug":
            return slug
        return {"int": "987654", "uuid": str(uuid.uuid4()), "path": "x/y"}.get(kind, "tull-99")

    return "/" + CONVERTER.sub(value, route)


ROUTES = sorted(set(_routes(get_resolver())))


@pytest.mark.parametrize("route", ROUTES)
def test_junk_ids_never_give_a_server_error(client, world, route):
    url = _fill(route, world.community.slug)
    client.raise_request_exception = False
    for user in (None, world.member, world.secretariat):
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        for response in (
            client.get(url),
            client.post(url, {}),
            client.post(url, {"id": "x' OR 1=1", "pk": "-1", "year": "abc", "date": "31.02"}),
        ):
            assert response.status_code < 500, (url, getattr(user, "email", "anonym"))
