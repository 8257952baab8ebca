"""Who may see and act on collaboration deviations: reporters, handlers of the parties involved,
the GP liaison and the secretariat.

One rule says who sees a case (`DeviationPolicy.visible`); the object check, the lists, the
case's history and `deviation_or_deny` all come from it. `deviation_roles` says who the user is
*in* a case, for the workflow table; it is built from the same handler roles, and every role it
grants belongs to someone the rule shows the case to (a test walks every persona and case)."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from helsefellesskap.core import access
from helsefellesskap.core.pages import Task
from helsefellesskap.core.policies import EVERYTHING, NOTHING, Policy, get_visible_or_404, register
from helsefellesskap.organisation.models import Body, Community, Membership, Person

from . import workflow
from .models import Category, Deviation, DeviationSettings, Event, Handler, Theme


@dataclass(frozen=True)
class DeviationAccess:
    """What a user's handler roles and affiliations give them in the deviation routine."""

    handler_parties: frozenset[int] = frozenset()  # parties they handle for (whole party)
    handler_units: frozenset[int] = frozenset()  # units they handle for
    liaison_parties: frozenset[int] = frozenset()  # parties whose GP reports they triage
    reporter_parties: dict[int, int] = field(default_factory=dict)  # community -> their party


NO_DEVIATION_ACCESS = DeviationAccess()


def deviation_access(user: Any) -> DeviationAccess:
    """The user's handler roles and parties, read once per request (two queries)."""
    if not access.access_for(user).is_authenticated:
        return NO_DEVIATION_ACCESS
    cached: DeviationAccess | None = getattr(user, "_hf_deviation_access", None)
    if cached is not None:
        return cached
    parties: set[int] = set()
    units: set[int] = set()
    liaison: set[int] = set()
    for party_id, unit_id, is_liaison in Handler.objects.filter(person__user=user).values_list(
        "party_id", "unit_id", "is_gp_liaison"
    ):
        (units.add(unit_id) if unit_id else parties.add(party_id))
        if is_liaison:
            liaison.add(party_id)
    reporters = dict(
        Person.objects.filter(user=user, party__isnull=False).values_list(
            "community_id", "party_id"
        )
    )
    grant = DeviationAccess(frozenset(parties), frozenset(units), frozenset(liaison), reporters)
    user._hf_deviation_access = grant
    return grant


# --- Cases and their history ---------------------------------------------------------------------


def _case_rule(policy: Policy[Any], user: Any, prefix: str = "") -> Q:
    """The cases the user may see, in every community: those they reported; those where a party
    they handle for reported, is concerned or handles the case now; those with their unit now;
    GP reports about the party whose GP liaison they are (all of these in a community they may
    visit: published, or where they hold a seat); every case of a community whose secretariat
    they sit in (the platform admin: all). `prefix` is the path to the case."""
    grant = access.access_for(user)
    if not grant.is_authenticated:
        return NOTHING
    if grant.is_platform_admin:
        return EVERYTHING
    handles = deviation_access(user)
    parties = handles.handler_parties
    involved = (
        Q(**{f"{prefix}reporter": grant.user_id})
        | Q(**{f"{prefix}reporting_party__in": parties})
        | Q(**{f"{prefix}concerned_party__in": parties})
        | Q(**{f"{prefix}handling_party__in": parties})
        | Q(**{f"{prefix}handling_unit__in": handles.handler_units})
    )
    if handles.liaison_parties:
        involved |= Q(
            **{f"{prefix}by_gp": True, f"{prefix}concerned_party__in": handles.liaison_parties}
        )
    # Reporters and handlers need not hold a seat; like every page of the community, their
    # cases are closed to them while the community is unpublished, unless they hold one.
    reachable = policy.published() | policy.of_members(user)
    return (involved & reachable) | policy.administered(user)


@register
class DeviationPolicy(Policy[Deviation]):
    """Nobody outside the case learns that it exists: not the public, not the community's other
    members. Changes to a case go through the workflow table and `deviation_roles`; what the
    secretariat changes outside it (the theme) is its `editable`."""

    model = Deviation

    def visible(self, user: Any) -> Q:
        return _case_rule(self, user)


@register
class EventPolicy(Policy[Event]):
    """An event of the history is seen with its case; nobody changes history."""

    model = Event
    community_field = "deviation__community"

    def visible(self, user: Any) -> Q:
        return _case_rule(self, user, prefix="deviation__")

    def editable(self, user: Any) -> Q:
        return NOTHING


CASE_RELATED = (
    "community",
    "category",
    "reporting_party",
    "concerned_party",
    "handling_party",
    "reporting_unit__party",
    "concerned_unit__party",
    "handling_unit__party",
    "theme",
)


def deviation_or_deny(user: Any, community: Community, number: str) -> Deviation:
    """The case `number` of `community`, if the user may see it: a login for the anonymous
    visitor, 404 for everyone else (nobody outside the case learns that it exists)."""
    found: Deviation = get_visible_or_404(
        Deviation.objects.select_related(*CASE_RELATED), user, community=community, number=number
    )
    return found


def can_view_deviation(user: Any, deviation: Deviation) -> bool:
    return DeviationPolicy().can_view(user, deviation)


def deviation_roles(user: Any, deviation: Deviation) -> set[str]:
    """Who the user is in this case (see deviations.workflow); empty when they may not act. Every
    role here belongs to someone `DeviationPolicy` shows the case to: the reporter, a handler of
    the reporting or handling party or unit, the GP liaison of the party concerned, the
    secretariat."""
    if not access.access_for(user).is_authenticated:
        return set()
    if not access.can_view_community(user, deviation.community):
        return set()  # an unpublished community, and no seat in it (the rule hides its cases)
    grant = deviation_access(user)
    roles = set()
    # The reporting side's handlers act for the reporter, but never for a party that is also the
    # receiving side: a party cannot accept its own answer.
    receiving = {deviation.concerned_party_id, deviation.handling_party_id}
    reporting_side = (
        deviation.reporting_party_id in grant.handler_parties
        and deviation.reporting_party_id not in receiving
    )
    if (deviation.reporter_id is not None and deviation.reporter_id == user.pk) or reporting_side:
        roles.add(workflow.REPORTER)
    # Only the GP liaison acts before triage is done.
    in_triage = deviation.state == Deviation.State.TRIAGE
    if not in_triage and (
        deviation.handling_party_id in grant.handler_parties
        or (deviation.handling_unit_id and deviation.handling_unit_id in grant.handler_units)
    ):
        roles.add(workflow.RECEIVER)
    if deviation.by_gp and deviation.concerned_party_id in grant.liaison_parties:
        roles.add(workflow.GP_LIAISON)
    if access.can_administer(user, deviation.community):
        roles.add(workflow.SECRETARIAT)
    return roles


def may_comment(user: Any, deviation: Deviation) -> bool:
    """Everyone with a role in an open or answered case; nobody once it is closed."""
    return deviation.state != Deviation.State.CLOSED and bool(deviation_roles(user, deviation))


# --- The routine's own rows ----------------------------------------------------------------------


@register
class CategoryPolicy(Policy[Category]):
    """Categories name guidelines of the agreement, are shown to every reporter on the report
    form and to everyone in statistics and lists: the community's open rows (its published pages
    and its members). The secretariat keeps them."""

    model = Category

    def visible(self, user: Any) -> Q:
        if access.access_for(user).is_platform_admin:
            return EVERYTHING
        return self.published() | self.of_members(user)


@register
class ThemePolicy(Policy[Theme]):
    """Themes are the secretariat's tool (its themes page and the case's theme picker). Their
    titles also reach those who see a linked case or the statistics, through those pages."""

    model = Theme

    def visible(self, user: Any) -> Q:
        return self.administered(user)


@register
class HandlerPolicy(Policy[Handler]):
    """Who handles deviations for whom: the secretariat's settings page."""

    model = Handler

    def visible(self, user: Any) -> Q:
        return self.administered(user)


@register
class DeviationSettingsPolicy(Policy[DeviationSettings]):
    """Deadline and reminder days: the secretariat's settings page."""

    model = DeviationSettings

    def visible(self, user: Any) -> Q:
        return self.administered(user)


# --- Reporting and statistics --------------------------------------------------------------------


def user_representative_seat(user: Any, community: Community) -> Membership | None:
    """The user's current seat as user representative in the community, or None."""
    if not access.access_for(user).is_authenticated:
        return None
    seat: Membership | None = (
        Membership.objects.current()
        .filter(
            community=community, person__user=user, representation=Membership.Representation.USER
        )
        .first()
    )
    return seat


def can_report_deviation(user: Any, community: Community) -> bool:
    """Health workers of a party of the community (their Person has a party) and user
    representatives. The same rule as the report service."""
    return community.pk in deviation_access(user).reporter_parties or bool(
        user_representative_seat(user, community)
    )


def can_view_deviation_statistics(user: Any, community: Community) -> bool:
    """The secretariat and members of ASU."""
    return access.can_administer(user, community) or access.holds_seat(
        user, community, kinds=[Body.Kind.ADMINISTRATIVE]
    )


def sees_small_numbers(user: Any, community: Community, *, annual_report: bool = False) -> bool:
    """Whether counts of 1–4 for a single municipality are shown as they are: to the secretariat
    on the statistics page. Everyone else sees «under 5», and so does every reader of the annual
    report, which goes to ASU and further."""
    return not annual_report and access.can_administer(user, community)


def can_export_deviations(user: Any, community: Community) -> bool:
    """The de-identified rows as CSV: the secretariat's."""
    return access.can_administer(user, community)


def home_tasks(user: Any, community: Any) -> list[Task]:
    """The report card on the community's home page, for those who may report."""
    if not can_report_deviation(user, community):
        return []
    url = reverse("deviations:report", args=[community.slug])
    text = _("Når samarbeidet mellom sykehus, kommune og fastlege svikter")
    return [Task(10, _("Meld samhandlingsavvik"), text, url)]
