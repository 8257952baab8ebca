"""static/js/forms.js in a real browser: a slow submit cannot be sent twice, and what was typed in a
long form survives leaving the page and a submit that fails with the 503 page."""

import json
import time

import pytest
from playwright.sync_api import expect

from helsefellesskap.core.errors import UNAVAILABLE, render_error
from helsefellesskap.deviations import views
from helsefellesskap.deviations.models import Deviation, Theme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WHAT_HAPPENED = "Pasienten kom hjem fredag uten epikrise og legemiddelliste."
NOTICE = "Vi har hentet fram det du skrev sist"
DRAFT_KEYS = "() => Object.keys(localStorage).filter(k => k.startsWith('hf-draft|'))"


@pytest.fixture
def console_errors(page):
    """Fails the test on any console error or uncaught exception; a test that provokes an error
    response on purpose removes the browser's line about it from the list."""
    errors: list[str] = []

    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and errors.append(f"{message.text} ({message.location.get('url')})")
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield errors
    assert not errors


@pytest.fixture
def report_page(page, live_server, dev_world, login, console_errors):
    login(page, dev_world.nurse)
    url = f"{live_server.url}/{dev_world.community.slug}/avvik/ny/"
    page.goto(url)
    return url


def _fill_report(page, text=WHAT_HAPPENED):
    page.get_by_label("Hvem gjelder avviket?").select_option(label="Testdalen HF")
    page.get_by_label("Hva gjelder det?").select_option(label="Epikrise og annen dokumentasjon")
    page.get_by_label("Pasientrelatert").check()
    page.get_by_label("Hva skjedde?").fill(text)
    page.get_by_role("group", name="Konsekvens for pasienten – fysisk").get_by_label(
        "Liten"
    ).check()


def _wait_for_draft(page):
    # A function, not an expression: the page's CSP forbids eval.
    page.wait_for_function(f"() => ({DRAFT_KEYS})().length === 1")


def test_a_slow_submit_goes_out_once_with_the_clicked_button(page, report_page, monkeypatch):
    # The live server runs in this process: a report takes a second, as on a busy day.
    report = views.services.deviation_report
    monkeypatch.setattr(
        views.services, "deviation_report", lambda **kw: time.sleep(1) or report(**kw)
    )
    posts = []
    page.on("request", lambda r: r.method == "POST" and posts.append(r.post_data or ""))
    _fill_report(page)
    button = page.get_by_role("button", name="Send avvik")
    # The product's workflow forms tell actions apart by the clicked button's name and value.
    button.evaluate("b => { b.name = 'action'; b.value = 'send'; }")
    # Playwright cannot look into a page whose navigation is under way, so the page notes what
    # it looks like meanwhile, and submits once more, as Enter in a field would.
    page.locator("form[data-draft]").evaluate(
        """form => form.addEventListener("submit", () => setTimeout(() => {
            const b = form.querySelector("[type=submit]");
            sessionStorage.setItem("seen", JSON.stringify([b.disabled, b.ariaBusy]));
            form.requestSubmit();
        }, 50), {once: true})"""
    )
    button.dblclick()
    expect(page.get_by_text("er sendt til Testdalen HF")).to_be_visible()
    assert json.loads(page.evaluate("() => sessionStorage.getItem('seen')")) == [True, "true"]
    assert len(posts) == 1
    assert "action=send" in posts[0]
    assert Deviation.objects.count() == 1


def test_a_draft_left_behind_comes_back_and_can_be_discarded(page, report_page, axe):
    _fill_report(page)
    _wait_for_draft(page)
    page.get_by_role("link", name="Helsefellesskap", exact=True).click()
    page.goto(report_page)
    notice = page.get_by_role("status").filter(has_text=NOTICE)
    expect(notice).to_be_visible()
    expect(page.get_by_label("Hva skjedde?")).to_have_value(WHAT_HAPPENED)
    expect(page.get_by_label("Pasientrelatert")).to_be_checked()
    axe(page, "report form with a restored draft")
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        notice.scroll_into_view_if_needed()
        page.screenshot(path=f"/tmp/draft-{width}.png")

    page.get_by_role("button", name="Forkast utkastet").click()
    expect(notice).to_be_hidden()
    expect(page.get_by_label("Hva skjedde?")).to_have_value("")
    assert page.evaluate(DRAFT_KEYS) == []
    page.reload()
    expect(page.get_by_label("Hva skjedde?")).to_have_value("")
    expect(notice).to_be_hidden()


def test_a_submit_that_meets_the_503_page_keeps_the_draft(page, report_page, console_errors):
    unavailable = render_error(UNAVAILABLE)
    page.route(
        report_page,
        lambda route: (
            route.fulfill(
                status=503, body=unavailable.content, content_type="text/html; charset=utf-8"
            )
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    _fill_report(page)
    page.get_by_role("button", name="Send avvik").click()
    expect(
        page.get_by_role("heading", name="Tjenesten er midlertidig utilgjengelig")
    ).to_be_visible()
    console_errors[:] = [e for e in console_errors if "status of 503" not in e]
    page.go_back()
    expect(page.get_by_label("Hva skjedde?")).to_have_value(WHAT_HAPPENED)
    expect(page.get_by_role("button", name="Send avvik")).to_be_enabled()

    # Gone somewhere else from the error page, the draft still waits on the form.
    page.goto(report_page.replace("/ny/", "/"))
    page.goto(report_page)
    expect(page.get_by_text(NOTICE)).to_be_visible()
    expect(page.get_by_label("Hva skjedde?")).to_have_value(WHAT_HAPPENED)
    assert not Deviation.objects.exists()


def test_a_submit_that_went_through_leaves_no_draft(page, report_page):
    _fill_report(page)
    _wait_for_draft(page)
    page.get_by_role("button", name="Send avvik").click()
    expect(page.get_by_text("er sendt til Testdalen HF")).to_be_visible()
    assert page.evaluate(DRAFT_KEYS) == []
    page.goto(report_page)
    expect(page.get_by_label("Hva skjedde?")).to_have_value("")
    expect(page.get_by_text(NOTICE)).to_be_hidden()


def test_drafts_older_than_a_week_and_junk_are_dropped(page, report_page, dev_world):
    key = f"hf-draft|{dev_world.nurse.pk}|/{dev_world.community.slug}/avvik/ny/|0"
    store = """([key, days]) => localStorage.setItem(key, JSON.stringify({
        fields: {"description|1": "Et utkast"}, base: {}, t: Date.now() - days * 864e5,
    }))"""
    page.evaluate(store, [key, 6])
    page.reload()
    expect(page.get_by_label("Hva skjedde?")).to_have_value("Et utkast")

    page.evaluate(store, [key, 8])
    page.evaluate("() => localStorage.setItem('hf-draft|junk', '{not json')")
    page.reload()
    expect(page.get_by_label("Hva skjedde?")).to_have_value("")
    expect(page.get_by_text(NOTICE)).to_be_hidden()
    assert page.evaluate(DRAFT_KEYS) == []


def test_a_form_that_redirects_to_its_own_page_starts_empty(
    page, live_server, dev_world, login, console_errors
):
    login(page, dev_world.secretariat)
    page.goto(f"{live_server.url}/{dev_world.community.slug}/avvik/temaer/")
    title = page.locator('form[data-draft] [name="title"]')
    title.fill("Epikriser som mangler")
    page.get_by_role("button", name="Opprett tema").click()
    expect(page.get_by_role("rowheader", name="Epikriser som mangler")).to_be_visible()
    expect(title).to_have_value("")
    expect(page.get_by_text(NOTICE)).to_be_hidden()
    assert Theme.objects.count() == 1
