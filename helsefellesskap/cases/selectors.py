from django.db.models import Exists, OuterRef, Prefetch, Q

from helsefellesskap.core import access

from .models import AgendaItem, Case, CasePaper, FollowUp, Meeting, Treatment


def public_treatments():
    """Treatments the public may see: not exempt, by a public body."""
    return Treatment.objects.filter(is_exempt=False, body__is_public=True)


def cases_for(user, community, *, year=None, status="", query=""):
    """The case register. The public sees a case once approved minutes of a public meeting have
    treated it (and not behind an exemption), or when it has a public paper; members see every
    case. The public search looks in the public title only."""
    private = access.can_view_private(user, community)
    cases = Case.objects.filter(community=community)
    treatments = Treatment.objects.all()
    if not private:
        published = AgendaItem.objects.filter(
            treatment__case=OuterRef("pk"),
            treatment__is_exempt=False,
            treatment__body__is_public=True,
            meeting__status=Meeting.Status.APPROVED,
        ).exclude(meeting__bodies__is_public=False)
        public_paper = CasePaper.objects.filter(case=OuterRef("pk"), is_public=True)
        cases = cases.filter(Q(Exists(published)) | Q(Exists(public_paper)))
        treatments = public_treatments()
    if year:
        cases = cases.filter(year=year)
    if status and private:
        cases = cases.filter(status=status)
    if query:
        public_hit = Q(public_title__icontains=query) | Q(public_title="", title__icontains=query)
        cases = cases.filter(Q(title__icontains=query) | public_hit if private else public_hit)
    return (
        cases.select_related("community")
        .prefetch_related(Prefetch("treatments", queryset=treatments.select_related("body")))
        .order_by("-year", "-sequence")
    )


def case_treatments(case, private: bool):
    """The case's treatments with `.decision_public`: the public sees a decision once the
    minutes of the meeting that took it are approved."""
    treatments = (
        case.treatments.select_related("body")
        .prefetch_related(
            Prefetch("agenda_item", queryset=AgendaItem.objects.select_related("meeting"))
        )
        .order_by("order", "id")
    )
    if not private:
        treatments = treatments.filter(is_exempt=False, body__is_public=True)
    result = list(treatments)
    for treatment in result:
        item = getattr(treatment, "agenda_item", None)
        approved = item is not None and item.meeting.minutes_are_public
        treatment.decision_public = private or approved
        treatment.meeting_public = item is not None and (private or item.meeting.is_public)
    return result


def case_papers(case, private: bool):
    papers = case.papers.all()
    return list(papers if private else papers.filter(is_public=True))


def meetings_for(user, community):
    return (
        Meeting.objects.visible_to(user, community)
        .prefetch_related("bodies")
        .order_by("-starts_at")
    )


def open_follow_ups(community):
    return (
        FollowUp.objects.filter(case__community=community, done_on__isnull=True)
        .select_related("case", "owner_body", "owner_person")
        .order_by("due_on")
    )


def agenda(meeting, private: bool):
    items = list(
        meeting.items.select_related("treatment__case__community", "treatment__body")
        .prefetch_related("treatment__case__papers", "treatment__votes__person")
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
