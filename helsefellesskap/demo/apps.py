from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Synthetic demo data for both communities; only `load_demo` uses it."""

    name = "helsefellesskap.demo"
    verbose_name = _("Demodata")
