"""Reads of cases and meetings, as the user may see them: every row through its policy."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from helsefellesskap.core import access
from helsefellesskap.organisation.models import Body, Community

from . import lifecycle
from .authority import AuthorityWarning
from .models import AgendaItem, Case, CasePaper, FollowUp, Meeting, Treatment, Vote
from .policies import MeetingPolicy, TreatmentPolicy

REGISTER_LIMIT = 200  # rows of the case register and the meeting calendar


# --- Cases ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    """A row of the case register: the title as the reader may see it, and the bodies the case
    goes through (those the reader may see)."""

    case: Case
    title: str
    bodies: list[Body]


def cases_for(
    user: Any, community: Community, *, year: int | None = None, status: str = "", query: str = ""
) -> QuerySet[Case]:
    """The cases of the register the user may see (see `CasePolicy`), filtered. Only members
    filter by status; the public search looks in the public title only."""
    private = access.can_view_private(user, community)
    cases = Case.objects.visible_to(user, community)
    if year:
        cases = cases.filter(year=year)
    if status and private:
        cases = cases.filter(status=status)
    if query:
        public_hit = Q(public_title__icontains=query) | Q(public_title="", title__icontains=query)
        cases = cases.filter(Q(title__icontains=query) | public_hit if private else public_hit)
    treatments = Treatment.objects.visible_to(user).select_related("body")
    return (
        cases.select_related("community")
        .prefetch_related(Prefetch("treatments", queryset=treatments))
        .order_by("-year", "-sequence")
    )


def case_register(
    user: Any, community: Community, *, year: int | None = None, status: str = "", query: str = ""
) -> list[CaseRow]:
    private = access.can_view_private(user, community)
    cases = cases_for(user, community, year=year, status=status, query=query)
    return [
        CaseRow(
            case=case,
            title=case.display_title(private),
            bodies=[treatment.body for treatment in case.treatments.all()],
        )
        for case in cases[:REGISTER_LIMIT]
    ]


@dataclass(frozen=True)
class TreatmentRow:
    """A step of a case's treatment: whether the reader may see its decision yet, and the meeting
    that treated it when the reader may see that meeting."""

    treatment: Treatment
    decision_visible: bool
    meeting: Meeting | None
    locked: bool = False  # its meeting's minutes are approved: nothing to record any more


def case_treatments(user: Any, case: Case) -> list[TreatmentRow]:
    treatments = list(
        Treatment.objects.visible_to(user)
        .filter(case=case)
        .select_related("body", "agenda_item__meeting")
        .order_by("order", "id")
    )
    keys = [treatment.pk for treatment in treatments]
    decided = set(
        Treatment.objects.filter(TreatmentPolicy().decision_visible(user), pk__in=keys).values_list(
            "pk", flat=True
        )
    )
    meetings = {
        item.meeting_id for treatment in treatments if (item := _agenda_item(treatment)) is not None
    }
    seen = set(
        Meeting.objects.visible_to(user).filter(pk__in=meetings).values_list("pk", flat=True)
    )
    rows = []
    for treatment in treatments:
        item = _agenda_item(treatment)
        meeting = item.meeting if item is not None and item.meeting_id in seen else None
        item = _agenda_item(treatment)
        locked = item is not None and lifecycle.is_locked(item.meeting.status)
        rows.append(TreatmentRow(treatment, treatment.pk in decided, meeting, locked))
    return rows


def _agenda_item(treatment: Treatment) -> AgendaItem | None:
    try:
        return treatment.agenda_item
    except AgendaItem.DoesNotExist:
        return None


def case_papers(user: Any, case: Case) -> list[CasePaper]:
    return list(CasePaper.objects.visible_to(user).filter(case=case).order_by("uploaded_at"))


def open_follow_ups(user: Any, community: Community) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.visible_to(user, community)
        .filter(done_on__isnull=True)
        .select_related("case", "owner_body", "owner_person")
        .order_by("due_on")
    )


def case_follow_ups(user: Any, case: Case) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.visible_to(user)
        .filter(case=case)
        .select_related("owner_body", "owner_person")
    )


# --- Meetings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingRow:
    """A row of the meeting calendar, with whether the reader may open its minutes."""

    meeting: Meeting
    minutes_visible: bool
    minutes_approved: bool


def meetings_for(user: Any, community: Community) -> QuerySet[Meeting]:
    return (
        Meeting.objects.visible_to(user, community)
        .prefetch_related("bodies")
        .order_by("-starts_at")
    )


def meeting_calendar(user: Any, community: Community) -> list[MeetingRow]:
    meetings = list(meetings_for(user, community)[:REGISTER_LIMIT])
    readable = set(
        Meeting.objects.filter(
            MeetingPolicy().minutes(user), pk__in=[m.pk for m in meetings]
        ).values_list("pk", flat=True)
    )
    return [MeetingRow(m, m.pk in readable, m.status == Meeting.Status.APPROVED) for m in meetings]


@dataclass(frozen=True)
class AgendaEntry:
    """An item of a meeting's agenda as the reader may see it. `hidden`: the item's treatment is
    exempt from public access, so only that fact (and its legal basis) is shown. `title`: the
    case's title as the reader may see it (the public title for the public)."""

    item: AgendaItem
    hidden: bool
    title: str
    papers: list[CasePaper] = field(default_factory=list)
    warnings: list[AuthorityWarning] = field(default_factory=list)


def agenda(user: Any, meeting: Meeting) -> list[AgendaEntry]:
    private = access.can_view_private(user, meeting.community)
    items = list(
        AgendaItem.objects.visible_to(user)
        .filter(meeting=meeting)
        .select_related("treatment__case__community", "treatment__body")
        .prefetch_related(
            Prefetch("treatment__case__papers", queryset=CasePaper.objects.visible_to(user)),
            Prefetch(
                "treatment__votes", queryset=Vote.objects.visible_to(user).select_related("person")
            ),
        )
        .order_by("order", "id")
    )
    seen = set(
        Treatment.objects.visible_to(user)
        .filter(agenda_item__meeting=meeting)
        .values_list("pk", flat=True)
    )
    entries = []
    for item in items:
        treatment = item.treatment
        if treatment is None:
            entries.append(AgendaEntry(item, hidden=False, title=item.label))
            continue
        entries.append(
            AgendaEntry(
                item,
                hidden=treatment.pk not in seen,
                title=treatment.case.display_title(private),
                papers=list(treatment.case.papers.all()),
            )
        )
    return entries
