import datetime

import holidays
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from helsefellesskap.annualwheel import services
from helsefellesskap.annualwheel.models import FeedToken, Kind, WheelEvent
from helsefellesskap.audit.models import AuditEntry
from helsefellesskap.cases.models import Meeting

from .conftest import local, make_event, make_meeting, make_rule

pytestmark = pytest.mark.django_db
D = datetime.date


def days_of(events):
    return [timezone.localdate(event.starts_at) for event in events]


def test_rule_proposals_skip_easter_monday_whit_monday_christmas_and_july(world):
    mondays = make_rule(
        world.community, world.council, interval_weeks=1, first_date=D(2026, 1, 5), weekday=0
    )
    proposals = services.rule_generate(actor=world.secretariat, rule=mondays, year=2026)
    days = days_of(proposals)
    assert D(2026, 4, 6) not in days and D(2026, 4, 7) in days  # Easter Monday → Tuesday
    assert D(2026, 5, 25) not in days and D(2026, 5, 26) in days  # Whit Monday → Tuesday
    assert not [d for d in days if d.month == 7 or D(2026, 6, 29) <= d <= D(2026, 8, 2)]
    assert D(2026, 12, 28) not in days  # romjula
    assert not set(days) & set(holidays.Norway(years=2026))
    assert all(d.weekday() < 5 for d in days)
    assert len(days) == len(set(days)) == 47
    assert all(not p.is_confirmed and p.rule == mondays for p in proposals)
    assert AuditEntry.objects.filter(object_id=str(mondays.pk), action="create").count() == 2


def test_rule_proposals_skip_17_may_and_christmas_day(world):
    mondays = make_rule(
        world.community, world.council, interval_weeks=1, first_date=D(2027, 1, 4), weekday=0
    )
    days = days_of(services.rule_generate(actor=None, rule=mondays, year=2027))
    assert D(2027, 5, 17) not in days and D(2027, 5, 18) in days  # 17 May on a Monday
    fridays = make_rule(
        world.community, world.council, interval_weeks=1, first_date=D(2026, 1, 2), weekday=4
    )
    days = days_of(services.rule_generate(actor=None, rule=fridays, year=2026))
    assert D(2026, 12, 25) not in days and D(2026, 12, 24) not in days
    assert D(2026, 12, 23) in days  # Christmas Day moved to the nearest working day before it
    assert D(2026, 4, 3) not in days and D(2026, 4, 1) in days  # Good Friday (Thursday too)


def test_proposals_keep_the_local_time_in_winter_and_summer(world, asu):
    rule = make_rule(world.community, asu, start_time=datetime.time(10, 0))
    for proposal in services.rule_generate(actor=None, rule=rule, year=2026):
        start = timezone.localtime(proposal.starts_at)
        assert (start.hour, start.minute) == (10, 0)
        assert proposal.ends_at - proposal.starts_at == datetime.timedelta(minutes=120)


def test_generating_again_adds_nothing(world, asu):
    rule = make_rule(world.community, asu)
    first = services.rule_generate(actor=None, rule=rule, year=2026)
    assert len(first) == 9  # every 6 weeks on Thursdays from 8 January
    assert services.rule_generate(actor=None, rule=rule, year=2026) == []
    services.event_confirm(actor=None, event=first[0])
    first[1].delete()
    again = services.rule_generate(actor=None, rule=rule, year=2026)
    assert days_of(again) == days_of([first[1]])
    assert WheelEvent.objects.filter(rule=rule).count() == 9


def test_a_moved_proposal_is_not_proposed_again(world, asu):
    rule = make_rule(world.community, asu)
    proposal = services.rule_generate(actor=None, rule=rule, year=2026)[2]
    services.event_save(
        actor=world.secretariat,
        event=proposal,
        starts_at=proposal.starts_at + datetime.timedelta(days=6),
        ends_at=proposal.ends_at + datetime.timedelta(days=6),
    )
    assert services.rule_generate(actor=None, rule=rule, year=2026) == []


def test_no_proposal_where_the_body_already_has_a_meeting(world, asu):
    make_meeting(world.secretariat, asu, local(2026, 2, 17, 12))  # series date: 19 February
    rule = make_rule(world.community, asu)
    days = days_of(services.rule_generate(actor=None, rule=rule, year=2026))
    assert D(2026, 2, 19) not in days
    assert D(2026, 1, 8) in days and D(2026, 4, 1) in days


def test_rule_checks_body_and_dates(world):
    with pytest.raises(ValidationError) as error:
        make_rule(world.community, world.other_body)
    assert "body" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_rule(world.community, None)  # a body meeting needs a body
    assert "body" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_rule(world.community, world.council, end_date=D(2025, 1, 1))
    assert "end_date" in error.value.message_dict


def test_confirming_a_body_meeting_creates_the_meeting_with_the_body(world, asu):
    rule = make_rule(world.community, asu, location="Sykehuset, møterom 2")
    proposal = services.rule_generate(actor=None, rule=rule, year=2027)[0]
    event = services.event_confirm(actor=world.secretariat, event=proposal)
    assert event.is_confirmed
    meeting = event.meeting
    assert list(meeting.bodies.all()) == [asu]
    assert meeting.community == world.community
    assert meeting.status == Meeting.Status.PLANNED
    assert (meeting.starts_at, meeting.ends_at) == (proposal.starts_at, proposal.ends_at)
    assert meeting.title == "Møte i ASU" and meeting.location == "Sykehuset, møterom 2"
    assert meeting.items.count() == 3  # the standard agenda
    again = services.event_confirm(actor=world.secretariat, event=event)
    assert again.meeting_id == meeting.pk
    assert Meeting.objects.count() == 1


def test_confirming_another_kind_creates_no_meeting(world):
    event = make_event(
        world.community, local(2026, 10, 14, 9), title="Temadag", kind=Kind.THEME_DAY
    )
    WheelEvent.objects.filter(pk=event.pk).update(is_confirmed=False)
    event.refresh_from_db()
    assert services.event_confirm(actor=None, event=event).meeting is None
    assert Meeting.objects.count() == 0


def test_a_meeting_is_cancelled_not_deleted(world, asu):
    rule = make_rule(world.community, asu)
    proposals = services.rule_generate(actor=None, rule=rule, year=2027)
    confirmed = services.event_confirm(actor=None, event=proposals[0])
    with pytest.raises(ValidationError):
        services.event_delete(actor=world.secretariat, event=confirmed)
    services.event_delete(actor=world.secretariat, event=proposals[1])
    theme_day = make_event(world.community, local(2026, 10, 14, 9), title="Temadag")
    services.event_delete(actor=world.secretariat, event=theme_day)
    remaining = set(WheelEvent.objects.values_list("pk", flat=True))
    assert confirmed.pk in remaining
    assert proposals[1].pk not in remaining and theme_day.pk not in remaining


def test_the_time_of_a_linked_event_belongs_to_the_meeting(world, asu):
    rule = make_rule(world.community, asu)
    event = services.event_confirm(
        actor=None, event=services.rule_generate(actor=None, rule=rule, year=2027)[0]
    )
    with pytest.raises(ValidationError):
        services.event_save(
            actor=None, event=event, starts_at=event.starts_at + datetime.timedelta(hours=1)
        )
    services.event_save(actor=None, event=event, description="Budsjett og plan.")


def test_deleting_a_rule_removes_its_proposals_but_keeps_confirmed_events(world, asu):
    rule = make_rule(world.community, asu)
    proposals = services.rule_generate(actor=None, rule=rule, year=2027)
    kept = services.event_confirm(actor=None, event=proposals[0])
    assert services.rule_delete(actor=world.secretariat, rule=rule) == len(proposals) - 1
    assert list(WheelEvent.objects.all()) == [kept]
    kept.refresh_from_db()
    assert kept.rule is None and kept.meeting is not None


def test_event_checks(world):
    with pytest.raises(ValidationError) as error:
        make_event(world.community, local(2026, 3, 1, 10), title="Feil", hours=-1, kind=Kind.OTHER)
    assert "ends_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_event(
            world.community,
            local(2026, 3, 1, 0),
            title="Hele dagen",
            kind=Kind.BODY_MEETING,
            body=world.council,
            all_day=True,
            hours=0,
        )
    assert "all_day" in error.value.message_dict


def test_feed_token_is_made_once_and_can_be_replaced(world):
    token = services.feed_token_for(world.member)
    assert services.feed_token_for(world.member).token == token.token
    assert len(token.token) >= 32
    new = services.feed_token_reset(world.member)
    assert new.token != token.token
    assert FeedToken.objects.filter(user=world.member).count() == 1


def test_a_new_body_meeting_event_creates_its_meeting(world, asu):
    event = make_event(
        world.community,
        local(2027, 3, 3, 10),
        title="Ekstra ASU-møte",
        kind=Kind.BODY_MEETING,
        body=asu,
    )
    assert event.is_confirmed and event.meeting.bodies.get() == asu
    assert event.meeting.title == "Ekstra ASU-møte"
