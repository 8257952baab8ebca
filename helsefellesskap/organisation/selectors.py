"""Reads for the organisation pages. Each returns what one page shows in a fixed, small number of
queries, whatever the size of the community."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helsefellesskap.core import access

from .models import Body, Community, Membership, MembershipQuerySet, MunicipalRegion, Party, Person
from .policies import CommunityPolicy


class MineMark(TypedDict):
    is_mine: bool  # the user holds a seat in the community


class BodyListMarks(TypedDict):
    member_count: int  # current seats
    visible_parent: Body | None  # see `visible_parent`


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # The rows of the lists, with what the selectors below add to them for the templates.
    ListedCommunity = WithAnnotations[Community, MineMark]
    ListedBody = WithAnnotations[Body, BodyListMarks]

ROLE_RANK: dict[str, int] = {
    role: rank
    for rank, role in enumerate(
        [
            Membership.Role.CHAIR,
            Membership.Role.DEPUTY,
            Membership.Role.MEMBER,
            Membership.Role.SECRETARY,
            Membership.Role.OBSERVER,
            Membership.Role.SUBSTITUTE,
        ]
    )
}
KIND_RANK = {kind: rank for rank, kind in enumerate(Body.Kind.values)}

# Bodies where the collaboration agreement expects user representatives, GPs and parity.
REPRESENTATIVE_KINDS = {
    Body.Kind.POLITICAL,
    Body.Kind.ADMINISTRATIVE,
    Body.Kind.COUNCIL,
    Body.Kind.WORKING_GROUP,
}


def _membership_related(qs: MembershipQuerySet) -> MembershipQuerySet:
    return qs.select_related("person", "party", "region")


def communities_for_user(user: Any) -> list[ListedCommunity]:
    """Every community the user may see, those they belong to first, each marked `is_mine`."""
    grant = access.access_for(user)
    communities = CommunityPolicy().visible_to(Community.objects.order_by("name"), user)
    result = [cast("ListedCommunity", community) for community in communities]
    for community in result:
        community.is_mine = community.pk in grant.member_of  # the mark ListedCommunity promises
    return sorted(result, key=lambda c: (not c.is_mine, c.name))


def visible_bodies(user: Any, community: Community) -> QuerySet[Body]:
    return Body.objects.visible_to(user, community)


def body_list(user: Any, community: Community) -> list[ListedBody]:
    """The community's bodies, in kind order, each with its number of current seats."""
    today = timezone.localdate()
    current = Q(memberships__start_date__lte=today) & (
        Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=today)
    )
    bodies = [
        cast("ListedBody", body)
        for body in visible_bodies(user, community)
        .select_related("parent")
        .annotate(member_count=Count("memberships", filter=current))
    ]
    private = access.can_view_private(user, community)
    for body in bodies:
        body.visible_parent = visible_parent(body, private)  # the mark ListedBody promises
    return sorted(bodies, key=lambda b: (KIND_RANK[b.kind], b.order, b.name))


def visible_parent(body: Body, private: bool) -> Body | None:
    """The parent body, unless it is internal and the reader is not a member."""
    parent = body.parent
    return parent if parent is not None and (private or parent.is_public) else None


def sort_memberships(memberships: Iterable[Membership]) -> list[Membership]:
    return sorted(
        memberships,
        key=lambda m: (ROLE_RANK[m.role], m.person.family_name, m.person.given_name),
    )


def body_members(body: Body) -> list[Membership]:
    return sort_memberships(_membership_related(body.memberships.current()))


def body_future_members(body: Body) -> list[Membership]:
    return sort_memberships(
        _membership_related(body.memberships.filter(start_date__gt=timezone.localdate()))
    )


def body_history(body: Body) -> list[Membership]:
    return list(_membership_related(body.memberships.ended()).order_by("-end_date"))


def child_bodies(user: Any, body: Body) -> list[Body]:
    return list(visible_bodies(user, body.community).filter(parent=body))


@dataclass
class RegionGroup:
    region: MunicipalRegion | None
    label: str
    municipalities: list[Party] = field(default_factory=list)


@dataclass
class PartyGroups:
    hospital_trusts: list[Party] = field(default_factory=list)
    regions: list[RegionGroup] = field(default_factory=list)
    other: list[Party] = field(default_factory=list)
    municipality_count: int = 0
    population: int = 0


def parties_grouped(community: Community) -> PartyGroups:
    """Hospital trusts; municipalities by region (those without a region last); other parties."""
    groups = PartyGroups()
    by_region: dict[int | None, RegionGroup] = {
        region.pk: RegionGroup(region=region, label=region.name)
        for region in MunicipalRegion.objects.filter(community=community)
    }
    without_region = RegionGroup(region=None, label=str(_("Uten region")))
    for party in Party.objects.filter(community=community).order_by("name"):
        if party.kind == Party.Kind.HOSPITAL_TRUST:
            groups.hospital_trusts.append(party)
        elif party.is_municipality:
            groups.municipality_count += 1
            groups.population += party.population or 0
            by_region.get(party.region_id, without_region).municipalities.append(party)
        else:
            groups.other.append(party)
    groups.regions = [*by_region.values(), without_region]
    return groups


@dataclass
class Contact:
    person: Person
    seats: list[Membership]


def contact_list(user: Any, community: Community) -> list[Contact]:
    """People with a current seat, with their seats. The public see only public contacts and
    public bodies; members see everyone."""
    private = access.can_view_private(user, community)
    seats = (
        Membership.objects.current()
        .filter(community=community)
        .select_related("person", "body", "party", "region")
        .order_by("person__family_name", "person__given_name", "body__order")
    )
    if not private:
        seats = seats.filter(person__is_public_contact=True, body__is_public=True)
    contacts: OrderedDict[int, Contact] = OrderedDict()
    for seat in seats:
        contacts.setdefault(seat.person_id, Contact(person=seat.person, seats=[])).seats.append(
            seat
        )
    return list(contacts.values())


@dataclass
class Representation:
    body: Body
    expected: bool
    user_representatives: int = 0
    gps: int = 0
    municipal_seats: int = 0
    hospital_seats: int = 0
    other_seats: int = 0

    @property
    def lacks_user_representative(self) -> bool:
        return self.expected and self.user_representatives == 0

    @property
    def lacks_gp(self) -> bool:
        return self.expected and self.gps == 0

    @property
    def is_balanced(self) -> bool:
        return self.municipal_seats == self.hospital_seats

    @property
    def has_warnings(self) -> bool:
        return self.expected and (
            self.lacks_user_representative or self.lacks_gp or not self.is_balanced
        )


def representation_overview(user: Any, community: Community) -> list[Representation]:
    """For each body: user representatives, GPs, and municipal against hospital seats
    (likeverdighet). Substitutes, observers and secretaries hold no seat in the count."""
    bodies = body_list(user, community)
    rows = {
        body.pk: Representation(body=body, expected=body.kind in REPRESENTATIVE_KINDS)
        for body in bodies
    }
    seats = (
        Membership.objects.current()
        .filter(body_id__in=rows.keys(), role__in=Membership.SEAT_ROLES)
        .values("body_id", "representation")
        .annotate(n=Count("id"))
    )
    rep = Membership.Representation
    for seat in seats:
        row = rows[seat["body_id"]]
        kind, n = seat["representation"], seat["n"]
        if kind == rep.MUNICIPALITIES:
            row.municipal_seats += n
        elif kind == rep.HOSPITAL:
            row.hospital_seats += n
        else:
            row.other_seats += n
            if kind == rep.USER:
                row.user_representatives += n
            elif kind == rep.GP:
                row.gps += n
    return list(rows.values())


def community_summary(user: Any, community: Community) -> dict[str, int]:
    today = timezone.localdate()
    parties = Party.objects.filter(community=community).aggregate(
        municipalities=Count("id", filter=Q(kind=Party.Kind.MUNICIPALITY)),
        hospital_trusts=Count("id", filter=Q(kind=Party.Kind.HOSPITAL_TRUST)),
    )
    return {
        **parties,
        "regions": MunicipalRegion.objects.filter(community=community).count(),
        "bodies": visible_bodies(user, community).count(),
        "members": Membership.objects.current(today)
        .filter(community=community, body__in=visible_bodies(user, community))
        .values("person")
        .distinct()
        .count(),
    }


def my_seats(user: Any, community: Community | None = None) -> list[Membership]:
    if not user.is_authenticated:
        return []
    seats = Membership.objects.current().filter(person__user=user)
    if community is not None:
        seats = seats.filter(community=community)
    return list(
        seats.select_related("body", "community", "person").order_by(
            "community__name", "body__order"
        )
    )


def people_register(community: Community) -> QuerySet[Person]:
    return (
        Person.objects.filter(community=community)
        .select_related("party", "user")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.current().select_related("body"),
                to_attr="current_seats",
            )
        )
    )
