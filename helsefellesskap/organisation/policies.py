"""Who may see and change the organisation's rows: communities, regions, parties, units, bodies,
people, seats and invitations. The seats themselves are read here for the access core."""

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from helsefellesskap.core import access
from helsefellesskap.core.policies import QS, Policy, get_visible_or_404, register

from .models import Body, Community, Invitation, Membership, MunicipalRegion, Party, Person, Unit

# Seats that act for their body (report status, route cases); substitutes and observers do not.
ACTING_ROLES = (
    Membership.Role.CHAIR,
    Membership.Role.DEPUTY,
    Membership.Role.MEMBER,
    Membership.Role.SECRETARY,
)


def read_seats(user: Any) -> tuple[access.Seat, ...]:
    """The user's current seats, for `core.access`."""
    rows = (
        Membership.objects.current()
        .filter(person__user=user)
        .values_list("community_id", "body_id", "body__kind", "role", "representation")
    )
    return tuple(access.Seat(*row) for row in rows)


# --- Communities ---------------------------------------------------------------------------------


@register
class CommunityPolicy(Policy[Community]):
    model = Community
    community_field = "pk"

    def published(self) -> Q:
        return Q(is_published=True)

    def visible(self, user: Any) -> Q:
        return self.published() | self.of_members(user)

    def in_community(self, queryset: QS, community: Any) -> QS:
        return queryset if community is None else queryset.filter(pk=community.pk)

    def community_of(self, row: Community) -> Community:
        return row


def community_or_deny(
    user: Any, slug: str, *, private: bool = False, admin: bool = False
) -> Community:
    """The community of a page: 404 (or a login) for an unpublished one the user is not in; for
    a members' page (`private`) or a secretariat page (`admin`), the refusal convention."""
    community = get_object_or_404(Community, slug=slug)
    if not access.can_view_community(user, community):
        access.hide(user)
    if (private and not access.can_view_private(user, community)) or (
        admin and not access.can_administer(user, community)
    ):
        access.deny(user, community)
    return community


# --- Rows every visitor of the community may see -------------------------------------------------


class OpenRowPolicy(Policy[Any]):
    """Rows shown on the public pages of a published community (regions, parties, units)."""

    def visible(self, user: Any) -> Q:
        return self.published() | self.of_members(user)


@register
class MunicipalRegionPolicy(OpenRowPolicy):
    model = MunicipalRegion


@register
class PartyPolicy(OpenRowPolicy):
    model = Party


@register
class UnitPolicy(OpenRowPolicy):
    model = Unit


# --- Bodies, seats, people -----------------------------------------------------------------------


@register
class BodyPolicy(Policy[Body]):
    """Public bodies are public; internal bodies (e.g. an internal analysis group) are for
    members."""

    model = Body

    def visible(self, user: Any) -> Q:
        return (self.published() & Q(is_public=True)) | self.of_members(user)


def public_seats() -> Q:
    """Seats the public may see: current seats in public bodies."""
    today = timezone.localdate()
    return Q(body__is_public=True, start_date__lte=today) & (
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )


@register
class MembershipPolicy(Policy[Membership]):
    """Members see every seat, past and future; the public sees current seats of public
    bodies."""

    model = Membership

    def visible(self, user: Any) -> Q:
        return (self.published() & public_seats()) | self.of_members(user)


@register
class PersonPolicy(Policy[Person]):
    """Members see the whole register; the public sees the people who hold a public seat."""

    model = Person

    def visible(self, user: Any) -> Q:
        seated = Membership.objects.filter(public_seats(), person=OuterRef("pk"))
        return (self.published() & Q(Exists(seated))) | self.of_members(user)


@register
class InvitationPolicy(Policy[Invitation]):
    """Invitations carry e-mail addresses and are the secretariat's business only."""

    model = Invitation

    def visible(self, user: Any) -> Q:
        return self.administered(user)


def can_manage_memberships(user: Any, body: Body) -> bool:
    return access.can_administer(user, body.community)


def body_or_deny(user: Any, community: Community, slug: str, *, admin: bool = False) -> Body:
    return get_visible_or_404(
        Body.objects.select_related("parent"), user, community=community, edit=admin, slug=slug
    )


def membership_or_deny(user: Any, community: Community, pk: int) -> Membership:
    return get_visible_or_404(
        Membership.objects.select_related("body", "person", "party", "region"),
        user,
        community=community,
        edit=True,
        pk=pk,
    )
