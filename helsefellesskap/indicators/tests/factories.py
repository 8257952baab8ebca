"""Small factories for steering information, and a community with hand-computed figures.

`figures_world(world)` adds to the shared `world` (conftest): two municipal regions, three
municipalities with figures (Testby kommune, already in `world`, has none and no region), an
analysis group with its analyst, and two published indicators:

Readmissions (a proportion ×100, age splits 0–69 / 70+), 2025-H1 stored by age band:

    municipality  region  0–69      70+       all ages
    Aby           Nord    5 / 100   15 / 100   20 / 200   10.0 %
    Bby           Nord    6 / 100   34 / 100   40 / 200   20.0 %  (above the community)
    Cby           Sør     2 / 50     5 / 50     7 / 100    7.0 %  (0–69: «under 5»)
    Nord                 11 / 200   49 / 200   60 / 400   15.0 %
    Sør                   2 / 50     5 / 50     7 / 100    7.0 %
    community            13 / 250   54 / 250   67 / 500   13.4 %

and 2024-H2 stored for all ages only: Aby 10/200, Bby 20/200, Cby 5/100 (community 35/500,
7.0 %).

Discharge-ready patients per 1,000 (a rate, standardised), 2025-H1, two age bands:

    municipality  18–49       80+        crude            standardised
    Aby           1 / 1000    10 / 100   11 / 1100  10.0   (3 + 15) / 3150 × 1000 = 5.714
    Bby           4 / 2000     2 / 50     6 / 2050   2.93  (6 + 6) / 3150 × 1000 = 3.810
    community     5 / 3000    12 / 150   17 / 3150   5.397 (the standard: the same)

with the standard population (Population 2025) 18–49: 3,000, 80+: 150."""

import datetime

import factory
from factory.django import DjangoModelFactory

from helsefellesskap.indicators.models import Frequency, Indicator, Observation, Population
from helsefellesskap.organisation.models import Body, Membership
from helsefellesskap.organisation.tests.factories import (
    BodyFactory,
    MembershipFactory,
    PartyFactory,
    PersonFactory,
    RegionFactory,
    UserFactory,
)


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator

    community = None
    code = factory.Sequence(lambda n: f"indikator-{n}")
    name = factory.Sequence(lambda n: f"Indikator {n}")
    numerator_text = "Hendelser"
    denominator_text = "Utskrivninger"
    unit = "prosent"
    source = "npr"
    is_published = True


def period_parts(period: str) -> tuple[datetime.date, str]:
    """«2025-H1» → (1 January 2025, half-year); «2025-03» → (1 March, month); «2025» → year."""
    year = int(period[:4])
    rest = period[5:]
    if not rest:
        return datetime.date(year, 1, 1), Frequency.YEAR
    if rest.startswith("H"):
        return datetime.date(year, 1 if rest == "H1" else 7, 1), Frequency.HALF_YEAR
    if rest.startswith("T"):
        return datetime.date(year, 4 * int(rest[1]) - 3, 1), Frequency.TERTIAL
    return datetime.date(year, int(rest), 1), Frequency.MONTH


def observe(indicator, municipality, period, numerator, denominator, **breakdown):
    start, kind = period_parts(period)
    return Observation.objects.create(
        community=municipality.community,
        indicator=indicator,
        municipality=municipality,
        period=period,
        period_start=start,
        period_kind=kind,
        numerator=numerator,
        denominator=denominator,
        **breakdown,
    )


def seat(user, body, role=Membership.Role.MEMBER):
    person = PersonFactory(community=body.community, user=user, email=user.email)
    return MembershipFactory(body=body, person=person, role=role)


READMISSION_BANDS = {
    # municipality: {band: (numerator, denominator)}
    "Aby": {"0-17": (0, 10), "18-49": (2, 40), "50-69": (3, 50), "70-79": (6, 40), "80+": (9, 60)},
    "Bby": {
        "0-17": (1, 20),
        "18-49": (2, 30),
        "50-69": (3, 50),
        "70-79": (4, 30),
        "80+": (30, 70),
    },
    "Cby": {"0-17": (0, 10), "18-49": (1, 20), "50-69": (1, 20), "70-79": (2, 25), "80+": (3, 25)},
}


def figures_world(world):
    """See the module's docstring."""
    w = world
    community = w.community
    w.nord = RegionFactory(community=community, name="Nord", order=1)
    w.sor = RegionFactory(community=community, name="Sør", order=2)
    w.aby = PartyFactory(community=community, name="Aby", municipality_number="5101", region=w.nord)
    w.bby = PartyFactory(community=community, name="Bby", municipality_number="5102", region=w.nord)
    w.cby = PartyFactory(community=community, name="Cby", municipality_number="5103", region=w.sor)
    w.analysis_group = BodyFactory(
        community=community, kind=Body.Kind.ANALYSIS_GROUP, name="Analysegruppen", slug="analyse"
    )
    w.analyst = UserFactory(email="analytiker@example.no", full_name="Ada Analytiker")
    seat(w.analyst, w.analysis_group)

    w.readmissions = IndicatorFactory(
        community=community,
        code="reinnleggelser",
        name="Reinnleggelser innen 30 dager",
        factor=100,
        unit="prosent",
        is_proportion=True,
        age_splits=["0-69", "70+"],
    )
    parties = {"Aby": w.aby, "Bby": w.bby, "Cby": w.cby}
    for name, bands in READMISSION_BANDS.items():
        for band, (n, d) in bands.items():
            observe(w.readmissions, parties[name], "2025-H1", n, d, age_band=band)
    for party, (n, d) in [(w.aby, (10, 200)), (w.bby, (20, 200)), (w.cby, (5, 100))]:
        observe(w.readmissions, party, "2024-H2", n, d)

    w.discharge_ready = IndicatorFactory(
        community=community,
        code="utskrivningsklare",
        name="Utskrivningsklare pasienter",
        factor=1000,
        unit="per 1 000 innbyggere",
        is_proportion=False,
        standardised=True,
        denominator_text="Innbyggere",
    )
    for party, rows in [
        (w.aby, {"18-49": (1, 1000), "80+": (10, 100)}),
        (w.bby, {"18-49": (4, 2000), "80+": (2, 50)}),
    ]:
        for band, (n, d) in rows.items():
            observe(w.discharge_ready, party, "2025-H1", n, d, age_band=band)
    for party, counts in [
        (w.aby, {("18-49", "f"): 500, ("18-49", "m"): 500, ("80+", "f"): 60, ("80+", "m"): 40}),
        (w.bby, {("18-49", "f"): 1000, ("18-49", "m"): 1000, ("80+", "f"): 30, ("80+", "m"): 20}),
    ]:
        for (band, sex), count in counts.items():
            Population.objects.create(
                community=community,
                municipality=party,
                year=2025,
                sex=sex,
                age_band=band,
                count=count,
            )
    return w
