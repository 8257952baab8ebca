"""Who may see and change cases, meetings, papers and minutes: one rule per kind of row.

Members of a community see all its cases and meetings. The public (in a published community) sees:
- meetings none of whose bodies is internal, with their agendas;
- treatments by public bodies that are not exempt from public access, and their decisions (with
  votes, dissent and remarks) once the minutes of the meeting that took them are approved;
- public papers;
- a case once approved minutes of a public meeting have treated it (not behind an exemption), or
  once it has a public paper;
- the minutes once they are approved, with their attendance.
Ratifications by the parties and follow-ups are for members.
"""

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from helsefellesskap.core import access
from helsefellesskap.core.pages import Task
from helsefellesskap.core.policies import Policy, get_visible_or_404, register
from helsefellesskap.organisation.models import Body, Community, Membership
from helsefellesskap.organisation.policies import ACTING_ROLES

from . import lifecycle
from .models import (
    AgendaItem,
    Attendance,
    Case,
    CasePaper,
    FollowUp,
    Meeting,
    Ratification,
    Treatment,
    Vote,
)

S = Meeting.Status

# --- Building blocks: what the public may see, as conditions on rows ------------------------------


def open_meetings(ref: str = "pk") -> Q:
    """Meetings none of whose bodies is internal: the public's meetings in a published community.
    `ref` is the path to the meeting's key from the rows filtered ("meeting_id" for an item)."""
    internal = Meeting.bodies.through.objects.filter(
        meeting_id=OuterRef(ref), body__is_public=False
    )
    return ~Q(Exists(internal))


def approved(prefix: str = "") -> Q:
    """Meetings whose minutes are approved (`prefix` is the path to the meeting)."""
    return Q(**{f"{prefix}status": Meeting.Status.APPROVED})


def public_treatments(prefix: str = "") -> Q:
    """Treatments the public may see: not exempt, by a public body (`prefix`: path to it)."""
    return Q(**{f"{prefix}is_exempt": False, f"{prefix}body__is_public": True})


def public_papers(prefix: str = "") -> Q:
    return Q(**{f"{prefix}is_public": True})


def _published_items() -> Q:
    """Agenda items of approved minutes of a public meeting, whose treatment the public may see."""
    return approved("meeting__") & open_meetings("meeting_id") & public_treatments("treatment__")


def public_cases(ref: str = "pk") -> Q:
    """Cases the public may know of: treated in approved public minutes (not behind an
    exemption), or with a public paper. `ref` is the path to the case's key."""
    treated = AgendaItem.objects.filter(_published_items(), treatment__case=OuterRef(ref))
    papered = CasePaper.objects.filter(public_papers(), case=OuterRef(ref))
    return Q(Exists(treated)) | Q(Exists(papered))


def _public_or_members(policy: Policy[Any], user: Any, public: Q) -> Q:
    """`public` in published communities, every row in the communities where the user sits."""
    return (policy.published() & public) | policy.of_members(user)


# --- The policies ---------------------------------------------------------------------------------


@register
class CasePolicy(Policy[Case]):
    """The case register: members see every case; the public a case that approved public minutes
    have treated (not behind an exemption), or that has a public paper."""

    model = Case

    def visible(self, user: Any) -> Q:
        return _public_or_members(self, user, public_cases())


@register
class TreatmentPolicy(Policy[Treatment]):
    """A body's treatment of a case: the public sees those by public bodies that are not exempt,
    of a case the public may know of."""

    model = Treatment
    community_field = "case__community"

    def visible(self, user: Any) -> Q:
        return _public_or_members(self, user, public_treatments() & public_cases("case_id"))

    def decision_visible(self, user: Any) -> Q:
        """Treatments whose decision, votes, dissent and remarks the user may read: the public
        once the minutes of the meeting that took the decision are approved."""
        return _public_or_members(
            self,
            user,
            public_treatments()
            & approved("agenda_item__meeting__")
            & open_meetings("agenda_item__meeting_id")
            & public_cases("case_id"),
        )


@register
class CasePaperPolicy(Policy[CasePaper]):
    """Public papers are public; an exempt paper is for members."""

    model = CasePaper
    community_field = "case__community"

    def visible(self, user: Any) -> Q:
        return _public_or_members(self, user, public_papers())


@register
class RatificationPolicy(Policy[Ratification]):
    """The parties' own decisions are followed up by the members."""

    model = Ratification
    community_field = "case__community"

    def visible(self, user: Any) -> Q:
        return self.of_members(user)


@register
class FollowUpPolicy(Policy[FollowUp]):
    model = FollowUp
    community_field = "case__community"

    def visible(self, user: Any) -> Q:
        return self.of_members(user)


@register
class MeetingPolicy(Policy[Meeting]):
    """Meetings of public bodies are public; a meeting with an internal body is for members."""

    model = Meeting

    def visible(self, user: Any) -> Q:
        return _public_or_members(self, user, open_meetings())

    def minutes(self, user: Any) -> Q:
        """Meetings whose minutes the user may read: approved minutes of the meetings they see,
        and the draft of a held meeting for members."""
        return self.visible(user) & (approved() | (self.of_members(user) & Q(status=S.HELD)))

    def decisions(self, user: Any) -> Q:
        """Meetings whose decisions the user may read: members at once, the public once the
        minutes are approved."""
        return _public_or_members(self, user, open_meetings() & approved())


@register
class AgendaItemPolicy(Policy[AgendaItem]):
    """The agenda of a meeting is seen with the meeting (an item whose treatment is exempt shows
    only that it is)."""

    model = AgendaItem
    community_field = "meeting__community"

    def visible(self, user: Any) -> Q:
        return _public_or_members(self, user, open_meetings("meeting_id"))


@register
class AttendancePolicy(Policy[Attendance]):
    """Who was invited and who came: members see it; the public reads it in approved minutes."""

    model = Attendance
    community_field = "meeting__community"

    def visible(self, user: Any) -> Q:
        return _public_or_members(self, user, open_meetings("meeting_id") & approved("meeting__"))


@register
class VotePolicy(Policy[Vote]):
    """Each voter's vote is part of the decision: public in the approved minutes of a public
    meeting, for a treatment the public may see."""

    model = Vote
    community_field = "treatment__case__community"

    def visible(self, user: Any) -> Q:
        items = AgendaItem.objects.filter(_published_items(), treatment_id=OuterRef("treatment_id"))
        return _public_or_members(self, user, Q(Exists(items)))


# --- Rows of a page -------------------------------------------------------------------------------


def case_or_404(user: Any, community: Community, slug: str, *, edit: bool = False) -> Case:
    """The case «2026-5» of `community`. A case the user may not see is not there: 404, for the
    anonymous visitor too (the register does not tell which numbers are taken)."""
    year, _sep, sequence = slug.partition("-")
    if not (year.isdigit() and sequence.isdigit()):
        raise Http404
    try:
        case: Case = get_visible_or_404(
            Case, user, community=community, edit=edit, year=int(year), sequence=int(sequence)
        )
    except access.LoginRequired:
        raise Http404 from None
    return case


def meeting_or_deny(user: Any, community: Community, pk: int, *, edit: bool = False) -> Meeting:
    meeting: Meeting = get_visible_or_404(Meeting, user, community=community, edit=edit, pk=pk)
    return meeting


# --- What a user may do ---------------------------------------------------------------------------


def can_manage_cases(user: Any, community: Community) -> bool:
    return access.can_administer(user, community)


def can_route_cases(user: Any, community: Community) -> bool:
    """The secretariat and the working committee (AU) route cases to the right level; observers
    and substitutes in AU do not."""
    return access.can_administer(user, community) or access.holds_seat(
        user, community, kinds=[Body.Kind.WORKING_COMMITTEE], roles=ACTING_ROLES
    )


def meeting_roles(user: Any, meeting: Meeting) -> frozenset[str]:
    """Who the user is for this meeting, in the terms of `cases.lifecycle`."""
    roles = set()
    if access.can_administer(user, meeting.community):
        roles.add(lifecycle.SECRETARIAT)
    bodies = [body.pk for body in meeting.bodies.all()]
    if access.holds_seat(user, meeting.community, bodies=bodies, roles=[Membership.Role.CHAIR]):
        roles.add(lifecycle.CHAIR)
    grant = access.access_for(user)
    if grant.is_authenticated and my_attendance(user, meeting) is not None:
        roles.add(lifecycle.ATTENDEE)
    return frozenset(roles)


def my_attendance(user: Any, meeting: Meeting) -> Attendance | None:
    """The user's own row of the meeting's attendance, if they are invited."""
    if not access.access_for(user).is_authenticated:
        return None
    return meeting.attendance.filter(person__user=user).first()


def may_act(user: Any, meeting: Meeting, action: str) -> bool:
    """Whether the user may take `action` (see `cases.lifecycle`) on the meeting now."""
    return lifecycle.allowed(action, meeting.status, meeting_roles(user, meeting))


def has_role_for(user: Any, meeting: Meeting, action: str) -> bool:
    """Whether the user is someone who may take `action` on the meeting, in whatever state it is
    (the service then says why the state does not allow it)."""
    return bool(lifecycle.ACTIONS[action].roles & meeting_roles(user, meeting))


def can_approve_minutes(user: Any, meeting: Meeting) -> bool:
    """The secretariat, or a chair of one of the meeting's bodies (electronic approval)."""
    return has_role_for(user, meeting, "approve")


def can_view_minutes(user: Any, meeting: Meeting) -> bool:
    """The one answer to «may this user read the minutes (the PDF) of this meeting?»."""
    return Meeting.objects.filter(MeetingPolicy().minutes(user), pk=meeting.pk).exists()


def can_view_decisions(user: Any, meeting: Meeting) -> bool:
    """Whether the meeting page shows the user the decisions taken (members before approval)."""
    return Meeting.objects.filter(MeetingPolicy().decisions(user), pk=meeting.pk).exists()


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
