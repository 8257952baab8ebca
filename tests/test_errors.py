"""Error pages in Norwegian, with the layout and a way on, for every status we answer with."""

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.errors_urls")]

LAYOUT = "Hopp til hovedinnhold"


def page(response) -> str:
    text = response.content.decode()
    assert LAYOUT in text and 'lang="nb"' in text
    assert "Til forsiden" in text
    return text


def test_404_is_norwegian(client):
    response = client.get("/finnes-ikke/")
    assert response.status_code == 404
    assert "Fant ikke siden" in page(response)
    assert "Not Found" not in response.content.decode()


def test_403_is_norwegian(client, world):
    client.force_login(world.member)
    response = client.get(f"/{world.community.slug}/personer/")
    assert response.status_code == 403
    assert "Du har ikke tilgang til denne siden" in page(response)
    assert "Forbidden" not in response.content.decode()


def test_a_bug_answers_500_in_norwegian(client):
    client.raise_request_exception = False
    response = client.get("/feil/500/")
    assert response.status_code == 500
    text = page(response)
    assert "Noe gikk galt hos oss" in text and "gå tilbake i nettleseren" in text


def test_a_database_outage_answers_503_try_again_soon(client):
    client.raise_request_exception = False
    response = client.get("/feil/503/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Prøv igjen om litt" in page(response)


def test_an_expired_form_is_explained(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.secretariat)
    response = client.post(f"/{world.community.slug}/personer/ny/", {"given_name": "Kari"})
    assert response.status_code == 403
    assert "Skjemaet kunne ikke sendes" in page(response)


def test_400_is_norwegian(client, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = client.get("/", HTTP_HOST="ukjent.example")
    assert response.status_code == 400
    assert "Forespørselen kunne ikke forstås" in page(response)
