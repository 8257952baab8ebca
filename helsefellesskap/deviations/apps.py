from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeviationsConfig(AppConfig):
    name = "helsefellesskap.deviations"
    verbose_name = _("Samhandlingsavvik")
