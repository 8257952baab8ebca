import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from helsefellesskap.annualwheel import services
from helsefellesskap.annualwheel.models import FeedToken, Kind, RecurrenceRule, WheelEvent
from helsefellesskap.cases.models import Meeting

from .conftest import local, make_event, make_meeting, make_rule

pytestmark = pytest.mark.django_db
YEAR = 2027


def url(name, world, *args):
    return reverse(f"annualwheel:{name}", args=[world.community.slug, *args])


@pytest.fixture
def year_of_events(world, asu):
    """A public event, an internal one, one of the internal group, a meeting of the council,
    a meeting of the internal group and a rule's proposals, all in 2027."""
    make_event(world.community, local(YEAR, 10, 14, 9), title="Temadagen", kind=Kind.THEME_DAY)
    make_event(world.community, local(YEAR, 3, 3, 10), title="Intern planlegging", is_public=False)
    make_event(
        world.community, local(YEAR, 3, 4, 10), title="Gruppas frist", body=world.internal_group
    )
    make_meeting(world.secretariat, world.council, local(YEAR, 3, 10, 12), title="Fagrådsmøtet")
    make_meeting(
        world.secretariat, world.internal_group, local(YEAR, 3, 11, 12), title="Gruppemøtet"
    )
    rule = make_rule(world.community, asu, first_date=datetime.date(YEAR, 1, 4))
    services.rule_generate(actor=None, rule=rule, year=YEAR)
    return rule


PUBLIC, PRIVATE = (
    ["Temadagen", "Fagrådsmøtet"],
    ["Intern planlegging", "Gruppas frist", "Gruppemøtet", "Møte i ASU"],
)


@pytest.mark.parametrize("name", ["wheel", "list"])
def test_visitors_see_only_what_is_public(client, world, year_of_events, name):
    response = client.get(url(name, world) + f"?ar={YEAR}")
    assert response.status_code == 200
    for text in PUBLIC:
        assert text in response.text
    for text in PRIVATE:
        assert text not in response.text
    client.force_login(world.outsider)
    response = client.get(url(name, world) + f"?ar={YEAR}")
    assert all(text not in response.text for text in PRIVATE)


@pytest.mark.parametrize("name", ["wheel", "list"])
def test_members_also_see_internal_events_and_proposals(client, world, year_of_events, name):
    client.force_login(world.member)
    response = client.get(url(name, world) + f"?ar={YEAR}")
    for text in PUBLIC + PRIVATE:
        assert text in response.text
    assert "forslag" in response.text


def test_the_wheel_is_an_svg_with_a_list_beside_it(client, world, year_of_events):
    response = client.get(url("wheel", world) + f"?ar={YEAR}")
    html = response.text
    assert 'role="img"' in html and f'aria-label="Årshjulet for {YEAR}' in html
    assert "<figcaption>" in html
    for month in ["januar", "juli", "desember"]:
        assert f">{month}</text>" in html  # a sector of the wheel
        assert f">{month.capitalize()}</h3>" in html  # a heading of the list
    # two public entries: a mark in the wheel and a swatch in the list each, and the legend's 8
    assert html.count('class="hf-wheel__mark hf-kind--') == 2 + 2 + 8
    assert "style=" not in html and "<script>" not in html
    # the meeting is linked from the list
    meeting = Meeting.objects.get(title="Fagrådsmøtet")
    assert f'href="{meeting.get_absolute_url()}"' in html


def test_a_confirmed_meeting_is_shown_once(client, world, year_of_events):
    proposal = WheelEvent.objects.filter(is_confirmed=False).first()
    event = services.event_confirm(actor=world.secretariat, event=proposal)
    client.force_login(world.member)
    response = client.get(url("list", world) + f"?ar={YEAR}&type=body_meeting&organ=asu")
    assert response.text.count(f'href="{event.meeting.get_absolute_url()}"') == 1
    response = client.get(url("wheel", world) + f"?ar={YEAR}")
    assert response.text.count(f'href="{event.meeting.get_absolute_url()}"') == 1


def test_year_navigation(client, world):
    response = client.get(url("wheel", world) + f"?ar={YEAR}")
    assert f'href="?ar={YEAR - 1}"' in response.text and f'href="?ar={YEAR + 1}"' in response.text
    this_year = timezone.localdate().year
    for bad in ["abc", "99999", "1200"]:
        response = client.get(url("wheel", world) + f"?ar={bad}")
        assert response.status_code == 200
        assert f"Årshjul {this_year}" in response.text


def test_the_list_filters_by_kind_and_body(client, world, year_of_events):
    client.force_login(world.member)
    response = client.get(url("list", world) + f"?ar={YEAR}&type=theme_day")
    assert "Temadagen" in response.text and "Fagrådsmøtet" not in response.text
    response = client.get(url("list", world) + f"?ar={YEAR}&organ={world.council.slug}")
    assert "Fagrådsmøtet" in response.text and "Temadagen" not in response.text
    assert "Møte i ASU" not in response.text
    response = client.get(url("list", world) + f"?ar={YEAR}&organ=finnes-ikke")
    assert response.status_code == 200


def test_an_internal_body_is_not_a_filter_for_visitors(client, world, year_of_events):
    response = client.get(url("list", world) + f"?ar={YEAR}&organ={world.internal_group.slug}")
    assert "Intern arbeidsgruppe" not in response.text
    assert "Gruppemøtet" not in response.text


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("outsider", 404),
        ("member", 403),
        ("chair", 403),
        ("secretariat", 200),
        ("admin", 200),
    ],
)
def test_rules_page_is_for_the_secretariat(client, world, who, status):
    if who:
        client.force_login(getattr(world, who))
    response = client.get(url("rules", world))
    assert response.status_code == status
    if status == 302:
        assert "/konto/logg-inn/" in response["Location"]


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_nobody_else_can_change_the_wheel(client, world, year_of_events, who):
    client.force_login(getattr(world, who))
    proposal = WheelEvent.objects.filter(is_confirmed=False).first()
    expected = 403 if who == "member" else 404
    posts = [
        url("event_confirm", world, proposal.pk),
        url("event_delete", world, proposal.pk),
        url("generate", world),
        url("confirm_all", world) + f"?ar={YEAR}",
        url("rule_delete", world, year_of_events.pk),
        url("event_create", world),
    ]
    for page in posts:
        assert client.post(page, {"year": YEAR}).status_code == expected, page
    assert client.get(url("event_edit", world, proposal.pk)).status_code == expected
    assert client.get(url("rule_edit", world, year_of_events.pk)).status_code == expected
    assert WheelEvent.objects.filter(pk=proposal.pk, is_confirmed=False).exists()
    assert RecurrenceRule.objects.filter(pk=year_of_events.pk).exists()


def test_a_secretariat_of_another_community_cannot_touch_this_one(client, world, year_of_events):
    client.force_login(world.secretariat)
    proposal = WheelEvent.objects.filter(is_confirmed=False).first()
    other = reverse("annualwheel:event_confirm", args=[world.other_community.slug, proposal.pk])
    assert client.post(other).status_code == 404


def test_secretariat_makes_a_rule_generates_and_confirms(client, world, asu):
    client.force_login(world.secretariat)
    response = client.post(
        url("rules", world),
        {
            "title": "Møte i ASU",
            "kind": "body_meeting",
            "body": asu.pk,
            "interval_weeks": 6,
            "first_date": f"{YEAR}-01-04",
            "weekday": "3",
            "start_time": "09:00",
            "duration_minutes": 240,
            "location": "Sykehuset",
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    rule = RecurrenceRule.objects.get()
    assert rule.community == world.community and rule.weekday == 3
    response = client.post(url("generate", world), {"year": YEAR}, follow=True)
    assert "9 nye forslag" in response.text
    assert "Hver 6. uke, torsdag kl. 09.00" in response.text
    proposals = list(WheelEvent.objects.filter(rule=rule).order_by("starts_at"))
    assert len(proposals) == 9 and not any(p.is_confirmed for p in proposals)
    assert "Møte i ASU" in response.text
    response = client.post(url("generate", world), {"year": YEAR}, follow=True)
    assert "Ingen nye forslag" in response.text
    response = client.post(url("event_confirm", world, proposals[0].pk), follow=True)
    assert "møtet er opprettet" in response.text
    proposals[0].refresh_from_db()
    assert proposals[0].meeting.bodies.get() == asu
    response = client.post(url("event_delete", world, proposals[1].pk), follow=True)
    assert not WheelEvent.objects.filter(pk=proposals[1].pk).exists()
    response = client.post(url("confirm_all", world) + f"?ar={YEAR}", follow=True)
    assert "7 forslag for 2027 er bekreftet" in response.text
    assert Meeting.objects.filter(bodies=asu).count() == 8
    response = client.post(url("event_delete", world, proposals[0].pk), follow=True)
    assert "Avlys møtet" in response.text
    assert WheelEvent.objects.filter(pk=proposals[0].pk).exists()


def test_a_bad_rule_keeps_what_was_typed(client, world):
    client.force_login(world.secretariat)
    response = client.post(
        url("rules", world),
        {
            "title": "Møte",
            "kind": "body_meeting",
            "interval_weeks": 0,
            "first_date": "2027-01-04",
            "start_time": "09:00",
            "duration_minutes": 60,
        },
    )
    assert response.status_code == 200
    assert "Et møte i et organ må ha et organ." in response.text
    assert 'aria-invalid="true"' in response.text
    assert RecurrenceRule.objects.count() == 0


def test_secretariat_edits_and_deletes_a_rule(client, world, asu):
    rule = make_rule(world.community, asu)
    services.rule_generate(actor=None, rule=rule, year=YEAR)
    client.force_login(world.secretariat)
    page = url("rule_edit", world, rule.pk)
    assert client.get(page).status_code == 200
    data = {
        "title": "ASU-møte",
        "kind": "body_meeting",
        "body": asu.pk,
        "interval_weeks": 8,
        "first_date": "2026-01-05",
        "weekday": "",
        "start_time": "10:00",
        "duration_minutes": 120,
    }
    assert client.post(page, data).status_code == 302
    rule.refresh_from_db()
    assert (rule.title, rule.interval_weeks, rule.weekday, rule.is_public) == (
        "ASU-møte",
        8,
        None,
        False,
    )
    response = client.post(url("rule_delete", world, rule.pk), follow=True)
    assert "er slettet" in response.text
    assert not RecurrenceRule.objects.exists() and not WheelEvent.objects.exists()


def test_secretariat_creates_and_edits_an_event(client, world):
    client.force_login(world.secretariat)
    assert client.get(url("event_create", world)).status_code == 200
    data = {
        "title": "Temadag om skrøpelige eldre",
        "kind": "theme_day",
        "date": f"{YEAR}-10-14",
        "start_time": "09:00",
        "end_time": "15:30",
        "location": "Kulturhuset",
        "is_public": "on",
    }
    assert client.post(url("event_create", world), data).status_code == 302
    event = WheelEvent.objects.get()
    assert event.is_confirmed and event.is_public and not event.all_day
    assert timezone.localtime(event.starts_at) == local(YEAR, 10, 14, 9)
    assert timezone.localtime(event.ends_at) == local(YEAR, 10, 14, 15, 30)
    page = url("event_edit", world, event.pk)
    assert 'value="09:00"' in client.get(page).text
    data.update(all_day="on", start_time="", end_time="", end_date=f"{YEAR}-10-15")
    assert client.post(page, data).status_code == 302
    event.refresh_from_db()
    assert event.all_day and event.local_date == datetime.date(YEAR, 10, 14)
    assert timezone.localtime(event.ends_at).date() == datetime.date(YEAR, 10, 15)


def test_an_event_without_times_is_refused(client, world):
    client.force_login(world.secretariat)
    response = client.post(
        url("event_create", world),
        {"title": "Uten tid", "kind": "other", "date": f"{YEAR}-03-01", "start_time": "10:00"},
    )
    assert response.status_code == 200
    assert "Fyll inn når hendelsen starter og slutter" in response.text
    response = client.post(
        url("event_create", world),
        {
            "title": "Baklengs",
            "kind": "other",
            "date": f"{YEAR}-03-01",
            "start_time": "10:00",
            "end_time": "09:00",
        },
    )
    assert "Hendelsen kan ikke slutte før den begynner." in response.text
    assert not WheelEvent.objects.exists()


def test_my_calendar_shows_the_address_and_makes_a_new_one(client, world):
    page = url("my_calendar", world)
    assert client.get(page).status_code == 302
    client.force_login(world.member)
    response = client.get(page)
    token = FeedToken.objects.get(user=world.member)
    assert f"/kalender/{token.token}.ics" in response.text
    assert "Fagråd for pasientsamarbeid" in response.text
    response = client.post(url("my_calendar_reset", world), follow=True)
    new = FeedToken.objects.get(user=world.member)
    assert new.token != token.token
    assert f"/kalender/{new.token}.ics" in response.text
    assert token.token not in response.text


def test_pages_stay_under_20_queries(client, world, asu, django_assert_max_num_queries):
    for index in range(40):
        make_event(world.community, local(YEAR, 1 + index % 12, 2, 10), title=f"Hendelse {index}")
        make_meeting(world.secretariat, world.council, local(YEAR, 1 + index % 12, 3, 10))
    rule = make_rule(world.community, asu, interval_weeks=1, first_date=datetime.date(YEAR, 1, 4))
    proposals = services.rule_generate(actor=None, rule=rule, year=YEAR)
    for proposal in proposals[:10]:
        services.event_confirm(actor=None, event=proposal)
    client.force_login(world.secretariat)
    for name in ["wheel", "list", "rules", "my_calendar"]:
        with django_assert_max_num_queries(20):
            assert client.get(url(name, world) + f"?ar={YEAR}").status_code == 200
    token = services.feed_token_for(world.secretariat)
    with django_assert_max_num_queries(20):
        client.get(reverse("annualwheel:personal_feed", args=[token.token]))
    with django_assert_max_num_queries(20):
        client.get(url("community_feed", world))
