"""Who may see and change action plans, their versions, measures and status reports.

One rule for the whole tree. Members of a community see every plan and version of it, drafts
included. The public sees a plan of a published community once it has a current (adopted)
version, and of that plan only the adopted versions, current and replaced. The measures' status
is the members'; the public sees it when the secretariat has published the plan's status. Changes
are the secretariat's; status is reported by the secretariat and by the acting members of a
responsible body.
"""

from typing import Any, ClassVar

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from helsefellesskap.core import access
from helsefellesskap.core.pages import Task
from helsefellesskap.core.policies import Policy, get_visible_or_404, register
from helsefellesskap.organisation.models import Body, Community
from helsefellesskap.organisation.policies import ACTING_ROLES

from .models import ActionPlan, FocusArea, Goal, Measure, MeasureYear, PlanVersion, StatusReport

# The versions the public may see: adopted by PSU, whether current or since replaced.
PUBLIC_VERSION_STATES = (PlanVersion.Status.ADOPTED, PlanVersion.Status.RETIRED)


class PlanRowPolicy(Policy[Any]):
    """A row of a plan's tree. `plan_path` leads from the row to its plan ("" for the plan
    itself), `version_path` to its version ("" for the version itself; None where the row
    belongs to no version)."""

    plan_path: ClassVar[str] = ""
    version_path: ClassVar[str | None] = None

    def _plan(self, name: str) -> str:
        return f"{self.plan_path}{name}"

    def plan_public(self) -> Q:
        """Plans of a published community with a current (adopted) version."""
        outer = self.plan_path.removesuffix("__") or "pk"
        current = PlanVersion.objects.filter(plan=OuterRef(outer), is_current=True)
        return self.published() & Q(Exists(current))

    def version_public(self) -> Q:
        """Adopted versions (current or replaced) of a public plan."""
        assert self.version_path is not None
        states = Q(**{f"{self.version_path}status__in": PUBLIC_VERSION_STATES})
        return self.plan_public() & states

    def status_public(self) -> Q:
        """Public plans whose status the secretariat has published."""
        return self.plan_public() & Q(**{self._plan("status_is_public"): True})

    def status_visible(self, user: Any) -> Q:
        """Rows whose plan's status the user may see."""
        return self.of_members(user) | self.status_public()


@register
class ActionPlanPolicy(PlanRowPolicy):
    model = ActionPlan

    def visible(self, user: Any) -> Q:
        return self.of_members(user) | self.plan_public()


class VersionRowPolicy(PlanRowPolicy):
    """A version and everything in it: for members, or public with its adopted version."""

    def visible(self, user: Any) -> Q:
        return self.of_members(user) | self.version_public()


@register
class PlanVersionPolicy(VersionRowPolicy):
    model = PlanVersion
    community_field = "plan__community"
    plan_path = "plan__"
    version_path = ""


@register
class FocusAreaPolicy(VersionRowPolicy):
    model = FocusArea
    community_field = "version__plan__community"
    plan_path = "version__plan__"
    version_path = "version__"


@register
class GoalPolicy(VersionRowPolicy):
    model = Goal
    community_field = "version__plan__community"
    plan_path = "version__plan__"
    version_path = "version__"


@register
class MeasurePolicy(VersionRowPolicy):
    model = Measure
    community_field = "version__plan__community"
    plan_path = "version__plan__"
    version_path = "version__"


@register
class MeasureYearPolicy(VersionRowPolicy):
    model = MeasureYear
    community_field = "measure__version__plan__community"
    plan_path = "measure__version__plan__"
    version_path = "measure__version__"


@register
class StatusReportPolicy(PlanRowPolicy):
    """A status report is seen by whoever may see its plan's status."""

    model = StatusReport
    community_field = "plan__community"
    plan_path = "plan__"

    def visible(self, user: Any) -> Q:
        return self.status_visible(user)


PLANS = ActionPlanPolicy()


# --- Questions about one plan or measure ---------------------------------------------------------


def can_view_plan_status(user: Any, plan: ActionPlan) -> bool:
    """Whether the user sees the measures' status (and their reports) of the plan."""
    rows = ActionPlan.objects.filter(pk=plan.pk)
    return rows.filter(PLANS.status_visible(user)).exists()


def can_edit_plan(user: Any, plan: ActionPlan) -> bool:
    return PLANS.can_edit(user, plan)


def can_view_reporters(user: Any, plan: ActionPlan) -> bool:
    """Who reported a status is named to the community's members only."""
    return access.can_view_private(user, plan.community)


def acting_body_ids(user: Any, community: Community) -> frozenset[int]:
    """The bodies of the community where the user holds a current seat that acts for the body
    (chair, deputy, member, secretary)."""
    return frozenset(
        seat.body_id
        for seat in access.access_for(user).seats
        if seat.community_id == community.pk and seat.role in ACTING_ROLES
    )


def status_reporting_bodies(user: Any, measure: Measure) -> list[Body]:
    """The responsible bodies the user may report for: all of them for the secretariat, else
    those where the user is chair, deputy, member or secretary."""
    bodies = list(measure.responsible_bodies.all())
    community = measure.version.plan.community
    if access.can_administer(user, community):
        return bodies
    acting = acting_body_ids(user, community)
    return [body for body in bodies if body.pk in acting]


def can_report_status(user: Any, measure: Measure) -> bool:
    """The secretariat, or an acting member of one of the measure's responsible bodies."""
    return access.can_administer(user, measure.version.plan.community) or bool(
        status_reporting_bodies(user, measure)
    )


# --- Lookups for views ---------------------------------------------------------------------------


def plan_or_deny(user: Any, community: Community, slug: str, *, edit: bool = False) -> ActionPlan:
    """The plan of a page, with the refusal convention: an outsider gets 404 for a plan not
    adopted yet, the anonymous visitor a login, and a member 403 on a secretariat page."""
    plan: ActionPlan = get_visible_or_404(
        ActionPlan, user, community=community, edit=edit, slug=slug
    )
    return plan


def home_tasks(user: Any, community: Any) -> list[Task]:
    """The module's card on the community's home page."""
    url = reverse("actionplan:plans", args=[community.slug])
    return [Task(20, _("Handlingsplan"), _("Tiltakene, ansvar, år og status"), url)]
