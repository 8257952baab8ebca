from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnualWheelConfig(AppConfig):
    name = "helsefellesskap.annualwheel"
    verbose_name = _("Årshjul")
