"""The revision workflow for the secretariat: start a revision, edit, move, renumber and retire
measures in the draft, record ASU's recommendation and PSU's adoption."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from helsefellesskap.actionplan import policies
from helsefellesskap.core.pages import submit
from helsefellesskap.organisation.models import Body
from helsefellesskap.organisation.policies import community_or_deny

from . import services
from .forms import DecisionForm, GoalForm, MeasureForm
from .models import Goal, Measure, PlanVersion
from .views import plan_context, plan_crumbs


def _draft(request, slug, plan_slug, number):
    community = community_or_deny(request.user, slug, admin=True)
    plan = policies.plan_or_deny(request.user, community, plan_slug, edit=True)
    version = get_object_or_404(PlanVersion, plan=plan, number=number)
    version.plan = plan
    if not version.is_editable:
        raise Http404
    return plan, version


def _to_draft(version):
    return redirect(f"{version.plan.get_absolute_url()}?versjon={version.number}")


@login_required
@require_POST
def revision_start(request, slug, plan_slug):
    community = community_or_deny(request.user, slug, admin=True)
    plan = policies.plan_or_deny(request.user, community, plan_slug, edit=True)
    try:
        version = services.revision_start(actor=request.user, plan=plan)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(plan.get_absolute_url())
    messages.success(
        request,
        _("%(label)s er startet som en kopi av gjeldende versjon.") % {"label": version.label},
    )
    return _to_draft(version)


def _draft_form_page(request, plan, version, form, save, success, title):
    """A create-or-edit page inside a draft; back to the draft's tree when saved."""
    saved = submit(request, form, save, success)
    if saved:
        return saved, None
    context = plan_context(
        request,
        plan,
        version,
        "tree",
        plan_crumbs(plan, (title, None)),
        form=form,
        title=title,
        cancel_url=f"{plan.get_absolute_url()}?versjon={version.number}",
    )
    return None, render(request, "includes/form_page.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request, slug, plan_slug, number, lineage=None):
    plan, version = _draft(request, slug, plan_slug, number)
    measure = get_object_or_404(Measure, version=version, lineage=lineage) if lineage else None
    form = MeasureForm(request.POST or None, instance=measure, version=version)
    saved, page = _draft_form_page(
        request,
        plan,
        version,
        form,
        lambda data: services.measure_save(
            actor=request.user, version=version, measure=measure, **form.service_values()
        ),
        _("Tiltak %(name)s er lagret."),
        _("Endre tiltak %(code)s") % {"code": measure.code} if measure else _("Nytt tiltak"),
    )
    return redirect(f"{saved.get_absolute_url()}?versjon={version.number}") if saved else page


@login_required
@require_POST
def measure_retire(request, slug, plan_slug, number, lineage):
    plan, version = _draft(request, slug, plan_slug, number)
    measure = get_object_or_404(Measure, version=version, lineage=lineage)
    services.measure_retire(actor=request.user, measure=measure)
    messages.success(
        request,
        _("Tiltak %(code)s er tatt ut av %(label)s. Tidligere versjoner beholder det.")
        % {"code": measure.code, "label": version.label},
    )
    return _to_draft(version)


def _decision(request, slug, plan_slug, number, *, kind, service, title, done):
    plan, version = _draft(request, slug, plan_slug, number)
    form = DecisionForm(request.POST or None, community=plan.community, kind=kind)
    saved = submit(
        request,
        form,
        lambda data: service(actor=request.user, version=version, **data),
        done,
    )
    if saved:
        return _to_draft(saved)
    context = plan_context(
        request,
        plan,
        version,
        "versions",
        plan_crumbs(plan, (title, None)),
        form=form,
        title=title,
        cancel_url=f"{plan.get_absolute_url()}?versjon={version.number}",
    )
    return render(request, "includes/form_page.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def version_recommend(request, slug, plan_slug, number):
    return _decision(
        request,
        slug,
        plan_slug,
        number,
        kind=Body.Kind.ADMINISTRATIVE,
        service=services.version_recommend,
        title=_("Registrer ASUs innstilling"),
        done=_("%(name)s er registrert som innstilt."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_adopt(request, slug, plan_slug, number):
    return _decision(
        request,
        slug,
        plan_slug,
        number,
        kind=Body.Kind.POLITICAL,
        service=services.version_adopt,
        title=_("Registrer PSUs vedtak"),
        done=_("%(name)s er vedtatt og er nå gjeldende versjon."),
    )


@login_required
@require_POST
def status_publish(request, slug, plan_slug):
    """The secretariat decides whether the public sees the measures' status."""
    community = community_or_deny(request.user, slug, admin=True)
    plan = policies.plan_or_deny(request.user, community, plan_slug, edit=True)
    services.plan_publish_status(
        actor=request.user, plan=plan, public=request.POST.get("public") == "1"
    )
    if plan.status_is_public:
        messages.success(request, _("Statusen vises nå på de offentlige sidene."))
    else:
        messages.success(request, _("Statusen vises nå bare for medlemmer."))
    return redirect(plan.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request, slug, plan_slug, number, lineage=None):
    plan, version = _draft(request, slug, plan_slug, number)
    goal = get_object_or_404(Goal, version=version, lineage=lineage) if lineage else None
    form = GoalForm(request.POST or None, instance=goal, version=version)
    saved, page = _draft_form_page(
        request,
        plan,
        version,
        form,
        lambda data: services.goal_save(actor=request.user, version=version, goal=goal, **data),
        _("Mål %(name)s er lagret."),
        _("Endre mål %(code)s") % {"code": goal.code} if goal else _("Nytt mål"),
    )
    return _to_draft(version) if saved else page


@login_required
@require_POST
def goal_retire(request, slug, plan_slug, number, lineage):
    plan, version = _draft(request, slug, plan_slug, number)
    goal = get_object_or_404(Goal, version=version, lineage=lineage)
    try:
        services.goal_retire(actor=request.user, goal=goal)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Mål %(code)s er tatt ut.") % {"code": goal.code})
    return _to_draft(version)
