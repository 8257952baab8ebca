from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "helsefellesskap.cases"
    verbose_name = _("Saker, møter og vedtak")
