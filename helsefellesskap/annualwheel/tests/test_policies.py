"""The annual wheel's rules of who sees what, row by row: one rule per kind of row, the same as a
queryset and as an object check."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from helsefellesskap.annualwheel import services
from helsefellesskap.annualwheel.models import FeedToken, Kind, RecurrenceRule, WheelEvent
from helsefellesskap.core.policies import policy_for
from helsefellesskap.organisation.models import Community

from .conftest import local, make_event, make_rule

pytestmark = pytest.mark.django_db
YEAR = 2027
PERSONAS = ["anonymous", "outsider", "member", "chair", "secretariat", "admin"]


def persona(world, who):
    return AnonymousUser() if who == "anonymous" else getattr(world, who)


def seen_by(world, model, who) -> set[str]:
    """The titles of `model` that `who` sees, checked both ways."""
    policy, user = policy_for(model), persona(world, who)
    rows = list(model.objects.all())
    visible = set(model.objects.visible_to(user).values_list("pk", flat=True))
    assert {row.pk for row in rows if policy.can_view(user, row)} == visible
    return {row.title for row in rows if row.pk in visible}


@pytest.fixture
def events(world, asu):
    make_event(world.community, local(YEAR, 3, 2, 10), title="Offentlig")
    make_event(world.community, local(YEAR, 3, 3, 10), title="Intern", is_public=False)
    make_event(
        world.community, local(YEAR, 3, 4, 10), title="Intern gruppe", body=world.internal_group
    )
    joint = make_event(
        world.community,
        local(YEAR, 3, 5, 10),
        title="Felles med intern gruppe",
        kind=Kind.BODY_MEETING,
        body=world.council,
    )
    joint.meeting.bodies.add(world.internal_group)
    rule = make_rule(world.community, asu, first_date=datetime.date(YEAR, 1, 4), title="Forslag")
    services.rule_generate(actor=None, rule=rule, year=YEAR)
    make_event(world.other_community, local(YEAR, 3, 6, 10), title="Annet sted")


ALL_HERE = {"Offentlig", "Intern", "Intern gruppe", "Felles med intern gruppe", "Forslag"}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", {"Offentlig", "Annet sted"}),
        ("outsider", {"Offentlig", "Annet sted"}),
        ("member", ALL_HERE | {"Annet sted"}),
        ("secretariat", ALL_HERE | {"Annet sted"}),
        ("admin", ALL_HERE | {"Annet sted"}),
    ],
)
def test_the_public_sees_confirmed_open_events_members_see_all(world, events, who, expected):
    assert seen_by(world, WheelEvent, who) == expected


def test_an_unpublished_community_shows_the_public_no_event(world, events):
    Community.objects.filter(pk=world.community.pk).update(is_published=False)
    assert seen_by(world, WheelEvent, "anonymous") == {"Annet sted"}
    assert "Offentlig" in seen_by(world, WheelEvent, "member")


@pytest.mark.parametrize("who", PERSONAS)
def test_the_rules_are_the_secretariats(world, asu, who):
    make_rule(world.community, asu, title="Møte i ASU")
    expected = {"Møte i ASU"} if who in ("secretariat", "admin") else set()
    assert seen_by(world, RecurrenceRule, who) == expected


def test_my_calendar_shows_only_my_own_address(client, world):
    other = services.feed_token_for(world.chair)
    client.force_login(world.member)
    response = client.get(reverse("annualwheel:my_calendar", args=[world.community.slug]))
    mine = FeedToken.objects.get(user=world.member)
    assert mine.token in response.text and other.token not in response.text
