"""Who may see and change cases, meetings, papers and minutes."""

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from helsefellesskap.core import access
from helsefellesskap.core.pages import Task
from helsefellesskap.organisation.models import Body, Community, Membership
from helsefellesskap.organisation.policies import ACTING_ROLES

from .models import Meeting


def can_manage_cases(user, community) -> bool:
    return access.can_administer(user, community)


def can_route_cases(user, community) -> bool:
    """The secretariat and the working committee (AU) route cases to the right level; observers
    and substitutes in AU do not."""
    return access.can_administer(user, community) or access.holds_seat(
        user, community, kinds=[Body.Kind.WORKING_COMMITTEE], roles=ACTING_ROLES
    )


def can_view_meeting(user, meeting) -> bool:
    """Meetings of public bodies are public; meetings of internal bodies are for members."""
    if access.can_view_private(user, meeting.community):
        return True
    if not access.can_view_community(user, meeting.community):
        return False
    return meeting.is_public


def can_approve_minutes(user, meeting) -> bool:
    """The secretariat, or a chair of one of the meeting's bodies (electronic approval)."""
    if access.can_administer(user, meeting.community):
        return True
    roles = access.access_for(user).body_roles
    return any(
        Membership.Role.CHAIR in roles.get(body_id, frozenset())
        for body_id in meeting.bodies.values_list("pk", flat=True)
    )


def can_view_paper(user, paper) -> bool:
    """A public paper of a case is public; an exempt paper only for members."""
    community = paper.case.community
    if access.can_view_private(user, community):
        return True
    return paper.is_public and access.can_view_community(user, community)


def meeting_or_deny(user, community: Community, pk: int):
    meeting = get_object_or_404(Meeting, community=community, pk=pk)
    meeting.community = community
    if not can_view_meeting(user, meeting):
        if not access.access_for(user).is_authenticated:
            raise access.LoginRequired
        raise access.Http404
    return meeting


def home_tasks(user: Any, community: Any) -> list[Task]:
    """The module's card on the community's home page."""
    url = reverse("cases:meetings", args=[community.slug])
    return [
        Task(
            30,
            _("Møter og protokoller"),
            _("Møtekalender, sakslister, sakspapirer og godkjente protokoller"),
            url,
        )
    ]
