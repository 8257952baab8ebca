"""End to end in headless Chromium, with axe-core on every page visited."""

import pytest
from playwright.sync_api import expect

from helsefellesskap.organisation.models import Membership

from .factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_goes_from_front_page_to_a_body_and_its_members(page, live_server, world, axe):
    page.goto(live_server.url)
    expect(page).to_have_title("Forside – Helsefellesskap")
    axe(page, "front page")
    page.get_by_role("main").get_by_role("link", name=world.community.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(world.community.name)
    axe(page, "community home")
    page.get_by_role("navigation", name="Meny for HF Testdalen").get_by_role(
        "link", name="Organer"
    ).click()
    expect(page.get_by_role("link", name="Intern arbeidsgruppe")).to_have_count(0)
    axe(page, "body list")
    page.get_by_role("link", name="Fagråd for pasientsamarbeid").click()
    members = page.get_by_role("table", name="Medlemmer av Fagråd for pasientsamarbeid", exact=True)
    expect(members.get_by_role("row")).to_have_count(3)  # header, chair, member
    expect(members).to_contain_text("Leder")
    axe(page, "body page")
    for name in ["Parter", "Kontakter", "Representasjon"]:
        page.get_by_role("navigation", name="Meny for HF Testdalen").get_by_role(
            "link", name=name
        ).click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        axe(page, name)


def test_secretariat_adds_a_membership_after_fixing_a_bad_term(
    page, live_server, world, axe, login
):
    PersonFactory(community=world.community, given_name="Nina", family_name="Nyberg")
    login(page, world.secretariat)
    page.goto(f"{live_server.url}/{world.community.slug}/organer/{world.council.slug}/")
    page.get_by_role("link", name="Legg til medlem").click()
    axe(page, "membership form")
    page.get_by_label("Person").select_option(label="Nina Nyberg")
    page.get_by_label("Rolle").select_option(label="Medlem")
    page.get_by_label("Representerer").select_option(label="Brukerrepresentant")
    page.get_by_label("Fra").fill("2025-03-01")
    page.get_by_label("Til").fill("2025-02-01")
    page.get_by_role("button", name="Lagre").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Sluttdatoen kan ikke være før startdatoen.")
    expect(page.get_by_label("Fra")).to_have_value("2025-03-01")
    expect(page.get_by_label("Til")).to_have_attribute("aria-invalid", "true")
    axe(page, "membership form with errors")
    page.get_by_label("Til").fill("2027-12-31")
    page.get_by_role("button", name="Lagre").click()
    expect(
        page.get_by_text("Nina Nyberg er lagt til i Fagråd for pasientsamarbeid.")
    ).to_be_visible()
    members = page.get_by_role("table", name="Medlemmer av Fagråd for pasientsamarbeid", exact=True)
    expect(members).to_contain_text("Nina Nyberg")
    assert Membership.objects.filter(person__given_name="Nina").count() == 1
    axe(page, "body page as secretariat")


def test_member_of_another_community_sees_no_internal_data(page, live_server, world, login):
    login(page, world.outsider)
    response = page.goto(f"{live_server.url}/{world.community.slug}/organer/intern/")
    assert response.status == 404
    expect(page.get_by_text("Intern arbeidsgruppe")).to_have_count(0)
    response = page.goto(f"{live_server.url}/{world.community.slug}/personer/")
    assert response.status == 404


def test_the_layout_works_on_a_phone(page, live_server, world, axe):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/{world.community.slug}/organer/{world.council.slug}/")
    page.get_by_role("link", name="Hopp til hovedinnhold").focus()
    expect(page.get_by_role("link", name="Hopp til hovedinnhold")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page scrolls sideways on a phone ({width}px)"
    axe(page, "body page on a phone")
