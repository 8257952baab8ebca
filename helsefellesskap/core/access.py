"""The shared access core: what a user's seats give them, and how a refusal looks.

Roles: the platform administrator (a superuser) may do everything; the secretariat of a community
(anyone with a current seat in its secretariat body) administers everything in that community; a
member (a current seat in any body) sees the community's non-public data; everyone else sees only
what is published.

The refusal convention: an outsider gets 404 (the row is not theirs to know of), a member without
the right gets 403, and an anonymous visitor on a members' page is sent to log in.

The seats are rows of the organisation app, which sits above this module; it hands its reader to
`register_seat_reader` when the app registry is ready, so this module imports no domain app.
"""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied
from django.http import Http404


class LoginRequired(Exception):  # noqa: N818 - a signal to the middleware, not an error
    """Raised for an anonymous visitor on a page that needs a login; the middleware redirects."""


class CommunityLike(Protocol):
    pk: Any
    is_published: bool


@dataclass(frozen=True)
class Seat:
    community_id: int
    body_id: int
    body_kind: str
    role: str
    representation: str = ""


@dataclass(frozen=True)
class Access:
    is_authenticated: bool = False
    is_platform_admin: bool = False
    user_id: int | None = None
    seats: tuple[Seat, ...] = ()
    member_of: frozenset[int] = frozenset()
    secretariat_of: frozenset[int] = frozenset()
    body_roles: Mapping[int, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_seats(
        cls,
        *,
        user_id: int,
        is_platform_admin: bool,
        seats: tuple[Seat, ...],
        secretariat_kind: str,
    ) -> "Access":
        body_roles: dict[int, set[str]] = {}
        for seat in seats:
            body_roles.setdefault(seat.body_id, set()).add(seat.role)
        return cls(
            is_authenticated=True,
            is_platform_admin=is_platform_admin,
            user_id=user_id,
            seats=seats,
            member_of=frozenset(seat.community_id for seat in seats),
            secretariat_of=frozenset(
                seat.community_id for seat in seats if seat.body_kind == secretariat_kind
            ),
            body_roles={body: frozenset(roles) for body, roles in body_roles.items()},
        )


ANONYMOUS = Access()

SeatReader = Callable[[Any], tuple[Seat, ...]]
_seat_reader: SeatReader | None = None
_secretariat_kind = ""


def register_seat_reader(reader: SeatReader, *, secretariat_kind: str) -> None:
    """Called once by the organisation app: how to read a user's current seats, and which body
    kind is the secretariat."""
    global _seat_reader, _secretariat_kind
    _seat_reader, _secretariat_kind = reader, secretariat_kind


def access_for(user: Any) -> Access:
    """What the user's current seats give them, read once per request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached: Access | None = getattr(user, "_hf_access", None)
    if cached is not None:
        return cached
    if _seat_reader is None:
        raise RuntimeError("No seat reader registered: is the organisation app installed?")
    access = Access.from_seats(
        user_id=user.pk,
        is_platform_admin=user.is_superuser,
        seats=_seat_reader(user),
        secretariat_kind=_secretariat_kind,
    )
    user._hf_access = access
    return access


# --- Questions -----------------------------------------------------------------------------------


def is_member(user: Any, community: CommunityLike) -> bool:
    access = access_for(user)
    return access.is_platform_admin or community.pk in access.member_of


def can_administer(user: Any, community: CommunityLike) -> bool:
    access = access_for(user)
    return access.is_platform_admin or community.pk in access.secretariat_of


def can_view_community(user: Any, community: CommunityLike) -> bool:
    return community.is_published or is_member(user, community)


def can_view_private(user: Any, community: CommunityLike) -> bool:
    """The community's non-public data: members' contact details, history, internal bodies."""
    return is_member(user, community)


def holds_seat(
    user: Any,
    community: CommunityLike,
    *,
    kinds: Collection[str] | None = None,
    bodies: Collection[int] | None = None,
    roles: Collection[str] | None = None,
    representations: Collection[str] | None = None,
) -> bool:
    """Whether the user holds a current seat in the community, in a body of one of `kinds` or
    one of `bodies`, with one of `roles` and `representations` (any when None)."""
    return any(
        seat.community_id == community.pk
        and (kinds is None or seat.body_kind in kinds)
        and (bodies is None or seat.body_id in bodies)
        and (roles is None or seat.role in roles)
        and (representations is None or seat.representation in representations)
        for seat in access_for(user).seats
    )


# --- Refusals ------------------------------------------------------------------------------------


def deny(user: Any, community: CommunityLike) -> None:
    """Raise the right refusal for someone who may not see or do this in `community`."""
    if not access_for(user).is_authenticated:
        raise LoginRequired
    if not is_member(user, community):
        raise Http404
    raise PermissionDenied


def hide(user: Any) -> None:
    """Raise the refusal for a row the user may not know of: log in first, or 404."""
    if not access_for(user).is_authenticated:
        raise LoginRequired
    raise Http404
