from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from helsefellesskap.organisation import selectors as organisation_selectors
from helsefellesskap.organisation import services as organisation_services

from .forms import AcceptInvitationForm
from .models import User


@require_safe
@login_required
def profile(request):
    return render(
        request,
        "accounts/profile.html",
        {
            "seats": organisation_selectors.my_seats(request.user),
            "breadcrumbs": [(_("Forside"), reverse("organisation:home")), (_("Min side"), None)],
        },
    )


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """A new person chooses a password; someone who already has a login just confirms."""
    invitation = organisation_services.invitation_by_token(token)
    if invitation is None or not invitation.is_usable:
        return render(
            request, "accounts/invitation_invalid.html", status=410 if invitation else 404
        )
    existing = User.objects.filter(email__iexact=invitation.email).first()
    form = None
    if existing is None:
        form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST":
        user = None
        if existing is not None:
            if request.user.is_authenticated and request.user.pk == existing.pk:
                user = existing
            else:
                login_url = reverse("accounts:login") + "?next=" + request.path
                return redirect(login_url)
        elif form.is_valid():
            user = User(email=invitation.email)  # created below, with the invitation
        if user is not None:
            try:
                with transaction.atomic():
                    if user.pk is None:
                        user = User.objects.create_user(
                            invitation.email,
                            form.cleaned_data["password1"],
                            full_name=invitation.person.full_name,
                        )
                    organisation_services.invitation_accept(invitation=invitation, user=user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request,
                    _("Velkommen til %(community)s!") % {"community": invitation.community.name},
                )
                return redirect(invitation.community.get_absolute_url())
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form, "existing": existing},
    )
