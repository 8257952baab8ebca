"""A municipal nurse reports on a phone, the guard refuses an identity number, she fixes it and
sends; the hospital's handler answers; she accepts. axe on every page."""

import pytest
from playwright.sync_api import expect

from helsefellesskap.deviations.models import Deviation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_refused_fixed_answered_and_accepted(page, live_server, dev_world, axe, login):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, dev_world.nurse)
    page.goto(f"{live_server.url}/{dev_world.community.slug}/avvik/")
    axe(page, "deviation home on a phone")
    page.get_by_role("link", name="Meld avvik").click()
    axe(page, "report form on a phone")
    page.get_by_label("Hvem gjelder avviket?").select_option(label="Testdalen HF")
    page.get_by_label("Hva gjelder det?").select_option(label="Epikrise og annen dokumentasjon")
    page.get_by_label("Pasientrelatert").check()
    page.get_by_label("Hva skjedde?").fill(
        "Pasient 150875 45692 kom hjem fredag uten epikrise og legemiddelliste."
    )
    page.get_by_role("group", name="Konsekvens for pasienten – fysisk").get_by_label(
        "Liten"
    ).check()
    page.get_by_role("button", name="Send avvik").click()
    expect(page.get_by_text("Avviket er ikke sendt")).to_be_visible()
    expect(page.get_by_label("Hva skjedde?")).to_have_value(
        "Pasient 150875 45692 kom hjem fredag uten epikrise og legemiddelliste."
    )
    assert not Deviation.objects.exists()
    axe(page, "report form refused by the guard")
    page.get_by_label("Hva skjedde?").fill(
        "Pasienten kom hjem fredag uten epikrise og legemiddelliste."
    )
    page.get_by_role("button", name="Send avvik").click()
    expect(page.get_by_text("er sendt til Testdalen HF")).to_be_visible()
    deviation = Deviation.objects.get()
    axe(page, "the new case")

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, dev_world.hospital_handler)
    page.goto(f"{live_server.url}/{dev_world.community.slug}/avvik/")
    page.get_by_role("region", name="Tabell: Saker som venter på oss").get_by_role(
        "link", name=deviation.number
    ).click()
    page.locator("summary", has_text="Send svar").click()
    page.get_by_label("Svar til melder").fill("Epikrisen er sendt. Vi har innført sjekkliste.")
    page.get_by_role("button", name="Send svar").click()
    expect(page.get_by_text("Saken er oppdatert.")).to_be_visible()
    axe(page, "answered case, hospital side")

    page.context.clear_cookies()
    login(page, dev_world.nurse)
    page.goto(f"{live_server.url}{deviation.get_absolute_url()}")
    expect(page.get_by_role("region", name="Svar")).to_contain_text("innført sjekkliste")
    page.locator("summary", has_text="Godta svaret og lukk").click()
    page.get_by_role("button", name="Godta svaret og lukk").click()
    expect(page.get_by_text("Lukket").first).to_be_visible()
    deviation.refresh_from_db()
    assert deviation.state == Deviation.State.CLOSED
    axe(page, "closed case, reporter side")


def test_secretariat_pages_pass_axe(page, live_server, dev_world, axe, login, report):
    deviation = report()
    login(page, dev_world.secretariat)
    base = f"{live_server.url}/{dev_world.community.slug}/avvik/"
    for path in ["", "innstillinger/", "temaer/", f"{deviation.number}/", "statistikk/"]:
        page.goto(base + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        axe(page, path or "deviation home")
