"""The calendar feeds parse, hold the right Europe/Oslo times and show nobody what they may not
see."""

import datetime

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from helsefellesskap.annualwheel import services
from helsefellesskap.annualwheel.models import Kind

from .conftest import local, make_event, make_meeting, make_rule

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
NEXT = timezone.localdate().year + 1  # feeds hold everything from the start of last year on


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def title(event) -> str:
    """The summary without the body's name that follows a title not naming it: «Møte (ASU)»."""
    return str(event["summary"]).split(" (")[0]


def summaries(calendar) -> set[str]:
    return {title(event) for event in calendar.walk("VEVENT")}


def by_summary(calendar, summary):
    (event,) = [e for e in calendar.walk("VEVENT") if title(e) == summary]
    return event


def community_feed(client, community):
    return client.get(reverse("annualwheel:community_feed", args=[community.slug]))


def body_feed(client, body):
    return client.get(reverse("annualwheel:body_feed", args=[body.community.slug, body.slug]))


def personal_feed(client, token):
    return client.get(reverse("annualwheel:personal_feed", args=[token]))


def test_a_10_oclock_meeting_is_10_oclock_oslo_time_in_winter_and_in_summer(client, world):
    make_meeting(world.secretariat, world.council, local(NEXT, 1, 14, 10), title="Vintermøte")
    make_meeting(world.secretariat, world.council, local(NEXT, 6, 10, 10), title="Sommermøte")
    response = community_feed(client, world.community)
    calendar = parse(response)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Oslo"]
    for summary, month, day, utc_hour in [("Vintermøte", 1, 14, 9), ("Sommermøte", 6, 10, 8)]:
        event = by_summary(calendar, summary)
        assert str(event["summary"]) == f"{summary} (Fagråd for pasientsamarbeid)"
        assert event["dtstart"].params["TZID"] == "Europe/Oslo"
        start = event.decoded("dtstart")
        assert (start.year, start.month, start.day, start.hour, start.minute) == (
            NEXT,
            month,
            day,
            10,
            0,
        )
        assert start.astimezone(UTC).hour == utc_hour  # 09:00Z in winter, 08:00Z in summer
        assert event.decoded("dtend").astimezone(UTC).hour == utc_hour + 2
        assert f"DTSTART;TZID=Europe/Oslo:{NEXT}{month:02d}{day:02d}T100000" in response.text
        assert str(event["uid"]).startswith("meeting-")


def test_all_day_events_are_dates(client, world):
    make_event(
        world.community,
        local(NEXT, 10, 14, 0),
        title="Temadag",
        kind=Kind.THEME_DAY,
        all_day=True,
        hours=0,
        location="Kulturhuset",
    )
    event = by_summary(parse(community_feed(client, world.community)), "Temadag")
    assert event.decoded("dtstart") == datetime.date(NEXT, 10, 14)
    assert event.decoded("dtend") == datetime.date(NEXT, 10, 15)
    assert str(event["location"]) == "Kulturhuset"
    assert str(event["uid"]).startswith("arshjul-")


def test_a_confirmed_body_meeting_appears_once_with_the_meetings_uid(client, world, asu):
    rule = make_rule(world.community, asu, first_date=datetime.date(NEXT, 1, 4))
    proposal = services.rule_generate(actor=None, rule=rule, year=NEXT)[0]
    assert "Møte i ASU" not in summaries(parse(community_feed(client, world.community)))
    event = services.event_confirm(actor=world.secretariat, event=proposal)
    calendar = parse(community_feed(client, world.community))
    events = [e for e in calendar.walk("VEVENT") if title(e) == "Møte i ASU"]
    assert len(events) == 1
    assert str(events[0]["uid"]) == f"meeting-{event.meeting.uid}@helsefellesskap"
    # the uid stays when the meeting is moved
    event.meeting.starts_at += datetime.timedelta(hours=1)
    event.meeting.ends_at += datetime.timedelta(hours=1)
    event.meeting.save()
    moved = by_summary(parse(community_feed(client, world.community)), "Møte i ASU")
    assert moved["uid"] == events[0]["uid"]
    assert moved.decoded("dtstart").hour == 11


def test_the_community_feed_holds_nothing_that_is_not_public(client, world, asu):
    make_event(world.community, local(NEXT, 3, 2, 10), title="Offentlig hendelse")
    make_event(world.community, local(NEXT, 3, 3, 10), title="Intern hendelse", is_public=False)
    make_event(
        world.community,
        local(NEXT, 3, 4, 10),
        title="Hendelse i intern gruppe",
        body=world.internal_group,
    )
    make_meeting(world.secretariat, world.internal_group, local(NEXT, 3, 5, 10), title="Internt")
    make_meeting(world.secretariat, world.council, local(NEXT, 3, 6, 10), title="Fagrådsmøte")
    make_meeting(world.secretariat, world.other_body, local(NEXT, 3, 6, 10), title="Annet sted")
    cancelled = make_meeting(world.secretariat, asu, local(NEXT, 3, 9, 10), title="Avlyst")
    cancelled.status = "cancelled"
    cancelled.save()
    rule = make_rule(world.community, asu, first_date=datetime.date(NEXT, 1, 4))
    services.rule_generate(actor=None, rule=rule, year=NEXT)  # proposals, not confirmed
    calendar = parse(community_feed(client, world.community))
    assert summaries(calendar) == {"Offentlig hendelse", "Fagrådsmøte"}
    client.force_login(world.secretariat)  # the public feed is the same for members
    assert summaries(parse(community_feed(client, world.community))) == {
        "Offentlig hendelse",
        "Fagrådsmøte",
    }


def test_a_non_public_bodys_feed_is_404_without_a_session(client, world):
    make_meeting(world.secretariat, world.internal_group, local(NEXT, 3, 5, 10), title="Internt")
    assert body_feed(client, world.internal_group).status_code == 404
    client.force_login(world.outsider)
    assert body_feed(client, world.internal_group).status_code == 404
    client.force_login(world.member)
    assert summaries(parse(body_feed(client, world.internal_group))) == {"Internt"}


def test_a_public_bodys_feed_holds_its_own_meetings_and_public_events(client, world, asu):
    make_meeting(world.secretariat, world.council, local(NEXT, 3, 6, 10), title="Fagrådsmøte")
    make_meeting(world.secretariat, asu, local(NEXT, 3, 7, 10), title="ASU-møte")
    make_event(
        world.community,
        local(NEXT, 4, 20, 0),
        title="Rapport",
        kind=Kind.INDICATOR_REPORT_SPRING,
        body=world.council,
        all_day=True,
        hours=0,
    )
    make_event(
        world.community, local(NEXT, 4, 21, 10), title="Skjult", body=world.council, is_public=False
    )
    calendar = parse(body_feed(client, world.council))
    assert summaries(calendar) == {"Fagrådsmøte", "Rapport"}
    client.force_login(world.member)
    assert "Skjult" in summaries(parse(body_feed(client, world.council)))


def test_the_personal_feed_needs_the_right_token(client, world, asu):
    make_meeting(world.secretariat, world.council, local(NEXT, 3, 6, 10), title="Fagrådsmøte")
    make_meeting(world.secretariat, asu, local(NEXT, 3, 7, 10), title="ASU-møte")
    make_meeting(world.secretariat, world.internal_group, local(NEXT, 3, 5, 10), title="Internt")
    make_meeting(world.secretariat, world.other_body, local(NEXT, 3, 8, 10), title="Annet sted")
    make_event(world.community, local(NEXT, 3, 9, 10), title="Notat", body=world.council)
    token = services.feed_token_for(world.member)
    assert personal_feed(client, "feil-nokkel").status_code == 404
    assert personal_feed(client, token.token[:-1]).status_code == 404
    response = personal_feed(client, token.token)
    assert summaries(parse(response)) == {"Fagrådsmøte", "Notat"}
    assert "noindex" in response["X-Robots-Tag"]
    # a seat in a non-public body of another community is in that person's own feed
    other = services.feed_token_for(world.outsider)
    assert summaries(parse(personal_feed(client, other.token))) == {"Annet sted"}
    # a new token: the old address stops working
    new = services.feed_token_reset(world.member)
    assert personal_feed(client, token.token).status_code == 404
    assert personal_feed(client, new.token).status_code == 200


def test_the_personal_feed_of_an_inactive_user_is_404(client, world):
    token = services.feed_token_for(world.member)
    world.member.is_active = False
    world.member.save()
    assert personal_feed(client, token.token).status_code == 404


def test_the_personal_feed_ends_with_the_seat(client, world):
    from helsefellesskap.organisation.models import Membership

    make_meeting(world.secretariat, world.council, local(NEXT, 3, 6, 10), title="Fagrådsmøte")
    token = services.feed_token_for(world.member)
    Membership.objects.filter(person__user=world.member).update(
        end_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert summaries(parse(personal_feed(client, token.token))) == set()


def test_meeting_description_has_the_meeting_page(client, world):
    meeting = make_meeting(world.secretariat, world.council, local(NEXT, 3, 6, 10), title="Møte")
    event = by_summary(parse(community_feed(client, world.community)), "Møte")
    page = f"http://testserver{meeting.get_absolute_url()}"
    assert str(event["url"]) == page
    assert page in str(event["description"])
    assert str(event["location"]) == "Møterom 1"


def test_a_joint_meeting_with_an_internal_body_stays_out_of_public_feeds(client, world, asu):
    meeting = make_meeting(
        world.secretariat, world.council, local(NEXT, 2, 2, 10), title="Felles med intern gruppe"
    )
    meeting.bodies.add(world.internal_group)
    event = make_event(
        world.community,
        local(NEXT, 3, 2, 10),
        title="Lenket hendelse",
        kind=Kind.BODY_MEETING,
        body=world.council,
    )
    assert event.meeting is not None  # a body meeting event makes its meeting
    event.meeting.bodies.add(world.internal_group)
    hidden = {"Felles med intern gruppe", "Lenket hendelse"}
    community_feed = parse(
        client.get(reverse("annualwheel:community_feed", args=[world.community.slug]))
    )
    assert not hidden & summaries(community_feed)
    body_feed = parse(
        client.get(
            reverse("annualwheel:body_feed", args=[world.community.slug, world.council.slug])
        )
    )
    assert not hidden & summaries(body_feed)
    wheel = reverse("annualwheel:wheel", args=[world.community.slug]) + f"?ar={NEXT}"
    page = client.get(wheel)
    assert "Felles med intern gruppe" not in page.text and "Lenket hendelse" not in page.text
    client.force_login(world.member)
    page = client.get(wheel)
    assert "Felles med intern gruppe" in page.text and "Lenket hendelse" in page.text
