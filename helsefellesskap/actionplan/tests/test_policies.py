"""The action plan's visibility rules, row by row: what the public, an outsider, a member and the
secretariat see of plans, versions, the tree and the status reports."""

import pytest
from django.contrib.auth.models import AnonymousUser

from helsefellesskap.actionplan import policies, services
from helsefellesskap.actionplan.models import (
    ActionPlan,
    FocusArea,
    Goal,
    Measure,
    MeasureYear,
    PlanVersion,
    StatusReport,
)

from .conftest import small_plan

pytestmark = pytest.mark.django_db

TREE = [FocusArea, Goal, Measure, MeasureYear]


def _tree_versions(model, user):
    path = "measure__version" if model is MeasureYear else "version"
    return set(model.objects.visible_to(user).values_list(path, flat=True))


def test_the_public_sees_adopted_versions_and_their_tree_but_no_draft(plan_world):
    draft = services.revision_start(actor=plan_world.secretariat, plan=plan_world.plan)
    anonymous = AnonymousUser()
    for user in [anonymous, plan_world.outsider]:
        assert set(PlanVersion.objects.visible_to(user)) == {plan_world.version}
        for model in TREE:
            assert _tree_versions(model, user) == {plan_world.version.pk}, model
    for user in [plan_world.member, plan_world.secretariat, plan_world.admin]:
        assert set(PlanVersion.objects.visible_to(user)) == {plan_world.version, draft}
        for model in TREE:
            assert _tree_versions(model, user) == {plan_world.version.pk, draft.pk}, model


def test_a_replaced_version_stays_public(plan_world):
    draft = services.revision_start(actor=plan_world.secretariat, plan=plan_world.plan)
    draft.status, draft.is_current = PlanVersion.Status.ADOPTED, True
    PlanVersion.objects.filter(pk=plan_world.version.pk).update(
        is_current=False, status=PlanVersion.Status.RETIRED
    )
    draft.save()
    assert set(PlanVersion.objects.visible_to(AnonymousUser())) == {plan_world.version, draft}


def test_a_plan_without_an_adopted_version_is_for_members(plan_world):
    unadopted = services.plan_import(
        actor=None,
        community=plan_world.community,
        data={**small_plan("draft"), "period_start": 2026, "period_end": 2029},
    ).plan
    assert set(ActionPlan.objects.visible_to(AnonymousUser())) == {plan_world.plan}
    assert set(ActionPlan.objects.visible_to(plan_world.outsider)) == {plan_world.plan}
    assert set(ActionPlan.objects.visible_to(plan_world.member)) == {plan_world.plan, unadopted}
    assert not PlanVersion.objects.visible_to(AnonymousUser()).filter(plan=unadopted).exists()


def test_status_reports_follow_the_published_status(plan_world):
    measure = plan_world.version.measures.get(code="1 a)")
    report = services.status_report(actor=plan_world.chair, measure=measure, status="started")
    anonymous = AnonymousUser()
    assert not StatusReport.objects.visible_to(anonymous).exists()
    assert not policies.can_view_plan_status(anonymous, plan_world.plan)
    assert list(StatusReport.objects.visible_to(plan_world.member)) == [report]
    assert policies.can_view_plan_status(plan_world.member, plan_world.plan)
    services.plan_publish_status(actor=plan_world.secretariat, plan=plan_world.plan, public=True)
    assert list(StatusReport.objects.visible_to(anonymous)) == [report]
    assert policies.can_view_plan_status(anonymous, plan_world.plan)
    plan_world.community.is_published = False
    plan_world.community.save()
    assert not StatusReport.objects.visible_to(anonymous).exists()
    assert not policies.can_view_plan_status(plan_world.outsider, plan_world.plan)


def test_only_the_secretariat_changes_plans(plan_world):
    assert policies.can_edit_plan(plan_world.secretariat, plan_world.plan)
    assert policies.can_edit_plan(plan_world.admin, plan_world.plan)
    for user in [plan_world.chair, plan_world.member, plan_world.outsider, AnonymousUser()]:
        assert not policies.can_edit_plan(user, plan_world.plan)


def test_status_is_reported_by_acting_seats_of_a_responsible_body(plan_world):
    own = plan_world.version.measures.get(code="1 a)")  # the council's
    other = plan_world.version.measures.get(code="3 a)")  # ASU's
    assert policies.status_reporting_bodies(plan_world.chair, own) == [plan_world.council]
    assert policies.can_report_status(plan_world.member, own)
    assert not policies.can_report_status(plan_world.chair, other)
    assert not policies.can_report_status(plan_world.outsider, own)
    assert policies.status_reporting_bodies(plan_world.secretariat, other) == [plan_world.asu]
