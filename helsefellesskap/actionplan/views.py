"""Pages of the action plan: the plan as a tree, a measure, the timeline, progress, versions and
their differences, and "our measures". Every view asks the policies first."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from helsefellesskap.actionplan import policies
from helsefellesskap.core import access
from helsefellesskap.core.pages import community_context, measure_panels, submit
from helsefellesskap.organisation.models import Body
from helsefellesskap.organisation.policies import body_or_deny, community_or_deny

from . import selectors, services
from .diff import version_diff
from .forms import FilterForm, StatusReportForm
from .models import PlanVersion


def plan_crumbs(plan, *more):
    return [
        (_("Handlingsplan"), reverse("actionplan:plans", args=[plan.community.slug])),
        (plan.title, plan.get_absolute_url()),
        *more,
    ]


def chosen_version(request, plan) -> PlanVersion:
    """The version asked for with ?versjon=N, else the current one (for members without a current
    version: the newest)."""
    versions = selectors.visible_versions(request.user, plan)
    number = request.GET.get("versjon")
    if number:
        version = versions.filter(number=number if number.isdigit() else 0).first()
    else:
        version = versions.filter(is_current=True).first() or versions.first()
    if version is None:
        raise Http404
    version.plan = plan
    return version


def plan_context(request, plan, version, nav_item, crumbs, *, show_status=None, **extra):
    """What every page of a plan needs; `show_status` when the caller has asked already."""
    if show_status is None:
        show_status = policies.can_view_plan_status(request.user, plan)
    return community_context(
        request,
        plan.community,
        "plans",
        crumbs,
        plan=plan,
        version=version,
        plan_nav=nav_item,
        show_status=show_status,
        can_edit=policies.can_edit_plan(request.user, plan),
        status_labels=selectors.STATUS_LABELS,
        **extra,
    )


def status_plan(request, slug, plan_slug):
    """The plan and chosen version of a status page or file: for whoever may see its status."""
    community = community_or_deny(request.user, slug)
    plan = policies.plan_or_deny(request.user, community, plan_slug)
    if not policies.can_view_plan_status(request.user, plan):
        access.deny(request.user, community)
    return plan, chosen_version(request, plan)


@require_safe
def plan_list(request, slug):
    community = community_or_deny(request.user, slug)
    context = community_context(
        request,
        community,
        "plans",
        [(_("Handlingsplan"), None)],
        plans=selectors.plans_for(request.user, community),
        my_bodies=selectors.bodies_of_user(request.user, community),
    )
    return render(request, "actionplan/plan_list.html", context)


@require_safe
@vary_on_headers("HX-Request")
def plan_detail(request, slug, plan_slug):
    community = community_or_deny(request.user, slug)
    plan = policies.plan_or_deny(request.user, community, plan_slug)
    version = chosen_version(request, plan)
    show_status = policies.can_view_plan_status(request.user, plan)
    form = FilterForm(request.GET or None, version=version, show_status=show_status)
    tree, matched = selectors.plan_tree(request.user, version, form.filters())
    context = plan_context(
        request,
        plan,
        version,
        "tree",
        plan_crumbs(plan)[:1] + [(plan.title, None)],
        show_status=show_status,
        form=form,
        tree=tree,
        matched=matched,
        versions=selectors.visible_versions(request.user, plan),
    )
    template = "actionplan/plan_detail.html"
    if request.htmx:
        template += "#tree"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def measure_detail(request, slug, plan_slug, lineage):
    community = community_or_deny(request.user, slug)
    plan = policies.plan_or_deny(request.user, community, plan_slug)
    version = chosen_version(request, plan)
    measure = selectors.measure_in(request.user, version, lineage)
    if measure is None:
        raise Http404
    if measure.version_id == version.pk:
        measure.version = version
    else:  # not in the chosen version: the newest visible version that has it
        version = measure.version
        version.plan = plan
    selectors.annotate_status(request.user, [measure], plan)
    can_report = version.is_current and policies.can_report_status(request.user, measure)
    form = None
    if can_report:
        bodies = Body.objects.filter(
            pk__in=[b.pk for b in policies.status_reporting_bodies(request.user, measure)]
        )
        form = StatusReportForm(
            request.POST or None,
            bodies=bodies,
            body_required=not access.can_administer(request.user, community),
        )
        saved = submit(
            request,
            form,
            lambda data: services.status_report(actor=request.user, measure=measure, **data),
            lambda report: (
                _("Status er registrert for tiltak %(code)s: %(status)s.")
                % {"status": report.get_status_display(), "code": measure.code}
            ),
        )
        if saved:
            return redirect(measure.get_absolute_url())
    elif request.method == "POST":
        access.deny(request.user, community)
    context = plan_context(
        request,
        plan,
        version,
        "tree",
        plan_crumbs(plan, (_("Tiltak %(code)s") % {"code": measure.code}, None)),
        measure=measure,
        history=selectors.measure_history(request.user, measure),
        show_reporters=policies.can_view_reporters(request.user, plan),
        appearances=selectors.measure_versions(request.user, measure),
        form=form,
        panels=measure_panels(request.user, measure),  # from modules above (indicators)
    )
    return render(request, "actionplan/measure_detail.html", context)


@require_safe
def timeline(request, slug, plan_slug):
    community = community_or_deny(request.user, slug)
    plan = policies.plan_or_deny(request.user, community, plan_slug)
    version = chosen_version(request, plan)
    years, measures = selectors.timeline(request.user, version)
    context = plan_context(
        request,
        plan,
        version,
        "timeline",
        plan_crumbs(plan, (_("Tidslinje"), None)),
        years=years,
        measures=measures,
        chart=timeline_chart(years, measures),
        not_reported=selectors.NOT_REPORTED,
    )
    return render(request, "actionplan/timeline.html", context)


def timeline_chart(years, measures) -> dict:
    """Geometry of the timeline picture: one bar per measure across the years it runs."""
    left, col, row = 90, 60, 18
    bars = []
    for index, measure in enumerate(measures):
        for year in measure.year_list:
            bars.append(
                {
                    "x": left + (year - years[0]) * col + 2,
                    "y": 30 + index * row,
                    "width": col - 4,
                    "measure": measure,
                }
            )
    return {
        "width": left + col * len(years) + 10,
        "height": 40 + row * len(measures),
        "columns": [{"year": y, "x": left + i * col} for i, y in enumerate(years)],
        "labels": [{"y": 30 + i * row + 12, "measure": m} for i, m in enumerate(measures)],
        "bars": bars,
        "col": col,
    }


@require_safe
def progress(request, slug, plan_slug):
    plan, version = status_plan(request, slug, plan_slug)
    context = plan_context(
        request,
        plan,
        version,
        "progress",
        plan_crumbs(plan, (_("Fremdrift"), None)),
        show_status=True,
        progress=selectors.progress(request.user, version),
    )
    return render(request, "actionplan/progress.html", context)


@require_safe
def versions(request, slug, plan_slug):
    community = community_or_deny(request.user, slug)
    plan = policies.plan_or_deny(request.user, community, plan_slug)
    visible = list(selectors.visible_versions(request.user, plan))
    version = chosen_version(request, plan)
    diff = None
    before, after = request.GET.get("fra"), request.GET.get("til")
    if before and after:
        by_number = {str(v.number): v for v in visible}
        if before not in by_number or after not in by_number:
            raise Http404
        diff = version_diff(by_number[before], by_number[after])
    elif len(visible) > 1:
        before, after = str(visible[1].number), str(visible[0].number)
    context = plan_context(
        request,
        plan,
        version,
        "versions",
        plan_crumbs(plan, (_("Versjoner"), None)),
        versions=visible,
        diff=diff,
        before=before,
        after=after,
    )
    return render(request, "actionplan/versions.html", context)


@require_safe
def body_measures(request, slug, body_slug):
    """ "Our measures": the measures of the current plans that a body is responsible for."""
    community = community_or_deny(request.user, slug)
    body = body_or_deny(request.user, community, body_slug)
    groups = []
    for plan in selectors.plans_for(request.user, community):
        if not plan.cur:
            continue
        version = plan.cur[0]
        version.plan = plan
        measures = selectors.measures_for_body(request.user, body, version)
        if measures:
            groups.append(
                {
                    "plan": plan,
                    "measures": measures,
                    "show_status": policies.can_view_plan_status(request.user, plan),
                }
            )
    context = community_context(
        request,
        community,
        "bodies",
        [
            (_("Organer"), reverse("organisation:bodies", args=[slug])),
            (str(body), body.get_absolute_url()),
            (_("Tiltak"), None),
        ],
        body=body,
        groups=groups,
    )
    return render(request, "actionplan/body_measures.html", context)


@require_safe
def my_measures(request, slug):
    community = community_or_deny(request.user, slug, private=True)
    bodies = selectors.bodies_of_user(request.user, community)
    if len(bodies) == 1:
        return redirect("actionplan:body_measures", slug, bodies[0].slug)
    if not bodies:
        messages.info(request, _("Du har ikke noe verv i et organ i dette helsefellesskapet."))
    context = community_context(
        request, community, "plans", [(_("Mine tiltak"), None)], bodies=bodies
    )
    return render(request, "actionplan/my_measures.html", context)
