"""Who may see and change the annual wheel's rules and events."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from helsefellesskap.core.pages import Task


def home_tasks(user: Any, community: Any) -> list[Task]:
    """The module's card on the community's home page."""
    url = reverse("annualwheel:wheel", args=[community.slug])
    return [Task(40, _("Årshjul"), _("Året i helsefellesskapet, med kalender å abonnere på"), url)]
