"""Pages of steering information: the dashboard, an indicator by municipality and region with
its trend (and as CSV), and the library of definitions. Every figure comes suppressed from
`selectors` for whoever may not see small numbers; the views only ask the policies."""

import csv
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from helsefellesskap.actionplan.models import PriorityGroup
from helsefellesskap.core import access
from helsefellesskap.core.pages import community_context, submit
from helsefellesskap.core.policies import get_visible_or_404
from helsefellesskap.core.suppression import SECONDARY_EXPLANATION
from helsefellesskap.organisation.models import Community
from helsefellesskap.organisation.policies import community_or_deny

from . import policies, selectors, services
from .forms import FilterForm, IndicatorForm
from .models import Indicator


def _crumbs(community: Community, *more: Any) -> list[Any]:
    return [
        (_("Styringsinformasjon"), reverse("indicators:dashboard", args=[community.slug])),
        *more,
    ]


def _context(request, community, crumbs, **extra):
    return community_context(
        request,
        community,
        "indicators",
        crumbs,
        is_analyst=policies.is_analyst(request.user, community),
        secondary_explanation=SECONDARY_EXPLANATION,
        **extra,
    )


@require_safe
def dashboard(request, slug):
    community = community_or_deny(request.user, slug)
    cards = selectors.dashboard(request.user, community)
    context = _context(
        request,
        community,
        [(_("Styringsinformasjon"), None)],
        cards=cards,
        has_hidden=any(card.has_hidden for card in cards),
    )
    return render(request, "indicators/dashboard.html", context)


def _indicator_or_404(request, community: Community, code: str) -> Indicator:
    """One of the dashboard's indicators; an anonymous visitor is asked to log in for one the
    members see."""
    for indicator in selectors.community_indicators(request.user, community):
        if indicator.code == code:
            return indicator
    anonymous = not access.access_for(request.user).is_authenticated
    if anonymous and Indicator.objects.filter(community=community, code=code).exists():
        raise access.LoginRequired
    raise Http404


def _page(request, community: Community, indicator: Indicator):
    """The page's figures for the filters in the query string, and the form that shows them."""
    groups = selectors.priority_groups(request.user, community, indicator)
    group = request.GET.get("gruppe", "")
    page = selectors.indicator_page(
        request.user,
        community,
        indicator,
        period=request.GET.get("periode", ""),
        region=request.GET.get("region", ""),
        age=request.GET.get("alder", ""),
        sex=request.GET.get("kjonn", ""),
        priority_group=group if group in groups else "",
    )
    labels = dict(PriorityGroup.choices)
    form = FilterForm(
        periods=page.figures.periods,
        regions=[(r.key, r.name) for r in page.figures.areas.regions],
        ages=[(a, selectors.age_label(a)) for a in ["", *selectors.indicator_splits(indicator)]],
        sexes=[(s, selectors.sex_label(s)) for s in ["", *selectors.SEXES]]
        if indicator.by_sex
        else None,
        groups=[(g, str(labels[g])) for g in groups],
        chosen={
            "periode": page.period or "",
            "region": page.region.key if page.region else "",
            "alder": page.selection.age,
            "kjonn": page.selection.sex,
            "gruppe": page.priority_group,
        },
    )
    return page, form


@require_safe
def indicator(request, slug, code):
    community = community_or_deny(request.user, slug)
    indicator = _indicator_or_404(request, community, code)
    page, form = _page(request, community, indicator)
    context = _context(
        request,
        community,
        _crumbs(community, (indicator.name, None)),
        indicator=indicator,
        page=page,
        form=form,
        query=request.GET.urlencode(),
        plan_items=selectors.linked_plan_items(community, indicator.measure_lineages or []),
        can_edit=not indicator.is_national
        and Indicator.objects.editable_by(request.user, community).filter(pk=indicator.pk).exists(),
    )
    return render(request, "indicators/indicator.html", context)


def _cell(value: Any) -> Any:
    """Text a spreadsheet would take for a formula is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@require_safe
def indicator_csv(request, slug, code):
    community = community_or_deny(request.user, slug)
    indicator = _indicator_or_404(request, community, code)
    page, _form = _page(request, community, indicator)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so spreadsheet programs read æ, ø and å as UTF-8
    writer = csv.writer(buffer, delimiter=";")
    for row in selectors.csv_rows(page):
        writer.writerow([_cell(value) for value in row])
    name = f"{indicator.code}-{community.slug}.csv"
    return HttpResponse(
        buffer.getvalue(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition_header(True, name)},
    )


# --- The library of definitions ------------------------------------------------------------------


@require_safe
def definitions(request, slug):
    community = community_or_deny(request.user, slug)
    own = list(Indicator.objects.visible_to(request.user, community).order_by("name", "code"))
    editable = (
        set(Indicator.objects.editable_by(request.user, community).values_list("pk", flat=True))
        if policies.is_analyst(request.user, community)
        else set()
    )
    copied = {i.copied_from_id for i in own} | {i.code for i in own}
    national = [
        {"indicator": i, "copied": bool({i.pk, i.code} & copied)}
        for i in Indicator.objects.national().order_by("name", "code")
    ]
    items = selectors.linked_plan_items(
        community, [x for i in own for x in i.measure_lineages or []]
    )
    by_lineage = {str(item.lineage): item for item in items}
    context = _context(
        request,
        community,
        _crumbs(community, (_("Definisjoner"), None)),
        own=[
            {
                "indicator": i,
                "editable": i.pk in editable,
                "links": [by_lineage[x] for x in i.measure_lineages or [] if x in by_lineage],
            }
            for i in own
        ],
        national=national,
    )
    return render(request, "indicators/definitions.html", context)


def _analyst_community(request, slug) -> Community:
    community = community_or_deny(request.user, slug)
    if not policies.is_analyst(request.user, community):
        access.deny(request.user, community)
    return community


def _definition_form(request, community, form, title, cancel_url):
    context = _context(
        request,
        community,
        _crumbs(
            community,
            (_("Definisjoner"), reverse("indicators:definitions", args=[community.slug])),
            (title, None),
        ),
        form=form,
        title=title,
        cancel_url=cancel_url,
    )
    return render(request, "indicators/definition_form.html", context)


@require_http_methods(["GET", "POST"])
def definition_create(request, slug):
    community = _analyst_community(request, slug)
    form = IndicatorForm(
        request.POST or None,
        community=community,
        link_choices=selectors.plan_link_choices(community),
    )
    saved = submit(
        request,
        form,
        lambda data: services.indicator_create(actor=request.user, community=community, **data),
        _("Indikatoren «%(name)s» er lagret."),
    )
    if saved:
        return redirect("indicators:definitions", community.slug)
    cancel = reverse("indicators:definitions", args=[community.slug])
    return _definition_form(request, community, form, _("Ny indikator"), cancel)


@require_http_methods(["GET", "POST"])
def definition_edit(request, slug, code):
    community = community_or_deny(request.user, slug)
    indicator = get_visible_or_404(
        Indicator.objects.all(), request.user, community=community, edit=True, code=code
    )
    form = IndicatorForm(
        request.POST or None,
        instance=indicator,
        community=community,
        link_choices=selectors.plan_link_choices(community),
    )
    saved = submit(
        request,
        form,
        lambda data: services.indicator_update(actor=request.user, indicator=indicator, **data),
        _("Indikatoren «%(name)s» er lagret."),
    )
    if saved:
        return redirect("indicators:definitions", community.slug)
    cancel = reverse("indicators:definitions", args=[community.slug])
    title = _("Endre %(name)s") % {"name": indicator.name}
    return _definition_form(request, community, form, title, cancel)


@require_POST
def definition_copy(request, slug, code):
    community = _analyst_community(request, slug)
    national = get_object_or_404(Indicator.objects.national(), code=code)
    try:
        copy = services.indicator_copy(actor=request.user, community=community, national=national)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("indicators:definitions", community.slug)
    messages.success(
        request,
        _(
            "«%(name)s» er kopiert til fellesskapet. Se over definisjonen og publiser den "
            "når den er klar."
        )
        % {"name": copy.name},
    )
    return redirect("indicators:definition_edit", community.slug, copy.code)
