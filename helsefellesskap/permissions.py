"""Every "may this user do this to this object" answer lives here, and every view asks it.

Roles: the platform administrator (a superuser) may do everything; the secretariat of a community
(anyone with a current seat in its secretariat body) administers everything in that community; a
member (a current seat in any body) sees the community's non-public data; everyone else sees only
what is published.

Views use the `*_or_deny` helpers: an outsider gets 404 (the object is not theirs to know of), a
member without the right gets 403, and an anonymous visitor on a members' page is sent to log in.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from helsefellesskap.organisation.models import Body, Community, Membership


class LoginRequired(Exception):  # noqa: N818 - a signal to the middleware, not an error
    """Raised for an anonymous visitor on a page that needs a login; the middleware redirects."""


@dataclass(frozen=True)
class Access:
    is_authenticated: bool = False
    is_platform_admin: bool = False
    member_of: frozenset[int] = frozenset()
    secretariat_of: frozenset[int] = frozenset()
    body_roles: dict[int, frozenset[str]] = field(default_factory=dict)


ANONYMOUS = Access()


def access_for(user) -> Access:
    """What the user's current seats give them, read once per request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_hf_access", None)
    if cached is not None:
        return cached
    seats = (
        Membership.objects.current()
        .filter(person__user=user)
        .values_list("community_id", "body_id", "body__kind", "role")
    )
    member_of, secretariat_of, body_roles = set(), set(), defaultdict(set)
    for community_id, body_id, body_kind, role in seats:
        member_of.add(community_id)
        body_roles[body_id].add(role)
        if body_kind == Body.Kind.SECRETARIAT:
            secretariat_of.add(community_id)
    access = Access(
        is_authenticated=True,
        is_platform_admin=user.is_superuser,
        member_of=frozenset(member_of),
        secretariat_of=frozenset(secretariat_of),
        body_roles={body: frozenset(roles) for body, roles in body_roles.items()},
    )
    user._hf_access = access
    return access


# --- Questions -----------------------------------------------------------------------------------


def is_member(user, community: Community) -> bool:
    access = access_for(user)
    return access.is_platform_admin or community.pk in access.member_of


def can_administer(user, community: Community) -> bool:
    access = access_for(user)
    return access.is_platform_admin or community.pk in access.secretariat_of


def can_view_community(user, community: Community) -> bool:
    return community.is_published or is_member(user, community)


def can_view_private(user, community: Community) -> bool:
    """The community's non-public data: members' contact details, history, internal bodies."""
    return is_member(user, community)


def can_view_body(user, body: Body) -> bool:
    if body.is_public:
        return can_view_community(user, body.community)
    return can_view_private(user, body.community)


def can_manage_memberships(user, body: Body) -> bool:
    return can_administer(user, body.community)


# --- View helpers --------------------------------------------------------------------------------


def deny(user, community: Community) -> None:
    """Raise the right refusal for someone who may not see a members' page."""
    if not access_for(user).is_authenticated:
        raise LoginRequired
    if not is_member(user, community):
        raise Http404
    raise PermissionDenied


def community_or_deny(user, slug: str, *, private: bool = False, admin: bool = False) -> Community:
    community = get_object_or_404(Community, slug=slug)
    if not can_view_community(user, community):
        if not access_for(user).is_authenticated:
            raise LoginRequired
        raise Http404
    if (private and not can_view_private(user, community)) or (
        admin and not can_administer(user, community)
    ):
        deny(user, community)
    return community


def body_or_deny(user, community: Community, slug: str, *, admin: bool = False) -> Body:
    body = get_object_or_404(Body.objects.select_related("parent"), community=community, slug=slug)
    body.community = community
    if not can_view_body(user, body):
        if not access_for(user).is_authenticated:
            raise LoginRequired
        raise Http404
    if admin and not can_manage_memberships(user, body):
        deny(user, community)
    return body


def membership_or_deny(user, community: Community, pk: int) -> Membership:
    membership = get_object_or_404(
        Membership.objects.select_related("body", "person", "party", "region"),
        community=community,
        pk=pk,
    )
    if not can_manage_memberships(user, membership.body):
        deny(user, community)
    return membership


# --- Action plan ---------------------------------------------------------------------------------

# Seats that act for their body (report status, route cases); substitutes and observers do not.
STATUS_REPORTING_ROLES = (
    Membership.Role.CHAIR,
    Membership.Role.DEPUTY,
    Membership.Role.MEMBER,
    Membership.Role.SECRETARY,
)


def can_view_plan_status(user, plan) -> bool:
    return can_view_private(user, plan.community) or (
        plan.status_is_public and can_view_community(user, plan.community)
    )


def can_edit_plan(user, plan) -> bool:
    return can_administer(user, plan.community)


def status_reporting_bodies(user, measure) -> list:
    """The responsible bodies the user may report for: all of them for the secretariat, else
    those where the user is chair, deputy, member or secretary."""
    bodies = list(measure.responsible_bodies.all())
    if can_administer(user, measure.version.plan.community):
        return bodies
    roles = access_for(user).body_roles
    return [b for b in bodies if roles.get(b.pk, frozenset()) & set(STATUS_REPORTING_ROLES)]


def can_report_status(user, measure) -> bool:
    """The secretariat, or a member of one of the measure's responsible bodies."""
    return can_administer(user, measure.version.plan.community) or bool(
        status_reporting_bodies(user, measure)
    )


def plan_or_deny(user, community: Community, slug: str, *, edit: bool = False):
    from helsefellesskap.actionplan.models import ActionPlan

    plan = get_object_or_404(ActionPlan, community=community, slug=slug)
    plan.community = community
    has_public_version = plan.versions.filter(is_current=True).exists()
    if not (has_public_version or can_view_private(user, community)):
        deny(user, community)
    if edit and not can_edit_plan(user, plan):
        deny(user, community)
    return plan


# --- Collaboration deviations --------------------------------------------------------------------


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
    from helsefellesskap.deviations.models import Handler
    from helsefellesskap.organisation.models import Person

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
    access = DeviationAccess(frozenset(parties), frozenset(units), frozenset(liaison), reporters)
    user._hf_deviation_access = access
    return access


def deviation_roles(user, deviation) -> set[str]:
    """Who the user is in this case (see deviations.workflow); empty when they may not see it."""
    from helsefellesskap.deviations import workflow

    if not access_for(user).is_authenticated:
        return set()
    access = deviation_access(user)
    roles = set()
    # The reporting side's handlers act for the reporter, but never for a party that is also the
    # receiving side: a party cannot accept its own answer.
    receiving = {deviation.concerned_party_id, deviation.handling_party_id}
    reporting_side = (
        deviation.reporting_party_id in access.handler_parties
        and deviation.reporting_party_id not in receiving
    )
    if deviation.reporter_id == user.pk or reporting_side:
        roles.add(workflow.REPORTER)
    in_triage = deviation.state == "triage"  # only the GP liaison acts before triage is done
    if not in_triage and (
        deviation.handling_party_id in access.handler_parties
        or (deviation.handling_unit_id and deviation.handling_unit_id in access.handler_units)
    ):
        roles.add(workflow.RECEIVER)
    if deviation.by_gp and deviation.concerned_party_id in access.liaison_parties:
        roles.add(workflow.GP_LIAISON)
    if can_administer(user, deviation.community):
        roles.add(workflow.SECRETARIAT)
    return roles


def involved_party_ids(deviation) -> set[int]:
    return {deviation.reporting_party_id, deviation.concerned_party_id, deviation.handling_party_id}


def can_view_deviation(user, deviation) -> bool:
    """The reporter, handlers of every party involved, the GP liaison and the secretariat."""
    if deviation_roles(user, deviation):
        return True
    access = deviation_access(user)
    return bool(involved_party_ids(deviation) & access.handler_parties)


def visible_deviations_filter(user, community):
    """A Q object for the deviations of `community` the user may see (the list pages)."""
    from django.db.models import Q

    if not access_for(user).is_authenticated:
        return Q(pk__in=[])
    if can_administer(user, community):
        return Q(community=community)
    access = deviation_access(user)
    parties = access.handler_parties
    q = (
        Q(reporter=user)
        | Q(reporting_party__in=parties)
        | Q(concerned_party__in=parties)
        | Q(handling_party__in=parties)
        | Q(handling_unit__in=access.handler_units)
    )
    if access.liaison_parties:
        q |= Q(by_gp=True, concerned_party__in=access.liaison_parties)
    return Q(community=community) & q


def user_representative_seat(user, community):
    """The user's current seat as user representative in the community, or None."""
    if not access_for(user).is_authenticated:
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


def has_seat_in_kind(user, community, kind: str, roles=None) -> bool:
    """Whether the user holds a current seat (of one of `roles`, any role when None) in a body
    of `kind` in the community."""
    body_roles = access_for(user).body_roles
    bodies = Body.objects.filter(community=community, kind=kind).values_list("pk", flat=True)
    held = (body_roles.get(pk, frozenset()) for pk in bodies)
    return any(r & set(roles) if roles else r for r in held)


def can_view_deviation_statistics(user, community) -> bool:
    """The secretariat and members of ASU."""
    return can_administer(user, community) or has_seat_in_kind(
        user, community, Body.Kind.ADMINISTRATIVE
    )


def deviation_or_deny(user, community: Community, number: str):
    from helsefellesskap.deviations.models import Deviation

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
        if not access_for(user).is_authenticated:
            raise LoginRequired
        raise Http404  # nobody outside the case learns that it exists
    return deviation


# --- Cases and meetings --------------------------------------------------------------------------


def can_manage_cases(user, community) -> bool:
    return can_administer(user, community)


def can_route_cases(user, community) -> bool:
    """The secretariat and the working committee (AU) route cases to the right level; observers
    and substitutes in AU do not."""
    return can_administer(user, community) or has_seat_in_kind(
        user, community, Body.Kind.WORKING_COMMITTEE, STATUS_REPORTING_ROLES
    )


def can_view_meeting(user, meeting) -> bool:
    """Meetings of public bodies are public; meetings of internal bodies are for members."""
    if can_view_private(user, meeting.community):
        return True
    if not can_view_community(user, meeting.community):
        return False
    return meeting.is_public


def can_approve_minutes(user, meeting) -> bool:
    """The secretariat, or a chair of one of the meeting's bodies (electronic approval)."""
    if can_administer(user, meeting.community):
        return True
    roles = access_for(user).body_roles
    return any(
        Membership.Role.CHAIR in roles.get(body_id, frozenset())
        for body_id in meeting.bodies.values_list("pk", flat=True)
    )


def can_view_paper(user, paper) -> bool:
    """A public paper of a case is public; an exempt paper only for members."""
    community = paper.case.community
    if can_view_private(user, community):
        return True
    return paper.is_public and can_view_community(user, community)


def meeting_or_deny(user, community: Community, pk: int):
    from helsefellesskap.cases.models import Meeting

    meeting = get_object_or_404(Meeting, community=community, pk=pk)
    meeting.community = community
    if not can_view_meeting(user, meeting):
        if not access_for(user).is_authenticated:
            raise LoginRequired
        raise Http404
    return meeting
