"""Who may see outgoing mail and send it again: a community's mail is for its secretariat, mail
without a community (a password reset) for the platform admin only. The page shows who got what
subject when and why it failed, never a body: bodies may hold one-time links."""

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from helsefellesskap.core import access
from helsefellesskap.core.pages import Task
from helsefellesskap.core.policies import Policy, register

from .models import OutgoingEmail


@register
class OutgoingEmailPolicy(Policy[OutgoingEmail]):
    model = OutgoingEmail

    def visible(self, user: Any) -> Q:
        # `administered` is everything for the admin and `community__in=…` for a secretariat,
        # which leaves out the mail whose community is empty.
        return self.administered(user)


def can_view_mail(user: Any, community: Any) -> bool:
    """The community's mail page: the secretariat's."""
    return access.can_administer(user, community)


def home_tasks(user: Any, community: Any) -> list[Task]:
    """The secretariat's card on the community's home page, saying how much mail failed."""
    if not can_view_mail(user, community):
        return []
    failed = (
        OutgoingEmail.objects.visible_to(user, community)
        .filter(status=OutgoingEmail.Status.FAILED)
        .count()
    )
    if failed:
        text = ngettext(
            "%(n)s e-post kom ikke fram. Se hvorfor, og send den på nytt.",
            "%(n)s e-poster kom ikke fram. Se hvorfor, og send dem på nytt.",
            failed,
        ) % {"n": failed}
    else:
        text = _("E-post som venter på å bli sendt, eller som ikke kom fram")
    return [Task(90, _("Utgående e-post"), text, reverse("mail:list", args=[community.slug]))]
