"""Pages of the annual wheel: the round year, the list, the secretariat's rules and proposals, one
event, and the personal calendar address. Every view asks the policies first: the community
through `community_or_deny`, each row through `get_visible_or_404`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from helsefellesskap.core import periods
from helsefellesskap.core.pages import community_context, submit
from helsefellesskap.core.policies import get_visible_or_404
from helsefellesskap.organisation.models import Body
from helsefellesskap.organisation.policies import community_or_deny

from . import selectors, services, wheel
from .forms import EventForm, FilterForm, GenerateForm, RuleForm
from .models import Kind, RecurrenceRule, WheelEvent

NAV = "wheel"


def wheel_crumbs(community, *more):
    url = reverse("annualwheel:wheel", args=[community.slug])
    return [(_("Årshjul"), url if more else None), *more]


def wheel_context(request, community, crumbs, *, view: str, year: int | None = None, **extra):
    return community_context(
        request,
        community,
        NAV,
        crumbs,
        wheel_view=view,
        year=year,
        previous_year=year - 1 if year and year > periods.FIRST_YEAR else None,
        next_year=year + 1 if year and year < periods.LAST_YEAR else None,
        kind_labels=dict(Kind.choices),
        **extra,
    )


@require_safe
def wheel_page(request, slug):
    community = community_or_deny(request.user, slug)
    year = periods.chosen_year(request)
    entries = selectors.year_entries(request.user, community, year)
    context = wheel_context(
        request,
        community,
        wheel_crumbs(community),
        view="wheel",
        year=year,
        entries=entries,
        months=selectors.by_month(entries),
        chart=wheel.layout(year, entries, timezone.localdate()),
        legend=wheel.LEGEND,
    )
    return render(request, "annualwheel/wheel.html", context)


@require_safe
def event_list(request, slug):
    community = community_or_deny(request.user, slug)
    bodies = list(Body.objects.visible_to(request.user, community))
    this_year = timezone.localdate().year
    year = periods.chosen_year(request)
    years = sorted({this_year - 1, this_year, this_year + 1, year})
    form = FilterForm(
        {"type": "", "organ": "", **request.GET.dict(), "ar": year}, years=years, bodies=bodies
    )
    kind, body = "", None
    if form.is_valid():
        kind = form.cleaned_data["type"]
        body = next((b for b in bodies if b.slug == form.cleaned_data["organ"]), None)
    entries = selectors.year_entries(request.user, community, year, kind=kind, body=body)
    context = wheel_context(
        request,
        community,
        wheel_crumbs(community, (_("Liste"), None)),
        view="list",
        year=year,
        form=form,
        entries=entries,
        filtered=bool(kind or body),
        filter_query=_filter_query(kind, body),
    )
    return render(request, "annualwheel/list.html", context)


def _filter_query(kind: str, body: Body | None) -> str:
    parts = [f"type={kind}"] if kind else []
    if body is not None:
        parts.append(f"organ={body.slug}")
    return "&".join(parts)


# --- The secretariat: rules, proposals, events --------------------------------------------------


def _rule(request, community, pk) -> RecurrenceRule:
    return get_visible_or_404(RecurrenceRule, request.user, community=community, edit=True, pk=pk)


def _event(request, community, pk) -> WheelEvent:
    return get_visible_or_404(WheelEvent, request.user, community=community, edit=True, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def rules_page(request, slug):
    community = community_or_deny(request.user, slug, admin=True)
    year = periods.chosen_year(request)
    this_year = timezone.localdate().year
    form = RuleForm(request.POST or None, community=community)
    saved = submit(
        request,
        form,
        lambda data: services.rule_save(
            actor=request.user, rule=form.instance, **{n: data[n] for n in RuleForm.Meta.fields}
        ),
        _("Regelen «%(name)s» er lagret. Lag forslag for året når du er klar."),
    )
    if saved:
        return redirect(f"{reverse('annualwheel:rules', args=[slug])}?ar={year}")
    context = wheel_context(
        request,
        community,
        wheel_crumbs(community, (_("Regler og forslag"), None)),
        view="rules",
        year=year,
        form=form,
        rules=selectors.rules(request.user, community),
        proposals=selectors.proposals(request.user, community, year),
        generate_form=GenerateForm(
            initial={"year": year}, years=sorted({this_year, this_year + 1, year})
        ),
    )
    return render(request, "annualwheel/rules.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, slug, pk):
    community = community_or_deny(request.user, slug, admin=True)
    rule = _rule(request, community, pk)
    form = RuleForm(request.POST or None, instance=rule, community=community)
    rules_url = reverse("annualwheel:rules", args=[slug])
    saved = submit(
        request,
        form,
        lambda data: services.rule_save(
            actor=request.user, rule=rule, **{n: data[n] for n in RuleForm.Meta.fields}
        ),
        _("Regelen «%(name)s» er lagret."),
    )
    if saved:
        return redirect(rules_url)
    title = _("Endre regel")
    crumbs = wheel_crumbs(community, (_("Regler og forslag"), rules_url), (title, None))
    context = community_context(
        request, community, NAV, crumbs, form=form, title=title, cancel_url=rules_url
    )
    return render(request, "includes/form_page.html", context)


@login_required
@require_POST
def rule_delete(request, slug, pk):
    community = community_or_deny(request.user, slug, admin=True)
    rule = _rule(request, community, pk)
    removed = services.rule_delete(actor=request.user, rule=rule)
    messages.success(
        request,
        _("Regelen «%(name)s» og %(n)s ubekreftede forslag er slettet.")
        % {"name": rule.title, "n": removed},
    )
    return redirect("annualwheel:rules", slug)


@login_required
@require_POST
def generate(request, slug):
    community = community_or_deny(request.user, slug, admin=True)
    this_year = timezone.localdate().year
    form = GenerateForm(request.POST, years=list(range(this_year - 1, this_year + 3)))
    if not form.is_valid():
        messages.error(request, _("Velg et år å lage forslag for."))
        return redirect("annualwheel:rules", slug)
    year = form.cleaned_data["year"]
    made = 0
    for rule in selectors.rules(request.user, community):
        made += len(services.rule_generate(actor=request.user, rule=rule, year=year))
    if made:
        message = ngettext(
            "%(n)s nytt forslag for %(year)s. Bekreft eller slett dem under.",
            "%(n)s nye forslag for %(year)s. Bekreft eller slett dem under.",
            made,
        )
    else:
        message = _("Ingen nye forslag for %(year)s: reglene har allerede datoer for året.")
    messages.success(request, message % {"n": made, "year": year})
    return redirect(f"{reverse('annualwheel:rules', args=[slug])}?ar={year}#forslag")


def _back(request, slug, fallback_year=None) -> str:
    """Back to the page the button was on (only our own pages), else the rules page."""
    target = request.POST.get("next", "")
    if target.startswith(f"/{slug}/arshjul/") and "//" not in target:
        return target
    url = reverse("annualwheel:rules", args=[slug])
    return f"{url}?ar={fallback_year}#forslag" if fallback_year else url


@login_required
@require_POST
def event_confirm(request, slug, pk):
    community = community_or_deny(request.user, slug, admin=True)
    event = _event(request, community, pk)
    try:
        event = services.event_confirm(actor=request.user, event=event)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if event.meeting_id:
            message = _("«%(name)s» er bekreftet, og møtet er opprettet med standard saksliste.")
        else:
            message = _("«%(name)s» er bekreftet.")
        messages.success(request, message % {"name": event})
    return redirect(_back(request, slug, event.local_date.year))


@login_required
@require_POST
def confirm_all(request, slug):
    community = community_or_deny(request.user, slug, admin=True)
    year = periods.chosen_year(request)
    pending = list(selectors.proposals(request.user, community, year))
    try:
        services.events_confirm(actor=request.user, events=pending)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(n)s forslag for %(year)s er bekreftet.") % {"n": len(pending), "year": year},
        )
    return redirect(f"{reverse('annualwheel:rules', args=[slug])}?ar={year}")


@login_required
@require_POST
def event_delete(request, slug, pk):
    community = community_or_deny(request.user, slug, admin=True)
    event = _event(request, community, pk)
    year = event.local_date.year
    try:
        services.event_delete(actor=request.user, event=event)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("«%(name)s» er slettet.") % {"name": event})
    return redirect(_back(request, slug, year))


@login_required
@require_http_methods(["GET", "POST"])
def event_form(request, slug, pk=None):
    community = community_or_deny(request.user, slug, admin=True)
    event = _event(request, community, pk) if pk else WheelEvent(community=community)
    form = EventForm(request.POST or None, community=community, event=event)
    saved = submit(
        request,
        form,
        lambda data: services.event_save(actor=request.user, event=event, **form.values()),
        _("«%(name)s» er lagret."),
    )
    if saved:
        return redirect(f"{reverse('annualwheel:list', args=[slug])}?ar={saved.local_date.year}")
    list_url = reverse("annualwheel:list", args=[slug])
    title = _("Endre hendelse") if pk else _("Ny hendelse")
    crumbs = wheel_crumbs(community, (_("Liste"), list_url), (title, None))
    context = community_context(
        request,
        community,
        NAV,
        crumbs,
        form=form,
        title=title,
        cancel_url=list_url,
        event=event if pk else None,
        event_meeting_url=(
            selectors.meeting_url(event.meeting, community) if event.meeting_id else ""
        ),
    )
    return render(request, "annualwheel/event_form.html", context)


# --- The personal calendar ---------------------------------------------------------------------


@login_required
@require_safe
def my_calendar(request, slug):
    community = community_or_deny(request.user, slug)
    token = services.feed_token_for(request.user)
    feed_url = request.build_absolute_uri(reverse("annualwheel:personal_feed", args=[token.token]))
    context = wheel_context(
        request,
        community,
        wheel_crumbs(community, (_("Min kalender"), None)),
        view="mine",
        token=token,
        feed_url=feed_url,
        webcal_url="webcal://" + feed_url.split("://", 1)[1],
        community_feed_url=request.build_absolute_uri(
            reverse("annualwheel:community_feed", args=[slug])
        ),
        seats=selectors.seats_of(request.user),
        public_bodies=Body.objects.visible_to(request.user, community).filter(is_public=True),
    )
    return render(request, "annualwheel/my_calendar.html", context)


@login_required
@require_POST
def my_calendar_reset(request, slug):
    community_or_deny(request.user, slug)
    services.feed_token_reset(request.user)
    messages.success(
        request,
        _("Kalenderen har fått ny adresse. Den gamle virker ikke lenger; legg inn den nye."),
    )
    return redirect("annualwheel:my_calendar", slug)
