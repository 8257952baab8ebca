"""Pages of the organisation module. Every view asks the policies first."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from helsefellesskap.core import access
from helsefellesskap.core.pages import community_context, home_tasks, submit
from helsefellesskap.core.policies import get_visible_or_404
from helsefellesskap.organisation import policies

from . import selectors, services
from .forms import (
    BodyForm,
    InvitationForm,
    MembershipEndForm,
    MembershipForm,
    PartyForm,
    PersonForm,
    RegionForm,
)
from .models import Body, MunicipalRegion, Party, Person


@require_safe
def home(request):
    """The front page: the published communities, and the user's own seats."""
    communities = selectors.communities_for_user(request.user)
    request._hf_switcher = communities
    return render(
        request,
        "organisation/home.html",
        {"communities": communities, "seats": selectors.my_seats(request.user)},
    )


def _fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in form.Meta.fields}


@require_safe
def community(request, slug):
    community = policies.community_or_deny(request.user, slug)
    context = community_context(
        request,
        community,
        "home",
        [],
        summary=selectors.community_summary(request.user, community),
        my_seats=selectors.my_seats(request.user, community),
        tasks=home_tasks(request.user, community),
    )
    context["breadcrumbs"] = []
    return render(request, "organisation/community.html", context)


@require_safe
def body_list(request, slug):
    community = policies.community_or_deny(request.user, slug)
    context = community_context(
        request,
        community,
        "bodies",
        [(_("Organer"), None)],
        bodies=selectors.body_list(request.user, community),
    )
    return render(request, "organisation/body_list.html", context)


@require_safe
def body_detail(request, slug, body_slug):
    community = policies.community_or_deny(request.user, slug)
    body = policies.body_or_deny(request.user, community, body_slug)
    private = access.can_view_private(request.user, community)
    context = community_context(
        request,
        community,
        "bodies",
        [(_("Organer"), reverse("organisation:bodies", args=[slug])), (str(body), None)],
        body=body,
        parent=selectors.visible_parent(body, private),
        members=selectors.body_members(body),
        future_members=selectors.body_future_members(body) if private else [],
        history=selectors.body_history(body) if private else [],
        children=selectors.child_bodies(request.user, body),
        can_manage=policies.can_manage_memberships(request.user, body),
    )
    return render(request, "organisation/body_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def membership_create(request, slug, body_slug):
    community = policies.community_or_deny(request.user, slug, admin=True)
    body = policies.body_or_deny(request.user, community, body_slug, admin=True)
    form = MembershipForm(request.POST or None, body=body)
    saved = submit(
        request,
        form,
        lambda data: services.membership_create(actor=request.user, body=body, **_fields(form)),
        lambda m: _("%(name)s er lagt til i %(body)s.") % {"name": m.person, "body": body},
    )
    if saved:
        return redirect(body.get_absolute_url())
    crumbs = _body_crumbs(slug, body, _("Nytt medlem"))
    context = community_context(request, community, "bodies", crumbs, body=body, form=form)
    return render(request, "organisation/membership_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def membership_edit(request, slug, pk):
    community = policies.community_or_deny(request.user, slug, admin=True)
    membership = policies.membership_or_deny(request.user, community, pk)
    body = membership.body
    form = MembershipForm(request.POST or None, instance=membership, body=body)
    saved = submit(
        request,
        form,
        lambda data: services.membership_update(
            actor=request.user, membership=membership, **_fields(form)
        ),
        _("Medlemskapet er oppdatert."),
    )
    if saved:
        return redirect(body.get_absolute_url())
    crumbs = _body_crumbs(slug, body, _("Endre medlemskap"))
    context = community_context(
        request, community, "bodies", crumbs, body=body, form=form, membership=membership
    )
    return render(request, "organisation/membership_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def membership_end(request, slug, pk):
    community = policies.community_or_deny(request.user, slug, admin=True)
    membership = policies.membership_or_deny(request.user, community, pk)
    body = membership.body
    form = MembershipEndForm(request.POST or None, membership=membership)
    saved = submit(
        request,
        form,
        lambda data: services.membership_end(actor=request.user, membership=membership, **data),
        lambda m: (
            _("Vervet til %(name)s er avsluttet og ligger i historikken.") % {"name": m.person}
        ),
    )
    if saved:
        return redirect(body.get_absolute_url())
    crumbs = _body_crumbs(slug, body, _("Avslutt verv"))
    context = community_context(
        request, community, "bodies", crumbs, body=body, form=form, membership=membership
    )
    return render(request, "organisation/membership_end.html", context)


def _body_crumbs(slug, body, last):
    return [
        (_("Organer"), reverse("organisation:bodies", args=[slug])),
        (str(body), body.get_absolute_url()),
        (last, None),
    ]


@require_safe
def party_list(request, slug):
    community = policies.community_or_deny(request.user, slug)
    context = community_context(
        request,
        community,
        "parties",
        [(_("Parter"), None)],
        groups=selectors.parties_grouped(community),
    )
    return render(request, "organisation/party_list.html", context)


@require_safe
def contact_list(request, slug):
    community = policies.community_or_deny(request.user, slug)
    context = community_context(
        request,
        community,
        "contacts",
        [(_("Kontakter"), None)],
        contacts=selectors.contact_list(request.user, community),
    )
    return render(request, "organisation/contact_list.html", context)


@require_safe
def representation(request, slug):
    community = policies.community_or_deny(request.user, slug)
    context = community_context(
        request,
        community,
        "representation",
        [(_("Representasjon"), None)],
        rows=selectors.representation_overview(request.user, community),
    )
    return render(request, "organisation/representation.html", context)


@login_required
@require_safe
def person_list(request, slug):
    community = policies.community_or_deny(request.user, slug, admin=True)
    context = community_context(
        request,
        community,
        "people",
        [(_("Personer"), None)],
        people=selectors.people_register(community),
    )
    return render(request, "organisation/person_list.html", context)


def _edit_page(request, community, *, form, save, nav, list_url, list_label, title, done=None):
    """A create-or-edit page of the secretariat on the shared form template."""
    saved = submit(request, form, save, _("%(name)s er lagret."))
    if saved:
        return redirect(done(saved) if done else list_url)
    crumbs = [(list_label, list_url), (title, None)]
    context = community_context(
        request, community, nav, crumbs, form=form, title=title, cancel_url=list_url
    )
    return render(request, "includes/form_page.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person_form(request, slug, pk=None):
    community = policies.community_or_deny(request.user, slug, admin=True)
    person = (
        get_visible_or_404(Person, request.user, community=community, edit=True, pk=pk)
        if pk
        else None
    )
    form = PersonForm(request.POST or None, instance=person, community=community)

    def save(data):
        if person:
            return services.person_update(actor=request.user, person=person, **_fields(form))
        return services.person_create(actor=request.user, community=community, **_fields(form))

    return _edit_page(
        request,
        community,
        form=form,
        save=save,
        nav="people",
        list_url=reverse("organisation:people", args=[slug]),
        list_label=_("Personer"),
        title=_("Endre person") if person else _("Ny person"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_create(request, slug):
    community = policies.community_or_deny(request.user, slug, admin=True)
    form = InvitationForm(request.POST or None, community=community)
    saved = submit(
        request,
        form,
        lambda data: services.invitation_create(actor=request.user, community=community, **data),
        _("Invitasjonen er sendt til %(name)s."),
    )
    if saved:
        return redirect("organisation:people", slug)
    crumbs = [(_("Personer"), reverse("organisation:people", args=[slug])), (_("Inviter"), None)]
    context = community_context(request, community, "people", crumbs, form=form)
    return render(request, "organisation/invitation_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def party_form(request, slug, pk=None):
    community = policies.community_or_deny(request.user, slug, admin=True)
    party = (
        get_visible_or_404(Party, request.user, community=community, edit=True, pk=pk)
        if pk
        else Party(community=community)
    )
    form = PartyForm(request.POST or None, instance=party, community=community)
    return _edit_page(
        request,
        community,
        form=form,
        save=lambda data: services.party_save(actor=request.user, party=party, **_fields(form)),
        nav="parties",
        list_url=reverse("organisation:parties", args=[slug]),
        list_label=_("Parter"),
        title=_("Endre part") if pk else _("Ny part"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def region_form(request, slug, pk=None):
    community = policies.community_or_deny(request.user, slug, admin=True)
    region = (
        get_visible_or_404(MunicipalRegion, request.user, community=community, edit=True, pk=pk)
        if pk
        else MunicipalRegion(community=community)
    )
    form = RegionForm(request.POST or None, instance=region, community=community)
    return _edit_page(
        request,
        community,
        form=form,
        save=lambda data: services.region_save(actor=request.user, region=region, **_fields(form)),
        nav="parties",
        list_url=reverse("organisation:parties", args=[slug]),
        list_label=_("Parter"),
        title=_("Endre kommuneregion") if pk else _("Ny kommuneregion"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def body_form(request, slug, body_slug=None):
    community = policies.community_or_deny(request.user, slug, admin=True)
    body = (
        get_visible_or_404(Body, request.user, community=community, edit=True, slug=body_slug)
        if body_slug
        else Body(community=community)
    )
    form = BodyForm(request.POST or None, instance=body, community=community)
    return _edit_page(
        request,
        community,
        form=form,
        save=lambda data: services.body_save(actor=request.user, body=body, **_fields(form)),
        nav="bodies",
        list_url=reverse("organisation:bodies", args=[slug]),
        list_label=_("Organer"),
        title=_("Endre organ") if body_slug else _("Nytt organ"),
        done=lambda saved: saved.get_absolute_url(),
    )
