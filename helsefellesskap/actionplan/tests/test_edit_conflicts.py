"""Two secretaries edit the same measure or goal of a draft plan: the second save never silently
wipes the first."""

import pytest

from helsefellesskap.core.tests.edit_conflicts import race

from .test_views import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(client, plan_world):
    client.force_login(plan_world.secretariat)
    client.post(url("revision_start", plan_world))
    return plan_world.plan.versions.get(status="draft")


def test_a_measure_in_a_draft_plan(client, plan_world, draft):
    measure = draft.measures.get(code="1 a)")
    page = url("measure_edit", plan_world, draft.number, measure.lineage)
    result = race(client, page, {"text": "Den første teksten"}, {"text": "Min tekst"})
    assert "Den første teksten" in result.conflict.text
    assert draft.measures.get(lineage=measure.lineage).text == "Min tekst"


def test_a_goal_in_a_draft_plan(client, plan_world, draft):
    goal = draft.goals.get(code="1")
    page = url("goal_edit", plan_world, draft.number, goal.lineage)
    race(client, page, {"title": "Første mål"}, {"title": "Mitt mål"})
    assert draft.goals.get(lineage=goal.lineage).title == "Mitt mål"
