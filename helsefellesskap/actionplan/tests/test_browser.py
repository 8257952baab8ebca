"""The action plan end to end in headless Chromium, with axe-core on every page visited."""

import pytest
from playwright.sync_api import expect

from helsefellesskap.actionplan.models import PlanVersion, StatusReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretariat_revises_adopts_and_the_diff_shows_the_change(
    page, live_server, plan_world, axe, login
):
    login(page, plan_world.secretariat)
    page.goto(f"{live_server.url}{plan_world.plan.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Handlingsplan for Testdalen")
    axe(page, "plan tree")
    page.get_by_role("button", name="Start årlig revisjon").click()
    expect(page.get_by_text("er startet som en kopi av gjeldende versjon")).to_be_visible()
    page.get_by_role("link", name="Endre tiltak 1 a)").click()
    axe(page, "measure form")
    page.locator("#id_text").fill("Prioritere skrøpelige eldre og pårørende")
    page.get_by_label("År").fill("2022, 2023 (igangsatt)")
    page.get_by_role("button", name="Lagre").click()
    expect(
        page.get_by_text("Tiltak 1 a) Prioritere skrøpelige eldre og pårørende er lagret.")
    ).to_be_visible()
    page.get_by_role("link", name="Handlingsplan for Testdalen").first.click()
    draft = plan_world.plan.versions.get(status=PlanVersion.Status.DRAFT)
    page.goto(f"{live_server.url}{plan_world.plan.get_absolute_url()}?versjon={draft.number}")
    page.get_by_role("link", name="Registrer ASUs innstilling").click()
    page.get_by_label("Dato").fill("2026-02-10")
    page.get_by_role("button", name="Lagre").click()
    page.get_by_role("link", name="Registrer PSUs vedtak").click()
    page.get_by_label("Dato").fill("2026-03-05")
    page.get_by_label("Merknad (f.eks. saksnummer)").fill("Sak 07/26")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text("er vedtatt og er nå gjeldende versjon")).to_be_visible()
    page.get_by_role("navigation", name="Handlingsplanen").get_by_role(
        "link", name="Versjoner"
    ).click()
    page.get_by_label("Fra").select_option(str(plan_world.version.number))
    page.get_by_label("Til").select_option(str(draft.number))
    page.get_by_role("button", name="Sammenlign").click()
    diff = page.locator("#diff")
    expect(diff).to_contain_text("Tiltak: 0 nye, 1 endret, 0 fjernet.")
    expect(diff.locator("del").first).to_contain_text("Prioritere skrøpelige eldre")
    expect(diff.locator("ins").first).to_contain_text("Prioritere skrøpelige eldre og pårørende")
    axe(page, "versions and diff")


def test_council_chair_reports_status_on_the_councils_measure(
    page, live_server, plan_world, axe, login
):
    login(page, plan_world.chair)
    page.goto(f"{live_server.url}/{plan_world.community.slug}/handlingsplan/")
    page.get_by_role("link", name="Tiltak Fagråd for pasientsamarbeid har ansvar for").click()
    axe(page, "our measures")
    page.get_by_role("link", name="1 b) Plan for barn og unge").click()
    axe(page, "measure page")
    page.get_by_label("Status", exact=True).select_option(label="Pågår")
    page.get_by_label("Kort om status").fill("Arbeidsgruppen har levert utkast til forløp.")
    page.get_by_role("button", name="Lagre status").click()
    expect(page.get_by_text("Status er registrert")).to_be_visible()
    history = page.get_by_role("region", name="Statushistorikk").or_(page.locator("ol.hf-history"))
    expect(history.first).to_contain_text("Arbeidsgruppen har levert utkast til forløp.")
    report = StatusReport.objects.get()
    assert report.body == plan_world.council and report.reported_by == plan_world.chair
    axe(page, "measure page after report")


def test_public_plan_pages_pass_axe(page, live_server, plan_world, axe):
    plan_world.plan.status_is_public = True
    plan_world.plan.save()
    base = f"{live_server.url}{plan_world.plan.get_absolute_url()}"
    for path in ["", "tidslinje/", "fremdrift/", "versjoner/"]:
        page.goto(base + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        axe(page, path or "plan")
    page.get_by_role("navigation", name="Handlingsplanen").get_by_role(
        "link", name="Tiltak"
    ).click()
    page.get_by_label("Pasientgruppe").select_option(label="Barn og unge")
    expect(page.get_by_role("status")).to_have_text("1 tiltak")
    axe(page, "filtered plan")
