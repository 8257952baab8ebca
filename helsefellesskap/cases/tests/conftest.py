import pytest

from helsefellesskap.cases import services
from helsefellesskap.organisation.models import Body
from helsefellesskap.organisation.tests.factories import BodyFactory


@pytest.fixture
def case_world(world):
    """`world` with PSU, ASU and AU, and a helper to make a case."""
    world.psu = BodyFactory(
        community=world.community,
        kind=Body.Kind.POLITICAL,
        name="Politisk samarbeidsutvalg",
        short_name="PSU",
        slug="psu",
    )
    world.asu = BodyFactory(
        community=world.community,
        kind=Body.Kind.ADMINISTRATIVE,
        name="Administrativt samarbeidsutvalg",
        short_name="ASU",
        slug="asu",
    )
    world.au = BodyFactory(
        community=world.community,
        kind=Body.Kind.WORKING_COMMITTEE,
        name="Arbeidsutvalget",
        short_name="AU",
        slug="au",
    )

    def make_case(**values):
        values.setdefault("title", "Handlingsplan 2022–2025")
        values.setdefault("type", "decision")
        return services.case_create(actor=world.secretariat, community=world.community, **values)

    world.make_case = make_case
    return world
