"""The analysis group's loading pages: upload a table or an event file, follow its task, look at
what it would change, and confirm or discard it. For the analysis group and the secretariat
only: other members get 403, outsiders 404, anonymous visitors the login page."""

import datetime
from typing import Any

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from helsefellesskap.core import access
from helsefellesskap.core.pages import Crumb, community_context
from helsefellesskap.core.policies import get_visible_or_404
from helsefellesskap.organisation.policies import community_or_deny

from . import policies, services
from .forms import LoadForm
from .models import DataLoad

NAV = "indicators"
RECENT = 50  # loads listed
STALLED_AFTER = datetime.timedelta(minutes=1)  # waiting this long: say the worker may be down


def _analyst_community(request: Any, slug: str) -> Any:
    community = community_or_deny(request.user, slug)
    if not policies.is_analyst(request.user, community):
        access.deny(request.user, community)
    return community


def _crumbs(community: Any, *more: Crumb) -> list[Crumb]:
    dashboard = reverse("indicators:dashboard", args=[community.slug])
    return [(_("Styringsinformasjon"), dashboard), *more]


@require_http_methods(["GET", "HEAD", "POST"])
def loads(request, slug):
    community = _analyst_community(request, slug)
    form = LoadForm(request.POST or None, request.FILES or None, community=community)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        load = services.load_create(
            actor=request.user,
            community=community,
            kind=form.cleaned_data["kind"],
            file_name=upload.name,
            chunks=upload.chunks(),
            indicator=form.cleaned_data.get("indicator"),
        )
        return redirect("indicators:load", community.slug, load.pk)
    recent = DataLoad.objects.visible_to(request.user, community).select_related("created_by")
    context = community_context(
        request,
        community,
        NAV,
        _crumbs(community, (_("Last inn tall"), None)),
        form=form,
        loads=recent[:RECENT],
    )
    return render(request, "indicators/loads.html", context)


def _running(load: DataLoad) -> bool:
    return load.status in (DataLoad.Status.WAITING, DataLoad.Status.RUNNING)


def _when(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


@require_safe
def load(request, slug, pk):
    community = _analyst_community(request, slug)
    row = get_visible_or_404(
        DataLoad.objects.select_related("created_by"), request.user, community=community, pk=pk
    )
    context = community_context(
        request,
        community,
        NAV,
        _crumbs(
            community,
            (_("Last inn tall"), reverse("indicators:loads", args=[community.slug])),
            (row.file_name or row.get_kind_display(), None),
        ),
        load=row,
        running=_running(row),
        stalled=row.status == DataLoad.Status.WAITING
        and timezone.now() - row.created_at > STALLED_AFTER,
        summary=row.summary,
        same_file_loaded=_when(row.summary.get("same_file_loaded")),
    )
    template = "indicators/load.html#status" if request.htmx else "indicators/load.html"
    return render(request, template, context)


@require_POST
def load_confirm(request, slug, pk):
    community = _analyst_community(request, slug)
    row = get_visible_or_404(DataLoad, request.user, community=community, edit=True, pk=pk)
    if services.load_confirm(actor=request.user, load=row):
        messages.success(request, _("Tallene lagres nå. Siden viser når det er ferdig."))
    else:
        messages.info(request, _("Innlastingen venter ikke lenger på godkjenning."))
    return redirect("indicators:load", community.slug, row.pk)


@require_POST
def load_discard(request, slug, pk):
    community = _analyst_community(request, slug)
    row = get_visible_or_404(DataLoad, request.user, community=community, edit=True, pk=pk)
    if services.load_discard(actor=request.user, load=row):
        messages.success(
            request,
            _("Innlastingen av %(name)s er forkastet. Ingenting er lagret.")
            % {"name": row.file_name},
        )
        return redirect("indicators:loads", community.slug)
    messages.info(
        request, _("Innlastingen kan ikke forkastes mens den pågår eller når den er ferdig.")
    )
    return redirect("indicators:load", community.slug, row.pk)
