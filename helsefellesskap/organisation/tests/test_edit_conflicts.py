"""Two secretaries edit the same membership, person, party, body or region: the second save
never silently wipes the first."""

from django.urls import reverse

from helsefellesskap.core.tests.edit_conflicts import race
from helsefellesskap.organisation.models import Membership, Person

from .factories import PersonFactory


def test_a_membership(client, world):
    seat = Membership.objects.get(person__user=world.member)
    client.force_login(world.secretariat)
    url = reverse("organisation:membership_edit", args=[world.community.slug, seat.pk])
    result = race(client, url, {"note": "Endret av den første"}, {"note": "Min merknad"})
    assert "Endret av den første" in result.conflict.text  # what the other changed is shown
    seat.refresh_from_db()
    assert seat.note == "Min merknad"


def test_a_person(client, world):
    person = PersonFactory(community=world.community, title="Rådgiver")
    client.force_login(world.secretariat)
    url = reverse("organisation:person_edit", args=[world.community.slug, person.pk])
    result = race(client, url, {"title": "Seniorrådgiver"}, {"title": "Fagsjef"})
    assert "Seniorrådgiver" in result.conflict.text
    assert Person.objects.get(pk=person.pk).title == "Fagsjef"


def test_a_party(client, world):
    client.force_login(world.secretariat)
    url = reverse("organisation:party_edit", args=[world.community.slug, world.municipality.pk])
    result = race(client, url, {"name": "Testby kommune (ny)"}, {"name": "Testby bykommune"})
    assert "Testby kommune (ny)" in result.conflict.text
    world.municipality.refresh_from_db()
    assert world.municipality.name == "Testby bykommune"


def test_a_body(client, world):
    client.force_login(world.secretariat)
    url = reverse("organisation:body_edit", args=[world.community.slug, world.council.slug])
    race(client, url, {"mandate": "Første mandat"}, {"mandate": "Mitt mandat"})
    world.council.refresh_from_db()
    assert world.council.mandate == "Mitt mandat"
