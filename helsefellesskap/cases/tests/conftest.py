import datetime

import pytest
from django.utils import timezone

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


@pytest.fixture
def meeting_world(case_world):
    w = case_world
    start = timezone.make_aware(datetime.datetime(2026, 3, 30, 10, 0))
    w.meeting = services.meeting_create(
        actor=w.secretariat,
        community=w.community,
        bodies=[w.council],
        title="Møte i fagrådet",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        location="Sykehuset, møterom 2",
    )
    w.case = w.make_case(
        title="Ny rutine for utskrivning",
        public_title="Rutine for utskrivning",
        decision_kind="guideline_revision",
    )
    (w.treatment,) = services.case_route(actor=w.secretariat, case=w.case, bodies=[w.council])
    w.item = services.agenda_add(actor=w.secretariat, meeting=w.meeting, treatment=w.treatment)
    return w
