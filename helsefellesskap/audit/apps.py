from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "helsefellesskap.audit"
    verbose_name = _("Revisjonsspor")

    def ready(self) -> None:
        from . import policies  # noqa: F401 - registers the module's policies
