from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "helsefellesskap.mail"
    verbose_name = _("E-post")

    def ready(self) -> None:
        from helsefellesskap.core import pages

        from . import policies  # registers the module's policies

        pages.register_home_tasks(policies.home_tasks)
