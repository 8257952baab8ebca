from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "helsefellesskap.core"
    verbose_name = _("Felles")

    def ready(self) -> None:
        from . import logs

        logs.connect_task_signals()  # one log line per background task run
