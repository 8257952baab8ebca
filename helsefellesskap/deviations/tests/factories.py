import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from helsefellesskap.deviations.models import Category, Deviation, Handler, Theme
from helsefellesskap.organisation.models import Unit
from helsefellesskap.organisation.tests.factories import (
    CommunityFactory,
    PartyFactory,
    PersonFactory,
)


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"Kategori {n}")


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    party = factory.SubFactory(PartyFactory)
    community = factory.SelfAttribute("party.community")
    name = factory.Sequence(lambda n: f"Enhet {n}")


class HandlerFactory(DjangoModelFactory):
    class Meta:
        model = Handler

    party = factory.SubFactory(PartyFactory)
    community = factory.SelfAttribute("party.community")
    person = factory.SubFactory(PersonFactory, community=factory.SelfAttribute("..community"))


class ThemeFactory(DjangoModelFactory):
    class Meta:
        model = Theme

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"Tema {n}")


class DeviationFactory(DjangoModelFactory):
    """A deviation written straight to the database (tests of the workflow use the service)."""

    class Meta:
        model = Deviation

    community = factory.SubFactory(CommunityFactory)
    number = factory.Sequence(lambda n: f"2026-{n + 1:04d}")
    reporting_party = factory.SubFactory(
        PartyFactory, community=factory.SelfAttribute("..community")
    )
    concerned_party = factory.SubFactory(
        PartyFactory, community=factory.SelfAttribute("..community"), hospital=True
    )
    handling_party = factory.SelfAttribute("concerned_party")
    category = factory.SubFactory(CategoryFactory, community=factory.SelfAttribute("..community"))
    kind = Deviation.Kind.PATIENT
    occurred_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=2))
    description = "Epikrise manglet ved utskrivning."
    reported_at = factory.LazyFunction(timezone.now)
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=21))
