from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "helsefellesskap.indicators"
    label = "indicators"
    verbose_name = _("Styringsinformasjon")

    def ready(self) -> None:
        from helsefellesskap.core import pages

        from . import policies, selectors  # registers the module's policies

        pages.register_home_tasks(policies.home_tasks)
        pages.register_measure_panels(selectors.measure_panels)
