import pytest

from helsefellesskap.actionplan import services
from helsefellesskap.organisation.models import Body
from helsefellesskap.organisation.tests.factories import BodyFactory


def small_plan(status="adopted"):
    """A plan of two focus areas, three goals and four measures, the council owning two."""
    return {
        "format": "helsefellesskap-handlingsplan/1",
        "title": "Handlingsplan for Testdalen",
        "motto": "Sammen om pasienten",
        "period_start": 2022,
        "period_end": 2025,
        "version": {
            "label": "Handlingsplan 2022–2025",
            "status": status,
            "recommended_by": "ASU",
            "adopted_by": "PSU",
            "recommended_on": "2022-03-01",
            "adopted_on": "2022-03-30",
        },
        "focus_areas": [
            {
                "code": "1",
                "title": "Helhetlige pasientforløp",
                "goals": [
                    {
                        "code": "1",
                        "title": "Sømløse tjenester",
                        "measures": [
                            {
                                "code": "1 a)",
                                "text": "Prioritere skrøpelige eldre",
                                "responsible": ["Fagråd for pasientsamarbeid"],
                                "years": {"2022": ""},
                                "priority_groups": ["frail_elderly"],
                            },
                            {
                                "code": "1 b)",
                                "text": "Plan for barn og unge",
                                "responsible": ["Fagråd for pasientsamarbeid", "ASU"],
                                "years": {"2023": "oppstart høst", "2024": ""},
                                "priority_groups": ["children_youth"],
                                "references": ["2"],
                            },
                        ],
                    },
                    {
                        "code": "2",
                        "title": "Trygge overganger",
                        "measures": [
                            {
                                "code": "2",
                                "text": "Felles rutine for utskrivning",
                                "responsible_text": "Kommunene og sykehuset",
                                "years": {"2030": ""},
                            },
                        ],
                    },
                ],
            },
            {
                "code": "2",
                "title": "Digital samhandling",
                "goals": [
                    {
                        "code": "3",
                        "title": "Bedre meldingsflyt",
                        "measures": [
                            {
                                "code": "3 a)",
                                "text": "Videreutvikle elektroniske meldinger",
                                "responsible": ["ASU"],
                                "years": {"2023": ""},
                            },
                        ],
                    },
                ],
            },
        ],
    }


@pytest.fixture
def plan_world(world):
    """`world` with PSU and ASU, and the small plan adopted."""
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
    world.version = services.plan_import(actor=None, community=world.community, data=small_plan())
    world.plan = world.version.plan
    return world
