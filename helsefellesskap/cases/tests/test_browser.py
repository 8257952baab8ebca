"""From a new case to approved, published minutes, in headless Chromium with axe."""

import pytest
from playwright.sync_api import expect

from helsefellesskap.cases.models import Case, Meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_new_case_routing_meeting_minutes_approved_and_published(
    page, live_server, case_world, axe, login
):
    w = case_world
    base = f"{live_server.url}/{w.community.slug}"
    login(page, w.secretariat)
    page.goto(f"{base}/saker/")
    axe(page, "case register")
    page.get_by_role("link", name="Ny sak").click()
    page.get_by_label("Tittel", exact=True).fill("Revidert retningslinje for utskrivning")
    page.get_by_label("Sakstype").select_option(label="Vedtakssak")
    page.get_by_label("Vedtakstype").select_option(label="Reviderte retningslinjer og prosedyrer")
    axe(page, "new case form")
    page.get_by_role("button", name="Lagre").click()
    case = Case.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.number)
    expect(page.get_by_text("Saken er ikke fordelt til ASU")).to_be_visible()
    page.get_by_label("Administrativt samarbeidsutvalg").check()
    page.get_by_role("button", name="Fordel").click()
    expect(page.get_by_text("Saken er fordelt.")).to_be_visible()
    expect(page.get_by_text("Vedtaksmyndighet")).to_have_count(0)
    axe(page, "case page")

    page.goto(f"{base}/moter/nytt/")
    page.get_by_label("Tittel").fill("ASU-møte mars")
    page.get_by_label("Starter").fill("2026-03-30T10:00")
    page.get_by_label("Slutter").fill("2026-03-30T12:00")
    page.get_by_label("Administrativt samarbeidsutvalg").check()
    axe(page, "new meeting form")
    page.get_by_role("button", name="Lagre").click()
    meeting = Meeting.objects.get()
    page.get_by_label("Sak", exact=True).select_option(index=1)
    page.get_by_role("button", name="Sett på sakslisten").click()
    expect(
        page.get_by_role("region", name="Saksliste").or_(page.locator("ol.hf-agenda")).first
    ).to_contain_text(case.number)
    page.get_by_role("button", name="Send innkalling").click()
    expect(page.get_by_text("Innkallingen er sendt")).to_be_visible()
    axe(page, "meeting page")
    page.get_by_role("link", name=f"Før protokoll – {case}").click()
    page.locator("#id_decision").fill("ASU vedtar den reviderte retningslinjen.")
    page.get_by_label("Utfall").select_option(label="Vedtatt")
    page.get_by_label("Enstemmig").select_option(label="Ja")
    page.get_by_role("button", name="Lagre").click()
    page.get_by_role("button", name="Registrer møtet som avholdt").click()
    page.get_by_label("Godkjent").select_option(label="Elektronisk godkjent av leder")
    page.get_by_role("button", name="Godkjenn protokollen").click()
    expect(page.get_by_text("Protokollen er godkjent og publisert.")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.APPROVED

    page.context.clear_cookies()
    page.goto(f"{base}/moter/")
    axe(page, "public meeting list")
    page.get_by_role("link", name="ASU-møte mars", exact=True).click()
    expect(page.get_by_text("ASU vedtar den reviderte retningslinjen.")).to_be_visible()
    axe(page, "public meeting page")
    response = page.request.get(f"{base}/moter/{meeting.pk}/protokoll.pdf")
    assert response.ok and response.headers["content-type"] == "application/pdf"
