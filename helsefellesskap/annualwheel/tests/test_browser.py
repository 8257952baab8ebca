"""The annual wheel end to end in headless Chromium, with axe-core on every page visited."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from helsefellesskap.annualwheel import services
from helsefellesskap.annualwheel.models import Kind, WheelEvent
from helsefellesskap.cases.models import Meeting

from .conftest import local, make_event, make_meeting, make_rule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
YEAR = timezone.localdate().year


@pytest.fixture
def wheel_year(world, asu):
    make_event(
        world.community,
        local(YEAR, 2, 10, 0),
        title="Årsrapport for avvik",
        kind=Kind.DEVIATION_REPORT,
        body=asu,
        all_day=True,
        hours=0,
    )
    make_event(
        world.community,
        local(YEAR, 10, 14, 9),
        title="Temadagen",
        kind=Kind.THEME_DAY,
        hours=6,
        location="Kulturhuset",
    )
    make_event(
        world.community, local(YEAR, 5, 5, 10), title="Dialogmøtet", kind=Kind.DIALOGUE_MEETING
    )
    make_meeting(world.secretariat, world.council, local(YEAR, 3, 10, 12), title="Fagrådsmøtet")
    rule = make_rule(world.community, asu, first_date=datetime.date(YEAR, 1, 5))
    proposals = services.rule_generate(actor=None, rule=rule, year=YEAR)
    services.event_confirm(actor=None, event=proposals[0])
    return world


def test_visitor_reads_the_wheel_and_the_list(page, live_server, wheel_year, axe):
    world = wheel_year
    page.goto(f"{live_server.url}/{world.community.slug}/arshjul/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Årshjul {YEAR}")
    expect(page.get_by_role("img", name=f"Årshjulet for {YEAR}")).to_be_visible()
    october = page.get_by_role("heading", name="Oktober", exact=True)
    expect(october).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Temadagen")
    expect(page.get_by_role("link", name="Fagrådsmøtet")).to_be_visible()
    axe(page, "the wheel")
    page.get_by_role("navigation", name="Visninger av årshjulet").get_by_role(
        "link", name="Liste"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Årshjul {YEAR} som liste")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Dialogmøtet")
    axe(page, "the list")
    page.get_by_label("Type hendelse").select_option(label="Temadag")
    page.get_by_role("button", name="Filtrer").click()
    expect(table.get_by_role("row")).to_have_count(2)  # header and the theme day
    axe(page, "the filtered list")
    page.get_by_role("link", name=f"{YEAR + 1}").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Årshjul {YEAR + 1} som liste")


def test_secretariat_confirms_a_proposal(page, live_server, wheel_year, axe, login):
    world = wheel_year
    login(page, world.secretariat)
    page.goto(f"{live_server.url}/{world.community.slug}/arshjul/?ar={YEAR}")
    expect(page.get_by_text("forslag").first).to_be_visible()
    axe(page, "the wheel as secretariat")
    page.get_by_role("link", name="Regler og forslag").click()
    axe(page, "rules and proposals")
    before = Meeting.objects.count()
    first = WheelEvent.objects.filter(is_confirmed=False).order_by("starts_at").first()
    label = f"Bekreft Møte i ASU {first.starts_at.astimezone(timezone.get_default_timezone()).day}."
    page.get_by_role("button", name=label).first.click()
    expect(page.get_by_text("møtet er opprettet med standard saksliste")).to_be_visible()
    assert Meeting.objects.count() == before + 1
    axe(page, "rules after confirming")
    page.get_by_role("link", name="Min kalender").click()
    expect(page.get_by_label("Adressen til kalenderen din")).to_have_value(
        f"{live_server.url}/kalender/{world.secretariat.feed_token.token}.ics"
    )
    axe(page, "my calendar")
    page.get_by_role("link", name="Liste").click()
    page.get_by_role("link", name="Ny hendelse").click()
    axe(page, "event form")
    page.get_by_label("Tittel").fill("Fellesmøte for fagrådene")
    page.get_by_label("Dato").fill(f"{YEAR}-09-02")
    page.get_by_label("Starter kl.").fill("10:00")
    page.get_by_label("Slutter kl.").fill("09:00")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_role("alert")).to_contain_text("Hendelsen kan ikke slutte før den begynner.")
    axe(page, "event form with errors")
    page.get_by_label("Slutter kl.").fill("14:00")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text("«Fellesmøte for fagrådene")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Fellesmøte for fagrådene")


def test_the_wheel_works_on_a_phone(page, live_server, wheel_year, axe):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/{wheel_year.community.slug}/arshjul/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page scrolls sideways on a phone ({width}px)"
    axe(page, "the wheel on a phone")
