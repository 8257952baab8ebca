"""Who may see and act on collaboration deviations: reporters, handlers of the parties involved,
the GP liaison and the secretariat."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from helsefellesskap.core import access
from helsefellesskap.core.pages import Task
from helsefellesskap.organisation.models import Body, Community, Membership, Person

from . import workflow
from .models import Deviation, Handler


@dataclass(frozen=True)
class DeviationAccess:
    """What a user's handler roles and affiliations give them in the deviation routine."""

    handler_parties: frozenset[int] = frozenset()  # parties they handle for (whole party)
    handler_units: frozenset[int] = frozenset()  # units they handle for
    liaison_parties: frozenset[int] = frozenset()  # parties whose GP reports they triage
    reporter_parties: dict[int, int] = field(default_factory=dict)  # community -> their party


def deviation_access(user) -> DeviationAccess:
    if user is None or not user.is_authenticated:
        return DeviationAccess()
    cached = getattr(user, "_hf_deviation_access", None)
    if cached is not None:
        return cached
    parties, units, liaison = set(), set(), set()
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


def deviation_roles(user, deviation) -> set[str]:
    """Who the user is in this case (see deviations.workflow); empty when they may not see it."""

    if not access.access_for(user).is_authenticated:
        return set()
    grant = deviation_access(user)
    roles = set()
    # The reporting side's handlers act for the reporter, but never for a party that is also the
    # receiving side: a party cannot accept its own answer.
    receiving = {deviation.concerned_party_id, deviation.handling_party_id}
    reporting_side = (
        deviation.reporting_party_id in grant.handler_parties
        and deviation.reporting_party_id not in receiving
    )
    if deviation.reporter_id == user.pk or reporting_side:
        roles.add(workflow.REPORTER)
    in_triage = deviation.state == "triage"  # only the GP liaison acts before triage is done
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


def involved_party_ids(deviation) -> set[int]:
    return {deviation.reporting_party_id, deviation.concerned_party_id, deviation.handling_party_id}


def can_view_deviation(user, deviation) -> bool:
    """The reporter, handlers of every party involved, the GP liaison and the secretariat."""
    if deviation_roles(user, deviation):
        return True
    grant = deviation_access(user)
    return bool(involved_party_ids(deviation) & grant.handler_parties)


def visible_deviations_filter(user, community):
    """A Q object for the deviations of `community` the user may see (the list pages)."""

    if not access.access_for(user).is_authenticated:
        return Q(pk__in=[])
    if access.can_administer(user, community):
        return Q(community=community)
    grant = deviation_access(user)
    parties = grant.handler_parties
    q = (
        Q(reporter=user)
        | Q(reporting_party__in=parties)
        | Q(concerned_party__in=parties)
        | Q(handling_party__in=parties)
        | Q(handling_unit__in=grant.handler_units)
    )
    if grant.liaison_parties:
        q |= Q(by_gp=True, concerned_party__in=grant.liaison_parties)
    return Q(community=community) & q


def user_representative_seat(user, community):
    """The user's current seat as user representative in the community, or None."""
    if not access.access_for(user).is_authenticated:
        return None
    return (
        Membership.objects.current()
        .filter(
            community=community, person__user=user, representation=Membership.Representation.USER
        )
        .first()
    )


def can_report_deviation(user, community) -> bool:
    """Health workers of a party of the community (their Person has a party) and user
    representatives. The same rule as the report service."""
    return community.pk in deviation_access(user).reporter_parties or bool(
        user_representative_seat(user, community)
    )


def can_view_deviation_statistics(user, community) -> bool:
    """The secretariat and members of ASU."""
    return access.can_administer(user, community) or access.holds_seat(
        user, community, kinds=[Body.Kind.ADMINISTRATIVE]
    )


def deviation_or_deny(user, community: Community, number: str):

    deviation = get_object_or_404(
        Deviation.objects.select_related(
            "community",
            "category",
            "reporting_party",
            "concerned_party",
            "handling_party",
            "reporting_unit__party",
            "concerned_unit__party",
            "handling_unit__party",
            "theme",
        ),
        community=community,
        number=number,
    )
    if not can_view_deviation(user, deviation):
        if not access.access_for(user).is_authenticated:
            raise access.LoginRequired
        raise access.Http404  # nobody outside the case learns that it exists
    return deviation


def home_tasks(user: Any, community: Any) -> list[Task]:
    """The report card on the community's home page, for those who may report."""
    if not can_report_deviation(user, community):
        return []
    url = reverse("deviations:report", args=[community.slug])
    text = _("Når samarbeidet mellom sykehus, kommune og fastlege svikter")
    return [Task(10, _("Meld samhandlingsavvik"), text, url)]
