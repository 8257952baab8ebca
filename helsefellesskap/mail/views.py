"""The secretariat's mail page: what failed and what is still on its way, and «send again».
Never a body: it may hold a one-time link."""

from typing import Any

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from helsefellesskap.core import access
from helsefellesskap.core.pages import community_context
from helsefellesskap.core.policies import get_visible_or_404

from . import policies, selectors, services
from .models import OutgoingEmail

NAV = "mail"


def _community_or_deny(user: Any, slug: str) -> Any:
    """The page's community, for its secretariat; the refusal convention for everyone else.
    The community model is the one the mail points to (this app sits below the organisation
    app and does not import it)."""
    community_model: Any = OutgoingEmail._meta.get_field("community").related_model
    community = get_object_or_404(community_model, slug=slug)
    if not access.can_view_community(user, community):
        access.hide(user)
    if not policies.can_view_mail(user, community):
        access.deny(user, community)
    return community


@require_safe
def mail_list(request, slug):
    community = _community_or_deny(request.user, slug)
    context = community_context(
        request,
        community,
        NAV,
        [(_("Utgående e-post"), None)],
        failed=selectors.failed_mail(request.user, community),
        waiting=selectors.waiting_mail(request.user, community),
        sent_recently=selectors.sent_count(request.user, community),
    )
    return render(request, "mail/list.html", context)


@require_POST
def mail_resend(request, slug, pk):
    community = _community_or_deny(request.user, slug)
    email = get_visible_or_404(
        OutgoingEmail.objects.defer(*selectors.BODIES),
        request.user,
        community=community,
        edit=True,
        pk=pk,
    )
    if services.email_resend(actor=request.user, email=email):
        messages.success(
            request, _("E-posten til %(to)s er lagt i kø og sendes nå.") % {"to": email.to}
        )
    else:
        messages.info(
            request, _("E-posten til %(to)s er allerede i kø eller sendt.") % {"to": email.to}
        )
    return redirect("mail:list", community.slug)
