"""Who may see and change the annual wheel's rules and events.

A personal calendar token (`FeedToken`) belongs to a login, not to a community, and has no policy:
only its owner's pages show it (`services.feed_token_for(request.user)`), and the token in a feed's
address is itself the key to that person's feed."""

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from helsefellesskap.cases.policies import open_meetings
from helsefellesskap.core.pages import Task
from helsefellesskap.core.policies import Policy, register

from .models import RecurrenceRule, WheelEvent


@register
class RecurrenceRulePolicy(Policy[RecurrenceRule]):
    """The rules that propose meetings are the secretariat's tool: only its pages show them."""

    model = RecurrenceRule

    def visible(self, user: Any) -> Q:
        return self.administered(user)


@register
class WheelEventPolicy(Policy[WheelEvent]):
    """Everyone sees the confirmed open events of a published community; members see every event
    of their community, unconfirmed proposals and internal events included. The same rule serves
    the wheel, the list and every calendar feed."""

    model = WheelEvent

    def open(self) -> Q:
        """Events whose content is public: marked public, of no internal body, and when the
        event is a meeting's, of a meeting none of whose bodies is internal (cases'
        `open_meetings`). Members see the others marked as internal."""
        return (
            Q(is_public=True)
            & (Q(body__isnull=True) | Q(body__is_public=True))
            & open_meetings("meeting_id")
        )

    def visible(self, user: Any) -> Q:
        public = self.published() & Q(is_confirmed=True) & self.open()
        return public | self.of_members(user)


def home_tasks(user: Any, community: Any) -> list[Task]:
    """The module's card on the community's home page."""
    url = reverse("annualwheel:wheel", args=[community.slug])
    return [Task(40, _("Årshjul"), _("Året i helsefellesskapet, med kalender å abonnere på"), url)]
