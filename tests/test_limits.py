"""Every text has a maximum length with a Norwegian message; nothing is stored past it."""

import pytest
from django.urls import reverse

from helsefellesskap.cases.models import Case

pytestmark = pytest.mark.django_db

NOVEL = "a" * 100_000


def test_a_case_title_and_background_have_limits(client, world):
    client.force_login(world.secretariat)
    page = reverse("cases:case_create", args=[world.community.slug])
    response = client.post(page, {"title": NOVEL, "type": "decision", "background": NOVEL})
    assert response.status_code == 200
    assert "eller færre tegn" in response.text
    assert not Case.objects.exists()
