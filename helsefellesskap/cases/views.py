"""Pages of cases and meetings. Every view asks the policies first (`cases.policies`); the
public sees approved minutes and public papers only."""

import io
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from helsefellesskap.core import access
from helsefellesskap.core.pages import community_context, submit
from helsefellesskap.core.policies import get_visible_or_404
from helsefellesskap.organisation.policies import community_or_deny

from . import authority, documents, lifecycle, policies, selectors, services
from .forms import (
    AgendaAddForm,
    ApproveForm,
    CaseForm,
    FollowUpForm,
    ItemForm,
    MeetingForm,
    PaperForm,
    RatificationForm,
    RouteForm,
    SubstituteForm,
    TreatmentForm,
)
from .models import (
    AgendaItem,
    Attendance,
    Case,
    CasePaper,
    FollowUp,
    Meeting,
    Ratification,
    Treatment,
)


def _crumbs(community, *more):
    return [(_("Saker"), reverse("cases:cases", args=[community.slug])), *more]


def _meeting_crumbs(community, *more):
    return [(_("Møter"), reverse("cases:meetings", args=[community.slug])), *more]


def _posted_pk(request: HttpRequest, name: str) -> int:
    value = request.POST.get(name, "")
    if not value.isdigit():
        raise Http404
    return int(value)


# --- Cases -----------------------------------------------------------------------------------


@require_safe
def case_list(request, slug):
    community = community_or_deny(request.user, slug)
    year = request.GET.get("ar")
    rows = selectors.case_register(
        request.user,
        community,
        year=int(year) if year and year.isdigit() else None,
        status=request.GET.get("status", ""),
        query=request.GET.get("q", "").strip(),
    )
    private = access.can_view_private(request.user, community)
    context = community_context(
        request,
        community,
        "cases",
        [(_("Saker"), None)],
        cases=rows,
        private=private,
        statuses=Case.Status.choices,
        follow_ups=selectors.open_follow_ups(request.user, community),
    )
    return render(request, "cases/case_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_form(request, slug, case_slug=None):
    community = community_or_deny(request.user, slug, admin=True)
    case = (
        policies.case_or_404(request.user, community, case_slug, edit=True) if case_slug else None
    )
    form = CaseForm(request.POST or None, instance=case, community=community)

    def save(data):
        values = {name: data[name] for name in CaseForm.Meta.fields}
        if case:
            return services.case_update(actor=request.user, case=case, **values)
        return services.case_create(actor=request.user, community=community, **values)

    saved = submit(request, form, save, _("%(name)s er lagret."))
    if saved:
        return redirect(saved.get_absolute_url())
    title = _("Endre %(case)s") % {"case": case.number} if case else _("Ny sak")
    context = community_context(
        request,
        community,
        "cases",
        _crumbs(community, (title, None)),
        form=form,
        title=title,
        cancel_url=case.get_absolute_url() if case else reverse("cases:cases", args=[slug]),
    )
    return render(request, "includes/form_page.html", context)


@require_safe
def case_detail(request, slug, case_slug):
    community = community_or_deny(request.user, slug)
    case = policies.case_or_404(request.user, community, case_slug)
    private = access.can_view_private(request.user, community)
    can_manage = policies.can_manage_cases(request.user, community)
    can_route = policies.can_route_cases(request.user, community)
    route_form = RouteForm(community=community) if can_route else None
    context = community_context(
        request,
        community,
        "cases",
        _crumbs(community, (case.number, None)),
        case=case,
        title=case.display_title(private),
        treatments=selectors.case_treatments(request.user, case),
        papers=selectors.case_papers(request.user, case),
        warnings=authority.check(case) if private else [],
        ratifications=Ratification.objects.visible_to(request.user)
        .filter(case=case)
        .select_related("party"),
        follow_ups=selectors.case_follow_ups(request.user, case),
        can_manage=can_manage,
        can_route=can_route,
        route_form=route_form,
        paper_form=PaperForm() if can_manage else None,
        follow_up_form=FollowUpForm(community=community) if can_manage else None,
        private=private,
    )
    return render(request, "cases/case_detail.html", context)


@login_required
@require_POST
def case_route(request, slug, case_slug):
    community = community_or_deny(request.user, slug, private=True)
    if not policies.can_route_cases(request.user, community):
        access.deny(request.user, community)
    case = policies.case_or_404(request.user, community, case_slug)
    form = RouteForm(request.POST, community=community)
    if form.is_valid():
        services.case_route(
            actor=request.user,
            case=case,
            bodies=form.ordered_bodies(),
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Saken er fordelt."))
    else:
        messages.error(request, _("Velg minst ett organ saken skal behandles av."))
    return redirect(case.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def treatment_edit(request, slug, case_slug, pk):
    community = community_or_deny(request.user, slug, admin=True)
    case = policies.case_or_404(request.user, community, case_slug, edit=True)
    treatment = get_visible_or_404(
        Treatment.objects.select_related("body", "agenda_item__meeting"),
        request.user,
        edit=True,
        case=case,
        pk=pk,
    )
    item = AgendaItem.objects.filter(treatment=treatment).select_related("meeting").first()
    if item is not None and (refused := _refused_on(request, item.meeting, "record")):
        return refused
    form = TreatmentForm(request.POST or None, instance=treatment)
    saved = submit(
        request,
        form,
        lambda data: services.treatment_record(
            actor=request.user,
            treatment=treatment,
            **{k: data[k] for k in TreatmentForm.Meta.fields},
        ),
        _("Behandlingen i %(body)s er lagret.") % {"body": treatment.body},
    )
    if saved:
        return redirect(case.get_absolute_url())
    title = _("%(body)s: innstilling og vedtak i %(case)s") % {
        "body": treatment.body,
        "case": case.number,
    }
    context = community_context(
        request,
        community,
        "cases",
        _crumbs(community, (case.number, case.get_absolute_url()), (str(treatment.body), None)),
        form=form,
        title=title,
        cancel_url=case.get_absolute_url(),
    )
    return render(request, "includes/form_page.html", context)


@login_required
@require_POST
def paper_add(request, slug, case_slug):
    community = community_or_deny(request.user, slug, admin=True)
    case = policies.case_or_404(request.user, community, case_slug, edit=True)
    form = PaperForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.paper_add(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Sakspapiret er lagt til."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(case.get_absolute_url())


@require_safe
def paper_download(request, slug, key):
    """Papers are never served from a public folder: every download asks who may see it."""
    community = community_or_deny(request.user, slug)
    paper = get_visible_or_404(
        CasePaper.objects.select_related("case"), request.user, community=community, key=key
    )
    if paper.url:
        return redirect(paper.url)
    return FileResponse(
        paper.file.open("rb"), as_attachment=True, filename=paper.file.name.rsplit("/", 1)[-1]
    )


@login_required
@require_POST
def follow_up_add(request, slug, case_slug):
    community = community_or_deny(request.user, slug, admin=True)
    case = policies.case_or_404(request.user, community, case_slug, edit=True)
    form = FollowUpForm(request.POST, community=community)
    if form.is_valid():
        services.follow_up_save(actor=request.user, case=case, **form.cleaned_data)
        messages.success(request, _("Oppfølgingen er registrert."))
    else:
        messages.error(request, _("Beskriv oppfølgingen."))
    return redirect(case.get_absolute_url())


@login_required
@require_POST
def follow_up_done(request, slug, case_slug, pk):
    community = community_or_deny(request.user, slug, admin=True)
    case = policies.case_or_404(request.user, community, case_slug, edit=True)
    follow_up = get_visible_or_404(FollowUp, request.user, edit=True, case=case, pk=pk)
    services.follow_up_save(
        actor=request.user, case=case, follow_up=follow_up, done_on=timezone.localdate()
    )
    messages.success(request, _("Oppfølgingen er merket som utført."))
    return redirect(case.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def ratification_edit(request, slug, case_slug, pk):
    community = community_or_deny(request.user, slug, admin=True)
    case = policies.case_or_404(request.user, community, case_slug, edit=True)
    ratification = get_visible_or_404(
        Ratification.objects.select_related("party"), request.user, edit=True, case=case, pk=pk
    )
    form = RatificationForm(request.POST or None, instance=ratification)
    saved = submit(
        request,
        form,
        lambda data: services.ratification_record(
            actor=request.user, ratification=ratification, **data
        ),
        _("Vedtaket hos %(name)s er registrert."),
    )
    if saved:
        return redirect(case.get_absolute_url())
    title = _("Vedtak hos %(party)s") % {"party": ratification.party}
    context = community_context(
        request,
        community,
        "cases",
        _crumbs(community, (case.number, case.get_absolute_url()), (title, None)),
        form=form,
        title=title,
        cancel_url=case.get_absolute_url(),
    )
    return render(request, "includes/form_page.html", context)


# --- Meetings --------------------------------------------------------------------------------


@require_safe
def meeting_list(request, slug):
    community = community_or_deny(request.user, slug)
    context = community_context(
        request,
        community,
        "meetings",
        [(_("Møter"), None)],
        meetings=selectors.meeting_calendar(request.user, community),
    )
    return render(request, "cases/meeting_list.html", context)


def _refused_on(request, meeting, action: str):
    """The meeting page with the lifecycle's refusal, when its state no longer allows `action`
    (approved minutes are locked): an edit form would only fail on save."""
    message = lifecycle.refusal(action, meeting.status, meeting.get_status_display())
    if message is None:
        return None
    messages.error(request, message)
    return redirect(meeting.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def meeting_form(request, slug, pk=None):
    community = community_or_deny(request.user, slug, admin=True)
    meeting = policies.meeting_or_deny(request.user, community, pk, edit=True) if pk else None
    if meeting is not None and (refused := _refused_on(request, meeting, "edit")):
        return refused
    form = MeetingForm(request.POST or None, instance=meeting, community=community)

    def save(data):
        values = {name: data[name] for name in MeetingForm.Meta.fields}
        if meeting:
            return services.meeting_update(
                actor=request.user, meeting=meeting, bodies=list(data["bodies"]), **values
            )
        return services.meeting_create(
            actor=request.user, community=community, bodies=list(data["bodies"]), **values
        )

    saved = submit(request, form, save, _("%(name)s er lagret."))
    if saved:
        return redirect(saved.get_absolute_url())
    title = _("Endre møte") if meeting else _("Nytt møte")
    context = community_context(
        request,
        community,
        "meetings",
        _meeting_crumbs(community, (title, None)),
        form=form,
        title=title,
        cancel_url=meeting.get_absolute_url()
        if meeting
        else reverse("cases:meetings", args=[slug]),
    )
    return render(request, "includes/form_page.html", context)


@require_safe
def meeting_detail(request, slug, pk):
    community = community_or_deny(request.user, slug)
    meeting = policies.meeting_or_deny(request.user, community, pk)
    private = access.can_view_private(request.user, community)
    roles = policies.meeting_roles(request.user, meeting)
    may = lifecycle.permitted(meeting.status, roles)
    me = policies.my_attendance(request.user, meeting)
    context = community_context(
        request,
        community,
        "meetings",
        _meeting_crumbs(community, (str(meeting), None)),
        meeting=meeting,
        bodies=list(meeting.bodies.all()),
        items=selectors.agenda(request.user, meeting),
        # The register of who is invited, with the secretariat's controls, is the members' tool;
        # the public reads the attendance in the approved minutes.
        attendance=Attendance.objects.visible_to(request.user)
        .filter(meeting=meeting)
        .select_related("person", "substitute_for")
        if private
        else [],
        absent_status=Attendance.Status.ABSENT,
        private=private,
        can_manage=policies.can_manage_cases(request.user, community),
        may=may,
        buttons=[
            (action.name, action.label_for(meeting.status), action.variant)
            for action in lifecycle.buttons(meeting.status, roles)
        ],
        minutes_visible=policies.can_view_minutes(request.user, meeting),
        minutes_approved=meeting.status == Meeting.Status.APPROVED,
        decisions_visible=policies.can_view_decisions(request.user, meeting),
        agenda_form=AgendaAddForm(meeting=meeting) if may["agenda"] else None,
        substitute_form=SubstituteForm(meeting=meeting) if may["substitute"] else None,
        approve_form=ApproveForm(),
        me=me,
        absence_reported=me is not None and me.status == Attendance.Status.ABSENT,
    )
    return render(request, "cases/meeting_detail.html", context)


def _agenda_add(request: HttpRequest, meeting: Meeting) -> None:
    form = AgendaAddForm(request.POST, meeting=meeting)
    if not form.is_valid():
        raise ValidationError(_("Velg en sak."))
    services.agenda_add(
        actor=request.user, meeting=meeting, treatment=form.cleaned_data["treatment"]
    )
    messages.success(request, _("Saken er satt på sakslisten."))


def _invite(request: HttpRequest, meeting: Meeting) -> None:
    sent = services.invitation_send(actor=request.user, meeting=meeting)
    messages.success(request, _("Innkallingen er sendt til %(n)s personer.") % {"n": sent})


def _cancel(request: HttpRequest, meeting: Meeting) -> None:
    services.meeting_cancel(actor=request.user, meeting=meeting)
    messages.success(request, _("Møtet er avlyst."))


def _held(request: HttpRequest, meeting: Meeting) -> None:
    services.meeting_held(actor=request.user, meeting=meeting)
    messages.success(request, _("Møtet er registrert som avholdt."))


def _substitute(request: HttpRequest, meeting: Meeting) -> None:
    form = SubstituteForm(request.POST, meeting=meeting)
    absent = get_visible_or_404(
        Attendance, request.user, meeting=meeting, pk=_posted_pk(request, "absent")
    )
    if not form.is_valid():
        raise ValidationError(_("Velg en vara."))
    services.substitute_call(
        actor=request.user, meeting=meeting, absent=absent, person=form.cleaned_data["person"]
    )
    messages.success(request, _("Vara er kalt inn."))


def _attendance(request: HttpRequest, meeting: Meeting) -> None:
    attendance = get_visible_or_404(
        Attendance, request.user, meeting=meeting, pk=_posted_pk(request, "attendance")
    )
    status = request.POST.get("status")
    if status not in Attendance.Status.values:
        raise ValidationError(_("Ukjent oppmøte."))
    services.attendance_set(actor=request.user, attendance=attendance, status=status)


# The secretariat's forms on a meeting page, by the name of their action in `cases.lifecycle`.
MEETING_ACTIONS: dict[str, Callable[[HttpRequest, Meeting], None]] = {
    "agenda": _agenda_add,
    "invite": _invite,
    "cancel": _cancel,
    "held": _held,
    "substitute": _substitute,
    "attendance": _attendance,
}


@login_required
@require_POST
def meeting_action(request, slug, pk, action):
    """The secretariat's buttons on a meeting: add to agenda, send invitation, mark held, …"""
    community = community_or_deny(request.user, slug, admin=True)
    meeting = policies.meeting_or_deny(request.user, community, pk, edit=True)
    handler = MEETING_ACTIONS.get(action)
    if handler is None:
        raise Http404
    if not policies.has_role_for(request.user, meeting, action):
        access.deny(request.user, community)
    try:
        handler(request, meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(meeting.get_absolute_url())


@login_required
@require_POST
def absence_report(request, slug, pk):
    """An invited member reports absence; the secretariat then calls a substitute."""
    community = community_or_deny(request.user, slug)
    meeting = policies.meeting_or_deny(request.user, community, pk)
    attendance = get_visible_or_404(
        Attendance, request.user, meeting=meeting, person__user=request.user
    )
    try:
        services.absence_report(actor=request.user, attendance=attendance)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Forfallet er registrert. Sekretariatet kaller inn vara."))
    return redirect(meeting.get_absolute_url())


def _item_initial(item):
    """The record form's values: a case item's decision and votes live on its treatment."""
    initial = {"discussion": item.discussion, "decision": item.decision}
    if item.treatment is not None:
        t = item.treatment
        initial.update(
            decision=t.decision,
            outcome=t.outcome,
            unanimous=t.unanimous,
            votes_for=t.votes_for,
            votes_against=t.votes_against,
            dissent=t.dissent,
            protocol_remarks=t.protocol_remarks,
        )
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, slug, pk, item_pk):
    community = community_or_deny(request.user, slug, admin=True)
    meeting = policies.meeting_or_deny(request.user, community, pk, edit=True)
    if refused := _refused_on(request, meeting, "record"):
        return refused
    item = get_visible_or_404(
        AgendaItem.objects.select_related("treatment__case"),
        request.user,
        edit=True,
        meeting=meeting,
        pk=item_pk,
    )
    form = ItemForm(
        request.POST or None,
        initial=_item_initial(item),
        has_case=item.treatment is not None,
        edits=[item, item.treatment],
        read=lambda: _item_initial(item),
    )
    saved = submit(
        request,
        form,
        lambda data: services.item_record(actor=request.user, item=item, **data),
        _("Lagret: %(name)s."),
    )
    if saved:
        return redirect(meeting.get_absolute_url())
    context = community_context(
        request,
        community,
        "meetings",
        _meeting_crumbs(community, (str(meeting), meeting.get_absolute_url()), (item.label, None)),
        form=form,
        title=item.label,
        cancel_url=meeting.get_absolute_url(),
    )
    return render(request, "includes/form_page.html", context)


@login_required
@require_POST
def minutes_approve(request, slug, pk):
    community = community_or_deny(request.user, slug)
    meeting = policies.meeting_or_deny(request.user, community, pk)
    if not policies.can_approve_minutes(request.user, meeting):
        access.deny(request.user, community)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            services.minutes_approve(
                actor=request.user,
                meeting=meeting,
                how=form.cleaned_data["how"],
                on=form.cleaned_data["on"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Protokollen er godkjent og publisert."))
    return redirect(meeting.get_absolute_url())


@require_safe
def minutes_pdf(request, slug, pk):
    """Draft minutes are for members; only approved minutes are public."""
    community = community_or_deny(request.user, slug)
    meeting = policies.meeting_or_deny(request.user, community, pk)
    if not policies.can_view_minutes(request.user, meeting):
        access.deny(request.user, community)
    pdf = documents.minutes_pdf(
        meeting, user=request.user, base_url=request.build_absolute_uri("/")
    )
    name = f"protokoll-{slugify(meeting.title)}-{meeting.starts_at:%Y-%m-%d}.pdf"
    return FileResponse(
        io.BytesIO(pdf), as_attachment=False, filename=name, content_type="application/pdf"
    )


@require_safe
def meeting_ics(request, slug, pk):
    community = community_or_deny(request.user, slug)
    meeting = policies.meeting_or_deny(request.user, community, pk)
    private = access.can_view_private(request.user, community)
    ics = documents.meeting_ics(meeting, private=private)
    return FileResponse(
        io.BytesIO(ics.encode()),
        as_attachment=True,
        filename="mote.ics",
        content_type="text/calendar",
    )
