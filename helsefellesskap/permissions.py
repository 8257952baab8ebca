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


def forget_access(user) -> None:
    """Drop the cached answer after the user's own seats change."""
    if hasattr(user, "_hf_access"):
        del user._hf_access


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


def can_manage_people(user, community: Community) -> bool:
    return can_administer(user, community)


def can_invite(user, community: Community) -> bool:
    return can_administer(user, community)


def body_role(user, body: Body) -> frozenset[str]:
    return access_for(user).body_roles.get(body.pk, frozenset())


def is_chair(user, body: Body) -> bool:
    return Membership.Role.CHAIR in body_role(user, body)


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

# Seats that may report the status of their body's measures; substitutes and observers may not.
STATUS_REPORTING_ROLES = (
    Membership.Role.CHAIR,
    Membership.Role.DEPUTY,
    Membership.Role.MEMBER,
    Membership.Role.SECRETARY,
)


def can_view_plan_version(user, version) -> bool:
    """Adopted versions are public; drafts and recommendations only for members."""
    community = version.plan.community
    if version.status in ("adopted", "retired"):
        return can_view_community(user, community)
    return can_view_private(user, community)


def can_view_plan_status(user, plan) -> bool:
    return can_view_private(user, plan.community) or (
        plan.status_is_public and can_view_community(user, plan.community)
    )


def can_edit_plan(user, plan) -> bool:
    return can_administer(user, plan.community)


def can_report_status(user, measure) -> bool:
    """The secretariat, or a member of one of the measure's responsible bodies."""
    if can_administer(user, measure.version.plan.community):
        return True
    roles = access_for(user).body_roles
    return any(
        roles.get(body.pk, frozenset()) & set(STATUS_REPORTING_ROLES)
        for body in measure.responsible_bodies.all()
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
