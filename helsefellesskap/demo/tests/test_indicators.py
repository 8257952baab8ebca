"""The steering-information demo: loaded through the product's load path for both communities,
with nothing left of the synthetic stays, and a second run that changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings

from helsefellesskap.demo.indicators import AGGREGATE_CODE, LATEST, YEARS, load_demo_indicators
from helsefellesskap.demo.organisation import load_demo
from helsefellesskap.indicators import policies
from helsefellesskap.indicators.models import (
    AsuReport,
    Commentary,
    DataLoad,
    Indicator,
    Observation,
    Population,
)
from helsefellesskap.organisation.models import Body, Community, Party

pytestmark = pytest.mark.django_db  # also puts the module fixture on the test database
SLUGS = ("nordre-trondelag", "st-olavs")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The organisation and steering-information demo, loaded once for this module and rolled
    back after it."""
    events = tmp_path_factory.mktemp("events")
    with (
        django_db_blocker.unblock(),
        override_settings(INDICATOR_EVENT_DIR=events),
        transaction.atomic(),
    ):
        load_demo()
        counts = load_demo_indicators()
        yield {**counts, "events": events}
        transaction.set_rollback(True)


def test_both_communities_get_figures_through_the_load_path(demo):
    assert not list(demo["events"].iterdir()), "no stays are left behind"
    for slug in SLUGS:
        community = Community.objects.get(slug=slug)
        municipalities = Party.objects.filter(community=community, kind=Party.Kind.MUNICIPALITY)
        loads = DataLoad.objects.filter(community=community)
        assert set(loads.values_list("kind", "status")) == {
            (DataLoad.Kind.POPULATION, DataLoad.Status.DONE),
            (DataLoad.Kind.DEMO, DataLoad.Status.DONE),
            (DataLoad.Kind.AGGREGATE, DataLoad.Status.DONE),
        }
        assert not loads.exclude(stored_path="").exists()
        population = Population.objects.filter(community=community)
        assert population.count() == municipalities.count() * len(YEARS) * 10
        computed = Indicator.objects.filter(community=community).exclude(computation="")
        assert set(computed.values_list("computation", flat=True)) == (
            set(Indicator.Computation.values) - {""}
        )
        for indicator in computed:
            periods = set(
                Observation.objects.filter(indicator=indicator).values_list("period", flat=True)
            )
            assert {f"{YEARS[-1]}-H2", str(YEARS[-1])} <= periods, indicator.code
        table = Observation.objects.filter(indicator__community=community,
                                           indicator__code=AGGREGATE_CODE)  # fmt: skip
        assert table.count() == municipalities.count() * len(YEARS) * 2


def test_the_analysis_groups_comment_and_report_on_the_latest_half_year(demo):
    year, half = LATEST
    User = get_user_model()
    for slug, analyst in (
        ("nordre-trondelag", None),
        ("st-olavs", "medlem.stolav@example.no"),
    ):
        community = Community.objects.get(slug=slug)
        group = Body.objects.get(community=community, kind=Body.Kind.ANALYSIS_GROUP)
        assert group.memberships.count() >= 2 and not group.is_public
        if analyst:
            assert policies.is_analyst(User.objects.get(email=analyst), community)
        comments = Commentary.objects.filter(community=community, year=year, half=half)
        assert comments.count() == 3
        report = AsuReport.objects.get(community=community, year=year, half=half)
        assert report.is_published
        assert {c.indicator_id for c in comments} <= set(
            report.indicators.values_list("pk", flat=True)
        )
        assert Indicator.objects.filter(community=community, is_published=True).count() == 4


def test_a_second_run_changes_nothing(demo):
    assert demo["created"] > 0
    before = (Observation.objects.count(), DataLoad.objects.count(), Indicator.objects.count())
    with override_settings(INDICATOR_EVENT_DIR=demo["events"]), transaction.atomic():
        again = load_demo_indicators()
    assert (again["created"], again["updated"]) == (0, 0)
    assert (Observation.objects.count(), DataLoad.objects.count(), Indicator.objects.count()) == (
        before
    )
