from django.db.models import Exists, OuterRef, Prefetch, Q

from helsefellesskap import permissions

from .models import AgendaItem, Case, CasePaper, FollowUp, Meeting, Treatment


def cases_for(user, community, *, year=None, status="", body=None, query=""):
    """The case register. The public sees a case once a meeting with approved minutes has
    treated it, or when it has a public paper; members see every case."""
    cases = Case.objects.filter(community=community)
    if not permissions.can_view_private(user, community):
        published = AgendaItem.objects.filter(
            treatment__case=OuterRef("pk"),
            meeting__status=Meeting.Status.APPROVED,
            treatment__is_exempt=False,
        )
        public_paper = CasePaper.objects.filter(case=OuterRef("pk"), is_public=True)
        cases = cases.filter(Q(Exists(published)) | Q(Exists(public_paper)))
    if year:
        cases = cases.filter(year=year)
    if status:
        cases = cases.filter(status=status)
    if body:
        cases = cases.filter(treatments__body=body).distinct()
    if query:
        cases = cases.filter(Q(title__icontains=query) | Q(public_title__icontains=query))
    return (
        cases.select_related("community")
        .prefetch_related(Prefetch("treatments", queryset=Treatment.objects.select_related("body")))
        .order_by("-year", "-sequence")
    )


def case_treatments(case, private: bool):
    treatments = (
        case.treatments.select_related("body")
        .prefetch_related(
            Prefetch("agenda_item", queryset=AgendaItem.objects.select_related("meeting"))
        )
        .order_by("order", "id")
    )
    if not private:
        treatments = treatments.filter(is_exempt=False)
    return list(treatments)


def case_papers(case, private: bool):
    papers = case.papers.all()
    return list(papers if private else papers.filter(is_public=True))


def meetings_for(user, community, *, upcoming: bool | None = None):
    meetings = Meeting.objects.filter(community=community).prefetch_related("bodies")
    if not permissions.can_view_private(user, community):
        meetings = meetings.exclude(bodies__is_public=False)
    return meetings.order_by("-starts_at")


def open_follow_ups(community):
    return (
        FollowUp.objects.filter(case__community=community, done_on__isnull=True)
        .select_related("case", "owner_body", "owner_person")
        .order_by("due_on")
    )


def agenda(meeting, private: bool):
    items = list(
        meeting.items.select_related("treatment__case__community", "treatment__body")
        .prefetch_related("treatment__case__papers")
        .order_by("order", "id")
    )
    for item in items:
        item.hidden = bool(item.treatment_id and item.treatment.is_exempt and not private)
        item.papers = (
            [p for p in item.treatment.case.papers.all() if private or p.is_public]
            if item.treatment_id
            else []
        )
    return items
