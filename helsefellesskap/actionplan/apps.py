from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionplanConfig(AppConfig):
    name = "helsefellesskap.actionplan"
    verbose_name = _("Handlingsplan")

    def ready(self) -> None:
        from helsefellesskap.core import pages

        from . import policies  # registers the module's policies

        pages.register_home_tasks(policies.home_tasks)
