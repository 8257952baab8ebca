from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "helsefellesskap.organisation"
    verbose_name = _("Organisasjon")

    def ready(self) -> None:
        from helsefellesskap.core import access

        from . import policies
        from .models import Body

        access.register_seat_reader(policies.read_seats, secretariat_kind=Body.Kind.SECRETARIAT)
