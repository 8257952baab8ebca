import datetime

import factory
from django.conf import settings
from factory.django import DjangoModelFactory

from helsefellesskap.organisation.models import (
    Body,
    Community,
    Membership,
    MunicipalRegion,
    Party,
    Person,
)

TERM_START = datetime.date(2024, 1, 1)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = settings.AUTH_USER_MODEL
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"bruker{n}@example.no")
    full_name = factory.Faker("name", locale="no_NO")
    password = factory.django.Password("passord-for-test-1")


class CommunityFactory(DjangoModelFactory):
    class Meta:
        model = Community

    name = factory.Sequence(lambda n: f"Helsefellesskap {n}")
    short_name = factory.Sequence(lambda n: f"HF {n}")
    slug = factory.Sequence(lambda n: f"hf-{n}")


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = MunicipalRegion

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"Region {n}")


class PartyFactory(DjangoModelFactory):
    class Meta:
        model = Party

    community = factory.SubFactory(CommunityFactory)
    kind = Party.Kind.MUNICIPALITY
    name = factory.Sequence(lambda n: f"Kommune {n}")
    municipality_number = factory.Sequence(lambda n: f"{5000 + n:04d}")

    class Params:
        hospital = factory.Trait(
            kind=Party.Kind.HOSPITAL_TRUST,
            name=factory.Sequence(lambda n: f"Helseforetak {n} HF"),
            municipality_number="",
        )


class BodyFactory(DjangoModelFactory):
    class Meta:
        model = Body

    community = factory.SubFactory(CommunityFactory)
    kind = Body.Kind.COUNCIL
    name = factory.Sequence(lambda n: f"Fagråd {n}")
    slug = factory.Sequence(lambda n: f"organ-{n}")


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    community = factory.SubFactory(CommunityFactory)
    given_name = factory.Faker("first_name", locale="no_NO")
    family_name = factory.Faker("last_name", locale="no_NO")
    email = factory.Sequence(lambda n: f"person{n}@example.no")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    body = factory.SubFactory(BodyFactory)
    community = factory.SelfAttribute("body.community")
    person = factory.SubFactory(PersonFactory, community=factory.SelfAttribute("..community"))
    role = Membership.Role.MEMBER
    representation = Membership.Representation.USER
    start_date = TERM_START
