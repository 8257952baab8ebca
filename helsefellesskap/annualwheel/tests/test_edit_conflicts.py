"""Two secretaries edit the same event or rule of the annual wheel: the second save never
silently wipes the first."""

import pytest
from django.urls import reverse

from helsefellesskap.core.tests.edit_conflicts import race

from .conftest import local, make_event, make_rule

pytestmark = pytest.mark.django_db


def url(name, world, *args):
    return reverse(f"annualwheel:{name}", args=[world.community.slug, *args])


def test_an_event(client, world):
    event = make_event(world.community, local(2027, 3, 4, 10), title="Dialogmøte")
    client.force_login(world.secretariat)
    result = race(
        client, url("event_edit", world, event.pk), {"location": "Rådhuset"}, {"location": "Teams"}
    )
    assert "Rådhuset" in result.conflict.text
    event.refresh_from_db()
    assert event.location == "Teams"


def test_a_rule(client, world):
    rule = make_rule(world.community, world.council)
    client.force_login(world.secretariat)
    race(client, url("rule_edit", world, rule.pk), {"title": "Rådsmøte"}, {"title": "Fagrådsmøte"})
    rule.refresh_from_db()
    assert rule.title == "Fagrådsmøte"
