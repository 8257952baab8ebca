import pytest
from django.urls import reverse

from helsefellesskap.organisation.tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db


def test_front_page_lists_published_communities_only(client, world):
    CommunityFactory(name="Helsefellesskapet Skjult", is_published=False)
    response = client.get(reverse("organisation:home"))
    assert response.status_code == 200
    assert "Helsefellesskapet Testdalen" in response.text
    assert "Helsefellesskapet Skjult" not in response.text
    assert 'lang="nb"' in response.text
    assert "Hopp til hovedinnhold" in response.text


def test_unpublished_community_is_hidden_from_outsiders(client, world):
    world.community.is_published = False
    world.community.save()
    page = reverse("organisation:community", args=[world.community.slug])
    client.force_login(world.outsider)
    assert client.get(page).status_code == 404
    client.force_login(world.member)
    assert client.get(page).status_code == 200


def test_front_page_shows_a_members_seats_and_marks_their_community(client, world):
    client.force_login(world.chair)
    response = client.get(reverse("organisation:home"))
    assert "Mine verv" in response.text
    assert "Fagråd for pasientsamarbeid" in response.text
    assert "Du er medlem" in response.text


def test_htmx_is_wired_with_the_csrf_token(client, world):
    response = client.get(reverse("organisation:home"))
    assert "htmx" in response.text
    assert 'hx-headers=\'{"X-CSRFToken": "' in response.text


def test_pages_send_a_content_security_policy(client, world):
    response = client.get(reverse("organisation:home"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
