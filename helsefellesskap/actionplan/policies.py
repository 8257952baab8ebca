"""Who may see and change action plans, their versions, measures and status reports."""

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from helsefellesskap.core import access
from helsefellesskap.core.pages import Task
from helsefellesskap.organisation.policies import ACTING_ROLES

from .models import ActionPlan


def can_view_plan_status(user: Any, plan: ActionPlan) -> bool:
    return access.can_view_private(user, plan.community) or (
        plan.status_is_public and access.can_view_community(user, plan.community)
    )


def can_edit_plan(user: Any, plan: ActionPlan) -> bool:
    return access.can_administer(user, plan.community)


def status_reporting_bodies(user: Any, measure: Any) -> list:
    """The responsible bodies the user may report for: all of them for the secretariat, else
    those where the user is chair, deputy, member or secretary."""
    bodies = list(measure.responsible_bodies.all())
    if access.can_administer(user, measure.version.plan.community):
        return bodies
    roles = access.access_for(user).body_roles
    return [b for b in bodies if roles.get(b.pk, frozenset()) & set(ACTING_ROLES)]


def can_report_status(user: Any, measure: Any) -> bool:
    """The secretariat, or a member of one of the measure's responsible bodies."""
    return access.can_administer(user, measure.version.plan.community) or bool(
        status_reporting_bodies(user, measure)
    )


def plan_or_deny(user: Any, community: Any, slug: str, *, edit: bool = False) -> ActionPlan:
    plan = get_object_or_404(ActionPlan, community=community, slug=slug)
    plan.community = community
    has_public_version = plan.versions.filter(is_current=True).exists()
    if not (has_public_version or access.can_view_private(user, community)):
        access.deny(user, community)
    if edit and not can_edit_plan(user, plan):
        access.deny(user, community)
    return plan


def home_tasks(user: Any, community: Any) -> list[Task]:
    """The module's card on the community's home page."""
    url = reverse("actionplan:plans", args=[community.slug])
    return [Task(20, _("Handlingsplan"), _("Tiltakene, ansvar, år og status"), url)]
