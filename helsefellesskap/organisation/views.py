"""Pages of the organisation module. Every view asks `permissions` first."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from helsefellesskap import permissions

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


def _context(request, community, nav, crumbs, **extra):
    """What every community page's template needs: the community, its menu, breadcrumbs."""
    return {
        "community": community,
        "nav": nav,
        "can_administer": permissions.can_administer(request.user, community),
        "can_view_private": permissions.can_view_private(request.user, community),
        "breadcrumbs": [
            (_("Forside"), reverse("core:home")),
            (community.short_name, community.get_absolute_url()),
            *crumbs,
        ],
        **extra,
    }


def _add_form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def community(request, slug):
    community = permissions.community_or_deny(request.user, slug)
    context = _context(
        request,
        community,
        "home",
        [],
        summary=selectors.community_summary(request.user, community),
        my_seats=selectors.my_seats(request.user, community),
    )
    context["breadcrumbs"] = []
    return render(request, "organisation/community.html", context)


def body_list(request, slug):
    community = permissions.community_or_deny(request.user, slug)
    context = _context(
        request,
        community,
        "bodies",
        [(_("Organer"), None)],
        bodies=selectors.body_list(request.user, community),
    )
    return render(request, "organisation/body_list.html", context)


def body_detail(request, slug, body_slug):
    community = permissions.community_or_deny(request.user, slug)
    body = permissions.body_or_deny(request.user, community, body_slug)
    private = permissions.can_view_private(request.user, community)
    context = _context(
        request,
        community,
        "bodies",
        [(_("Organer"), reverse("organisation:bodies", args=[slug])), (str(body), None)],
        body=body,
        members=selectors.body_members(body),
        future_members=selectors.body_future_members(body) if private else [],
        history=selectors.body_history(body) if private else [],
        children=selectors.child_bodies(request.user, body),
        can_manage=permissions.can_manage_memberships(request.user, body),
    )
    return render(request, "organisation/body_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def membership_create(request, slug, body_slug):
    community = permissions.community_or_deny(request.user, slug, admin=True)
    body = permissions.body_or_deny(request.user, community, body_slug, admin=True)
    form = MembershipForm(request.POST or None, body=body)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.membership_create(
                actor=request.user, body=body, **{f: form.cleaned_data[f] for f in form.Meta.fields}
            )
        except ValidationError as error:
            _add_form_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s er lagt til i %(body)s.")
                % {"name": membership.person.full_name, "body": body},
            )
            return redirect(body.get_absolute_url())
    context = _context(
        request,
        community,
        "bodies",
        [
            (_("Organer"), reverse("organisation:bodies", args=[slug])),
            (str(body), body.get_absolute_url()),
            (_("Nytt medlem"), None),
        ],
        body=body,
        form=form,
    )
    return render(request, "organisation/membership_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def membership_edit(request, slug, pk):
    community = permissions.community_or_deny(request.user, slug, admin=True)
    membership = permissions.membership_or_deny(request.user, community, pk)
    body = membership.body
    form = MembershipForm(request.POST or None, instance=membership, body=body)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(
                actor=request.user,
                membership=membership,
                **{f: form.cleaned_data[f] for f in form.Meta.fields},
            )
        except ValidationError as error:
            _add_form_errors(form, error)
        else:
            messages.success(request, _("Medlemskapet er oppdatert."))
            return redirect(body.get_absolute_url())
    context = _context(
        request,
        community,
        "bodies",
        [
            (_("Organer"), reverse("organisation:bodies", args=[slug])),
            (str(body), body.get_absolute_url()),
            (_("Endre medlemskap"), None),
        ],
        body=body,
        form=form,
        membership=membership,
    )
    return render(request, "organisation/membership_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def membership_end(request, slug, pk):
    community = permissions.community_or_deny(request.user, slug, admin=True)
    membership = permissions.membership_or_deny(request.user, community, pk)
    body = membership.body
    form = MembershipEndForm(request.POST or None, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_end(
                actor=request.user,
                membership=membership,
                end_date=form.cleaned_data["end_date"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _add_form_errors(form, error)
        else:
            messages.success(
                request,
                _("Vervet til %(name)s er avsluttet og ligger i historikken.")
                % {"name": membership.person.full_name},
            )
            return redirect(body.get_absolute_url())
    context = _context(
        request,
        community,
        "bodies",
        [
            (_("Organer"), reverse("organisation:bodies", args=[slug])),
            (str(body), body.get_absolute_url()),
            (_("Avslutt verv"), None),
        ],
        body=body,
        form=form,
        membership=membership,
    )
    return render(request, "organisation/membership_end.html", context)


def party_list(request, slug):
    community = permissions.community_or_deny(request.user, slug)
    context = _context(
        request,
        community,
        "parties",
        [(_("Parter"), None)],
        groups=selectors.parties_grouped(community),
    )
    return render(request, "organisation/party_list.html", context)


def contact_list(request, slug):
    community = permissions.community_or_deny(request.user, slug)
    context = _context(
        request,
        community,
        "contacts",
        [(_("Kontakter"), None)],
        contacts=selectors.contact_list(request.user, community),
    )
    return render(request, "organisation/contact_list.html", context)


def representation(request, slug):
    community = permissions.community_or_deny(request.user, slug)
    context = _context(
        request,
        community,
        "representation",
        [(_("Representasjon"), None)],
        rows=selectors.representation_overview(request.user, community),
    )
    return render(request, "organisation/representation.html", context)


@login_required
def person_list(request, slug):
    community = permissions.community_or_deny(request.user, slug, admin=True)
    context = _context(
        request,
        community,
        "people",
        [(_("Personer"), None)],
        people=selectors.people_register(community),
    )
    return render(request, "organisation/person_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person_form(request, slug, pk=None):
    community = permissions.community_or_deny(request.user, slug, admin=True)
    person = get_object_or_404(Person, community=community, pk=pk) if pk else None
    form = PersonForm(request.POST or None, instance=person, community=community)
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in form.Meta.fields}
        try:
            if person:
                services.person_update(actor=request.user, person=person, **values)
            else:
                person = services.person_create(actor=request.user, community=community, **values)
        except ValidationError as error:
            _add_form_errors(form, error)
        else:
            messages.success(request, _("%(name)s er lagret.") % {"name": person.full_name})
            return redirect("organisation:people", slug)
    title = _("Endre person") if person else _("Ny person")
    context = _context(
        request,
        community,
        "people",
        [(_("Personer"), reverse("organisation:people", args=[slug])), (title, None)],
        form=form,
        person=person,
        title=title,
    )
    return render(request, "organisation/person_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_create(request, slug):
    community = permissions.community_or_deny(request.user, slug, admin=True)
    form = InvitationForm(request.POST or None, community=community)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                actor=request.user, community=community, **form.cleaned_data
            )
        except ValidationError as error:
            _add_form_errors(form, error)
        else:
            messages.success(
                request, _("Invitasjonen er sendt til %(email)s.") % {"email": invitation.email}
            )
            return redirect("organisation:people", slug)
    context = _context(
        request,
        community,
        "people",
        [
            (_("Personer"), reverse("organisation:people", args=[slug])),
            (_("Inviter"), None),
        ],
        form=form,
    )
    return render(request, "organisation/invitation_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def party_form(request, slug, pk=None):
    community = permissions.community_or_deny(request.user, slug, admin=True)
    party = (
        get_object_or_404(Party, community=community, pk=pk) if pk else Party(community=community)
    )
    form = PartyForm(request.POST or None, instance=party, community=community)
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in form.Meta.fields}
        try:
            services.party_save(actor=request.user, party=party, **values)
        except ValidationError as error:
            _add_form_errors(form, error)
        else:
            messages.success(request, _("%(name)s er lagret.") % {"name": party.name})
            return redirect("organisation:parties", slug)
    title = _("Endre part") if pk else _("Ny part")
    context = _context(
        request,
        community,
        "parties",
        [(_("Parter"), reverse("organisation:parties", args=[slug])), (title, None)],
        form=form,
        title=title,
        cancel_url=reverse("organisation:parties", args=[slug]),
    )
    return render(request, "includes/form_page.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def region_form(request, slug, pk=None):
    community = permissions.community_or_deny(request.user, slug, admin=True)
    region = (
        get_object_or_404(MunicipalRegion, community=community, pk=pk)
        if pk
        else MunicipalRegion(community=community)
    )
    form = RegionForm(request.POST or None, instance=region, community=community)
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in form.Meta.fields}
        try:
            services.region_save(actor=request.user, region=region, **values)
        except ValidationError as error:
            _add_form_errors(form, error)
        else:
            messages.success(request, _("%(name)s er lagret.") % {"name": region.name})
            return redirect("organisation:parties", slug)
    title = _("Endre kommuneregion") if pk else _("Ny kommuneregion")
    context = _context(
        request,
        community,
        "parties",
        [(_("Parter"), reverse("organisation:parties", args=[slug])), (title, None)],
        form=form,
        title=title,
        cancel_url=reverse("organisation:parties", args=[slug]),
    )
    return render(request, "includes/form_page.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def body_form(request, slug, body_slug=None):
    community = permissions.community_or_deny(request.user, slug, admin=True)
    body = (
        get_object_or_404(Body, community=community, slug=body_slug)
        if body_slug
        else Body(community=community)
    )
    form = BodyForm(request.POST or None, instance=body, community=community)
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in form.Meta.fields}
        try:
            services.body_save(actor=request.user, body=body, **values)
        except ValidationError as error:
            _add_form_errors(form, error)
        else:
            messages.success(request, _("%(name)s er lagret.") % {"name": body.name})
            return redirect(body.get_absolute_url())
    bodies_url = reverse("organisation:bodies", args=[slug])
    title = _("Endre organ") if body_slug else _("Nytt organ")
    context = _context(
        request,
        community,
        "bodies",
        [(_("Organer"), bodies_url), (title, None)],
        form=form,
        title=title,
        cancel_url=body.get_absolute_url() if body_slug else bodies_url,
    )
    return render(request, "includes/form_page.html", context)
