"""The dashboard and an indicator page in a real browser, for a member and for the public: axe
on every page, the charts drawn, no sideways scrolling on a phone, no console error.

With SCREENSHOT_DIR set, each page is also saved as a picture (for looking at the layout)."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from helsefellesskap.indicators.models import Indicator

from .factories import figures_world, observe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def console_errors(page):
    errors: list[str] = []
    page.on(
        "console",
        lambda message: message.type == "error" and errors.append(message.text),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield errors
    assert not errors


def shot(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"


def world_with_trends(world):
    """`figures_world` with a half-year before for the standardised rate, so it has a trend."""
    w = figures_world(world)
    for party, rows in [
        (w.aby, {"18-49": (2, 1000), "80+": (8, 100)}),
        (w.bby, {"18-49": (3, 2000), "80+": (4, 50)}),
    ]:
        for band, (n, d) in rows.items():
            observe(w.discharge_ready, party, "2024-H2", n, d, age_band=band)
    return w


def check_pages(page, base, axe, who):
    for size_name, size in (("1280", DESKTOP), ("360", PHONE)):
        page.set_viewport_size(size)
        page.goto(f"{base}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Styringsinformasjon")
        expect(page.get_by_role("link", name="Reinnleggelser innen 30 dager")).to_be_visible()
        expect(page.locator("svg.hf-ind-swatch polyline").first).to_be_attached()
        axe(page, f"dashboard, {who}, {size_name} px")
        shot(page, f"dashboard-{who}-{size_name}")
        if size is PHONE:
            no_sideways_scroll(page)
        page.goto(f"{base}/reinnleggelser/")
        bars = page.get_by_role("img", name="Reinnleggelser innen 30 dager per kommune og region")
        expect(bars).to_be_visible()
        assert bars.locator("rect.hf-ind-bar").count() >= 3
        expect(
            page.get_by_role("img", name="Reinnleggelser innen 30 dager over tid")
        ).to_be_visible()
        expect(page.get_by_role("region", name="Tabell: utvikling over tid")).to_be_visible()
        axe(page, f"indicator page, {who}, {size_name} px")
        shot(page, f"indicator-{who}-{size_name}")
        if size is PHONE:
            no_sideways_scroll(page)


def test_a_member_reads_the_dashboard_and_an_indicator(
    page, live_server, world, axe, login, console_errors
):
    w = world_with_trends(world)
    login(page, w.member)
    base = f"{live_server.url}/{w.community.slug}/styringsinformasjon"
    check_pages(page, base, axe, "member")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/reinnleggelser/")
    page.get_by_role("combobox", name="Region").select_option(label="Sør")
    page.get_by_role("button", name="Vis").click()
    table = page.get_by_role(
        "region", name="Tabell: Reinnleggelser innen 30 dager per kommune og region, 2025-H1"
    )
    expect(table).to_contain_text("Cby")
    expect(table).not_to_contain_text("Aby")


def test_the_public_sees_published_indicators_suppressed(
    page, live_server, world, axe, console_errors
):
    w = world_with_trends(world)
    base = f"{live_server.url}/{w.community.slug}/styringsinformasjon"
    check_pages(page, base, axe, "public")
    expect(page.get_by_role("link", name="Ny indikator")).to_have_count(0)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/reinnleggelser/?alder=0-69")
    table = page.get_by_role(
        "region", name="Tabell: Reinnleggelser innen 30 dager per kommune og region, 2025-H1"
    )
    expect(table.get_by_role("row", name="Cby")).to_contain_text("under 5")
    expect(table.get_by_role("row", name="Nord")).to_contain_text("prikket")
    axe(page, "indicator page with suppressed figures, public")
    shot(page, "indicator-public-suppressed-1280")


def test_the_analysis_group_copies_a_national_definition_on_a_phone(
    page, live_server, world, axe, login, console_errors
):
    w = world_with_trends(world)
    # The national library comes from a migration, which a transactional test before this one
    # may have flushed.
    Indicator.objects.get_or_create(
        community=None,
        code="storbrukere",
        defaults={
            "name": "Storbrukere av sykehus per 1 000 innbyggere",
            "numerator_text": "Pasienter med minst fire døgninnleggelser på tolv måneder.",
            "denominator_text": "Innbyggere",
            "factor": 1000,
            "unit": "per 1 000 innbyggere",
            "is_proportion": False,
            "source": "npr",
            "computation": "heavy_users",
        },
    )
    login(page, w.analyst)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/{w.community.slug}/styringsinformasjon/definisjoner/")
    axe(page, "definitions, analyst, 360 px")
    no_sideways_scroll(page)
    shot(page, "definitions-analyst-360")
    page.get_by_role("button", name="Kopier til fellesskapet: Storbrukere av sykehus").click()
    expect(page.get_by_text("er kopiert til fellesskapet")).to_be_visible()
    expect(page.get_by_label("Navn")).to_have_value("Storbrukere av sykehus per 1 000 innbyggere")
    axe(page, "the copy's form, analyst, 360 px")
    no_sideways_scroll(page)
    page.get_by_label("Publisert").check()
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text("er lagret")).to_be_visible()
