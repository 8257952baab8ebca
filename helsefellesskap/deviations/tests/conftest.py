import datetime

import pytest

from helsefellesskap.deviations import services
from helsefellesskap.deviations.models import Category
from helsefellesskap.organisation.models import Party
from helsefellesskap.organisation.tests.factories import PartyFactory, PersonFactory, UserFactory

from .factories import HandlerFactory, UnitFactory


def _person(world, email, party, unit=None):
    user = UserFactory(email=email, full_name=email.split("@")[0].title())
    PersonFactory(community=world.community, user=user, email=email, party=party, unit=unit)
    return user


@pytest.fixture
def dev_world(world):
    """`world` with the people of the deviation routine: a municipal nurse who reports, handlers
    at the hospital, at her municipality and at an uninvolved municipality, a GP and the
    hospital's GP liaison."""
    w = world
    services.categories_ensure_defaults(w.community)
    w.category = Category.objects.get(community=w.community, name="Epikrise og annen dokumentasjon")
    w.other_municipality = PartyFactory(
        community=w.community, name="Annenby kommune", municipality_number="5002"
    )
    w.gp_party = PartyFactory(
        community=w.community,
        kind=Party.Kind.GP_REPRESENTATION,
        name="Fastlegene",
        municipality_number="",
    )
    w.ward = UnitFactory(party=w.hospital, name="Medisinsk avdeling")
    w.home_care = UnitFactory(party=w.municipality, name="Hjemmetjenesten")
    w.nurse = _person(w, "sykepleier@example.no", w.municipality, w.home_care)
    w.gp = _person(w, "fastlege@example.no", w.gp_party)
    w.hospital_handler = _person(w, "avvik.sykehus@example.no", w.hospital)
    w.municipal_handler = _person(w, "avvik.kommune@example.no", w.municipality)
    w.uninvolved_handler = _person(w, "avvik.annenby@example.no", w.other_municipality)
    w.liaison = _person(w, "praksiskonsulent@example.no", w.hospital)
    for user, party in [
        (w.hospital_handler, w.hospital),
        (w.municipal_handler, w.municipality),
        (w.uninvolved_handler, w.other_municipality),
    ]:
        HandlerFactory(party=party, person=user.people.get())
    HandlerFactory(party=w.hospital, person=w.liaison.people.get(), is_gp_liaison=True)
    return w


@pytest.fixture
def report(dev_world):
    """`report(**overrides)` files a deviation from the nurse to the hospital."""

    def make(actor=None, **overrides):
        values = {
            "actor": actor or dev_world.nurse,
            "community": dev_world.community,
            "category": dev_world.category,
            "kind": "patient",
            "concerned_party": dev_world.hospital,
            "occurred_on": datetime.date.today() - datetime.timedelta(days=1),
            "description": "Pasienten kom hjem uten epikrise. Sendt PLO kl. 14:30.",
        }
        values.update(overrides)
        return services.deviation_report(**values)

    return make
