import datetime

import pytest

from helsefellesskap.annualwheel import services
from helsefellesskap.annualwheel.models import Kind, RecurrenceRule, WheelEvent
from helsefellesskap.cases import services as case_services
from helsefellesskap.organisation.models import Body
from helsefellesskap.organisation.tests.factories import BodyFactory


def local(*args) -> datetime.datetime:
    """An aware datetime in Europe/Oslo: local(2027, 1, 14, 10)."""
    return services.local_datetime(datetime.date(*args[:3]), datetime.time(*args[3:]))


def make_meeting(actor, body, starts_at, *, title=None, hours=2):
    return case_services.meeting_create(
        actor=actor,
        community=body.community,
        bodies=[body],
        title=title or f"Møte i {body}",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=hours),
        location="Møterom 1",
    )


def make_event(community, starts_at, *, title, kind=Kind.OTHER, hours=2, **values):
    values.setdefault("ends_at", starts_at + datetime.timedelta(hours=hours))
    return services.event_save(
        actor=None,
        event=WheelEvent(community=community),
        kind=kind,
        title=title,
        starts_at=starts_at,
        **values,
    )


def make_rule(community, body, **values) -> RecurrenceRule:
    defaults = {
        "body": body,
        "kind": Kind.BODY_MEETING,
        "title": f"Møte i {body}",
        "interval_weeks": 6,
        "first_date": datetime.date(2026, 1, 5),
        "weekday": 3,
        "start_time": datetime.time(10, 0),
        "duration_minutes": 120,
    }
    return services.rule_save(
        actor=None, rule=RecurrenceRule(community=community), **{**defaults, **values}
    )


@pytest.fixture
def asu(world) -> Body:
    return BodyFactory(
        community=world.community,
        kind=Body.Kind.ADMINISTRATIVE,
        name="Administrativt samarbeidsutvalg",
        short_name="ASU",
        slug="asu",
    )
