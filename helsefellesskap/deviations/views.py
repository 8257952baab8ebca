"""Pages of the deviation routine: report, the shared case, the lists and themes."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from helsefellesskap.core import access
from helsefellesskap.core.pages import add_form_errors, community_context, submit
from helsefellesskap.core.policies import get_visible_or_404
from helsefellesskap.deviations import policies
from helsefellesskap.organisation.policies import community_or_deny

from . import selectors, services, workflow
from .forms import (
    ActionForm,
    CategoryForm,
    HandlerForm,
    ListFilterForm,
    ReportForm,
    SettingsForm,
    ThemeForm,
)
from .models import Category, Handler, Theme


def _case_context(request, community, deviation, **extra):
    roles = policies.deviation_roles(request.user, deviation)
    days_left = selectors.days_left(deviation)
    return community_context(
        request,
        community,
        "deviations",
        _crumbs(community, (str(deviation), None)),
        deviation=deviation,
        events=selectors.events(request.user, deviation),
        state_color=workflow.state_color(deviation.state),
        actions=workflow.available(deviation.state, roles),
        days_left=days_left,
        days_over=-days_left if days_left is not None and days_left < 0 else 0,
        roles=roles,
        themes=selectors.themes(request.user, community) if workflow.SECRETARIAT in roles else [],
        **extra,
    )


def _pk(value: str | None) -> int:
    """A primary key from a form field; 0 (no row) for anything but digits."""
    return int(value) if value and value.isdigit() else 0


def _crumbs(community, *more):
    return [(_("Samhandlingsavvik"), reverse("deviations:home", args=[community.slug])), *more]


@login_required
@require_safe
def home(request, slug):
    community = community_or_deny(request.user, slug)
    form = ListFilterForm(request.GET or None, community=community)
    filters = form.cleaned_data if form.is_valid() else {}
    listing = selectors.deviation_list(
        request.user,
        community,
        state=filters.get("state", ""),
        category=filters.get("category"),
        party=filters.get("party"),
    )
    page = Paginator(listing, 50).get_page(request.GET.get("side"))
    context = community_context(
        request,
        community,
        "deviations",
        [(_("Samhandlingsavvik"), None)],
        form=form,
        page=page,
        waiting=list(selectors.for_my_party(request.user, community)[:50]),
        mine=list(selectors.reported_by_me(request.user, community)[:20]),
        can_report=policies.can_report_deviation(request.user, community),
        can_view_statistics=policies.can_view_deviation_statistics(request.user, community),
    )
    return render(request, "deviations/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report(request, slug):
    community = community_or_deny(request.user, slug)
    if not policies.can_report_deviation(request.user, community):
        access.deny(request.user, community)
    services.categories_ensure_defaults(community)
    own = policies.deviation_access(request.user).reporter_parties.get(community.pk)
    show_confirm = request.method == "POST" and "confirm_names" in request.POST
    form = ReportForm(
        request.POST or None, community=community, own_party_id=own, show_confirm=show_confirm
    )
    guard_result = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            deviation = services.deviation_report(
                actor=request.user,
                community=community,
                **{**data, "confirm_names": data.get("confirm_names", False)},
            )
        except services.PrivacyGuardError as error:
            guard_result = error.result
            add_form_errors(form, error)
            if not guard_result.errors:  # only names: ask the reporter to confirm
                form = ReportForm(
                    request.POST, community=community, own_party_id=own, show_confirm=True
                )
                form.is_valid()
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(
                request,
                _("Avvik %(number)s er sendt til %(party)s. Svarfrist: %(deadline)s.")
                % {
                    "number": deviation.number,
                    "party": deviation.handling_party,
                    "deadline": deviation.deadline.strftime("%d.%m.%Y"),
                },
            )
            return redirect(deviation.get_absolute_url())
    context = community_context(
        request,
        community,
        "deviations",
        _crumbs(community, (_("Meld avvik"), None)),
        form=form,
        guard_result=guard_result,
    )
    return render(request, "deviations/report.html", context)


@login_required
@require_safe
def detail(request, slug, number):
    community = community_or_deny(request.user, slug)
    deviation = policies.deviation_or_deny(request.user, community, number)
    services.deviation_viewed(actor=request.user, deviation=deviation)
    context = _case_context(
        request, community, deviation, action_form=ActionForm(community=community)
    )
    return render(request, "deviations/detail.html", context)


@login_required
@require_POST
def act(request, slug, number, action):
    community = community_or_deny(request.user, slug)
    deviation = policies.deviation_or_deny(request.user, community, number)
    form = ActionForm(request.POST, community=community)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        data = form.cleaned_data
        if action == workflow.COMMENT:
            services.deviation_comment(
                actor=request.user,
                deviation=deviation,
                text=data.get("text", ""),
                confirm_names=data.get("confirm_names", False),
            )
        else:
            services.deviation_act(
                actor=request.user,
                deviation=deviation,
                action=action,
                text=data.get("text", ""),
                measures_taken=data.get("measures_taken", ""),
                to_party=data.get("to_party"),
                to_unit=data.get("to_unit"),
                confirm_names=data.get("confirm_names", False),
                seen_state=data.get("seen_state", ""),
            )
    except services.ActionOutdated as outdated:
        # Someone was faster: the case as it is now, with what this user typed kept on the page.
        deviation = outdated.deviation
        services.deviation_viewed(actor=request.user, deviation=deviation)
        context = _case_context(
            request, community, deviation, action_form=form, outdated=str(outdated)
        )
        return render(request, "deviations/detail.html", context, status=409)
    except ValidationError as error:
        # Keep what was typed: show the case again with the errors and the text.
        if not form.errors:  # the service refused a valid form
            add_form_errors(form, error)
        needs_confirm = isinstance(error, services.PrivacyGuardError) and error.result.ok
        services.deviation_viewed(actor=request.user, deviation=deviation)
        context = _case_context(
            request,
            community,
            deviation,
            action_form=form,
            failed_action=action,
            needs_confirm=needs_confirm,
        )
        return render(request, "deviations/detail.html", context, status=400)
    messages.success(request, _("Saken er oppdatert."))
    return redirect(deviation.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def theme_list(request, slug):
    community = community_or_deny(request.user, slug, admin=True)
    form = ThemeForm(request.POST or None, community=community)
    saved = submit(
        request,
        form,
        lambda data: services.theme_save(actor=request.user, community=community, **data),
        _("Temaet «%(name)s» er opprettet."),
    )
    if saved:
        return redirect("deviations:themes", slug)
    context = community_context(
        request,
        community,
        "deviations",
        _crumbs(community, (_("Temaer"), None)),
        themes=selectors.themes(request.user, community).prefetch_related("deviations"),
        form=form,
    )
    return render(request, "deviations/themes.html", context)


@login_required
@require_POST
def theme_assign(request, slug, number):
    community = community_or_deny(request.user, slug, admin=True)
    deviation = policies.deviation_or_deny(request.user, community, number)
    theme = get_visible_or_404(
        Theme, request.user, community=community, edit=True, pk=_pk(request.POST.get("theme"))
    )
    services.theme_assign(actor=request.user, theme=theme, deviations=[deviation])
    messages.success(request, _("Avviket er knyttet til temaet «%(theme)s».") % {"theme": theme})
    return redirect(deviation.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def settings(request, slug):
    """The secretariat's settings: deadline, categories and who handles deviations."""
    community = community_or_deny(request.user, slug, admin=True)
    services.categories_ensure_defaults(community)
    which = request.POST.get("form")
    settings_form = SettingsForm(
        request.POST if which == "settings" else None, instance=services.settings_for(community)
    )
    category_form = CategoryForm(request.POST if which == "category" else None, community=community)
    handler_form = HandlerForm(request.POST if which == "handler" else None, community=community)
    # The page has three forms; the hidden field "form" says which one was sent.
    sections = {
        "settings": (
            settings_form,
            functools.partial(services.settings_save, settings=settings_form.instance),
            _("Svarfristen er lagret."),
        ),
        "category": (category_form, services.category_save, _("Kategorien «%(name)s» er lagret.")),
        "handler": (
            handler_form,
            services.handler_add,
            _("%(name)s er lagt til som avviksbehandler."),
        ),
    }
    saved = None
    if which in sections:
        form, service, message = sections[which]
        saved = submit(
            request,
            form,
            lambda data: service(actor=request.user, community=community, **data),
            message,
        )
    if saved:
        return redirect("deviations:settings", slug)
    context = community_context(
        request,
        community,
        "deviations",
        _crumbs(community, (_("Innstillinger"), None)),
        settings_form=settings_form,
        category_form=category_form,
        handler_form=handler_form,
        categories=selectors.categories(request.user, community),
        handlers=selectors.handlers(request.user, community),
    )
    return render(request, "deviations/settings.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def category_edit(request, slug, pk):
    community = community_or_deny(request.user, slug, admin=True)
    category = get_visible_or_404(Category, request.user, community=community, edit=True, pk=pk)
    form = CategoryForm(request.POST or None, instance=category, community=community)
    saved = submit(
        request,
        form,
        lambda data: services.category_save(
            actor=request.user, community=community, category=category, **data
        ),
        _("Kategorien «%(name)s» er lagret."),
    )
    if saved:
        return redirect("deviations:settings", slug)
    settings_url = reverse("deviations:settings", args=[slug])
    context = community_context(
        request,
        community,
        "deviations",
        _crumbs(community, (_("Innstillinger"), settings_url), (str(category), None)),
        form=form,
        title=_("Endre kategori"),
        cancel_url=settings_url,
    )
    return render(request, "includes/form_page.html", context)


@login_required
@require_POST
def handler_remove(request, slug, pk):
    community = community_or_deny(request.user, slug, admin=True)
    handler = get_visible_or_404(Handler, request.user, community=community, edit=True, pk=pk)
    services.handler_remove(actor=request.user, handler=handler)
    messages.success(request, _("%(name)s er ikke lenger avviksbehandler.") % {"name": handler})
    return redirect("deviations:settings", slug)
