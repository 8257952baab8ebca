"""The revision workflow for the secretariat: start a revision, edit, move, renumber and retire
measures in the draft, record ASU's recommendation and PSU's adoption."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from helsefellesskap.actionplan import policies
from helsefellesskap.core.pages import submit
from helsefellesskap.core.policies import get_visible_or_404
from helsefellesskap.organisation.models import Body
from helsefellesskap.organisation.policies import community_or_deny

from . import services
from .forms import DecisionForm, GoalForm, MeasureForm
from .models import Goal, Measure, PlanVersion
from .views import plan_context, plan_crumbs


def _plan(request, slug, plan_slug):
    """The plan of a secretariat page."""
    community = community_or_deny(request.user, slug, admin=True)
    return policies.plan_or_deny(request.user, community, plan_slug, edit=True)


def _draft(request, slug, plan_slug, number):
    """The plan and its version `number`, which must still be open for changes."""
    plan = _plan(request, slug, plan_slug)
    version = get_visible_or_404(PlanVersion, request.user, edit=True, plan=plan, number=number)
    version.plan = plan
    if not version.is_editable:
        raise Http404
    return plan, version


def _in_draft(request, model, version, lineage):
    """The goal or measure of `lineage` in the draft (None for a new one)."""
    if lineage is None:
        return None
    return get_visible_or_404(model, request.user, edit=True, version=version, lineage=lineage)


def _draft_url(version):
    return f"{version.plan.get_absolute_url()}?versjon={version.number}"


def _to_draft(version):
    return redirect(_draft_url(version))


def _form_page(request, plan, version, *, form, save, success, title, done, nav="tree"):
    """A create-or-edit page inside a draft: `save` the valid form through its service, then
    `done(saved)` is where to go; otherwise the form page again, with the errors."""
    saved = submit(request, form, save, success)
    if saved:
        return redirect(done(saved))
    context = plan_context(
        request,
        plan,
        version,
        nav,
        plan_crumbs(plan, (title, None)),
        form=form,
        title=title,
        cancel_url=_draft_url(version),
    )
    return render(request, "includes/form_page.html", context)


@login_required
@require_POST
def revision_start(request, slug, plan_slug):
    plan = _plan(request, slug, plan_slug)
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


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request, slug, plan_slug, number, lineage=None):
    plan, version = _draft(request, slug, plan_slug, number)
    measure = _in_draft(request, Measure, version, lineage)
    form = MeasureForm(request.POST or None, instance=measure, version=version)
    return _form_page(
        request,
        plan,
        version,
        form=form,
        save=lambda data: services.measure_save(
            actor=request.user, version=version, measure=measure, **form.service_values()
        ),
        success=_("Tiltak %(name)s er lagret."),
        title=_("Endre tiltak %(code)s") % {"code": measure.code} if measure else _("Nytt tiltak"),
        done=lambda saved: f"{saved.get_absolute_url()}?versjon={version.number}",
    )


@login_required
@require_POST
def measure_retire(request, slug, plan_slug, number, lineage):
    plan, version = _draft(request, slug, plan_slug, number)
    measure = _in_draft(request, Measure, version, lineage)
    services.measure_retire(actor=request.user, measure=measure)
    messages.success(
        request,
        _("Tiltak %(code)s er tatt ut av %(label)s. Tidligere versjoner beholder det.")
        % {"code": measure.code, "label": version.label},
    )
    return _to_draft(version)


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request, slug, plan_slug, number, lineage=None):
    plan, version = _draft(request, slug, plan_slug, number)
    goal = _in_draft(request, Goal, version, lineage)
    form = GoalForm(request.POST or None, instance=goal, version=version)
    return _form_page(
        request,
        plan,
        version,
        form=form,
        save=lambda data: services.goal_save(
            actor=request.user, version=version, goal=goal, **data
        ),
        success=_("Mål %(name)s er lagret."),
        title=_("Endre mål %(code)s") % {"code": goal.code} if goal else _("Nytt mål"),
        done=lambda saved: _draft_url(version),
    )


@login_required
@require_POST
def goal_retire(request, slug, plan_slug, number, lineage):
    plan, version = _draft(request, slug, plan_slug, number)
    goal = _in_draft(request, Goal, version, lineage)
    try:
        services.goal_retire(actor=request.user, goal=goal)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Mål %(code)s er tatt ut.") % {"code": goal.code})
    return _to_draft(version)


def _decision(request, slug, plan_slug, number, *, kind, service, title, done):
    """ASU's recommendation or PSU's adoption of a draft."""
    plan, version = _draft(request, slug, plan_slug, number)
    return _form_page(
        request,
        plan,
        version,
        form=DecisionForm(request.POST or None, community=plan.community, kind=kind),
        save=lambda data: service(actor=request.user, version=version, **data),
        success=done,
        title=title,
        done=_draft_url,
        nav="versions",
    )


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
    plan = _plan(request, slug, plan_slug)
    services.plan_publish_status(
        actor=request.user, plan=plan, public=request.POST.get("public") == "1"
    )
    if plan.status_is_public:
        messages.success(request, _("Statusen vises nå på de offentlige sidene."))
    else:
        messages.success(request, _("Statusen vises nå bare for medlemmer."))
    return redirect(plan.get_absolute_url())
