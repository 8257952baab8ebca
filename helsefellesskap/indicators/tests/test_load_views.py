"""The loading pages: who may use them, upload → preview → confirm through the pages, the page
that follows the task (htmx polling, and a refresh without JavaScript), and discarding."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from helsefellesskap.indicators import services, synthetic
from helsefellesskap.indicators.models import DataLoad, Observation
from helsefellesskap.organisation.models import Body, Membership
from helsefellesskap.organisation.tests.factories import (
    BodyFactory,
    MembershipFactory,
    PersonFactory,
    UserFactory,
)

from .test_loads import GOOD, apply, definition, preview, services_population_csv, stays, upload

pytestmark = pytest.mark.django_db
Status = DataLoad.Status


def _seat(world, kind, email, name):
    body = BodyFactory(community=world.community, kind=kind, name=name)
    user = UserFactory(email=email, full_name=f"{name} Medlem")
    person = PersonFactory(community=world.community, user=user, email=email)
    MembershipFactory(
        body=body,
        person=person,
        role=Membership.Role.MEMBER,
        representation=Membership.Representation.MUNICIPALITIES,
    )
    return user


@pytest.fixture(autouse=True)
def event_dir(settings, tmp_path):
    settings.INDICATOR_EVENT_DIR = tmp_path / "events"
    return settings.INDICATOR_EVENT_DIR


@pytest.fixture
def setup(world):
    from helsefellesskap.organisation.tests.factories import PartyFactory

    PartyFactory(community=world.community, name="Nabo kommune", municipality_number="5006")
    definition(code="andel")
    definition(world.community, code="rate", frequency="year", is_proportion=False)
    world.analyst = _seat(world, Body.Kind.ANALYSIS_GROUP, "analyse@example.no", "Analysegruppe")
    world.asu_member = _seat(world, Body.Kind.ADMINISTRATIVE, "asu@example.no", "ASU")
    return world


def loads_url(world):
    return reverse("indicators:loads", args=[world.community.slug])


def load_url(world, load, name="load"):
    return reverse(f"indicators:{name}", args=[world.community.slug, load.pk])


def post_file(client, world, content, *, name="tall.csv", kind="aggregate", **extra):
    raw = content.encode() if isinstance(content, str) else content
    upload_file = SimpleUploadedFile(name, raw, content_type="text/csv")
    return client.post(loads_url(world), {"kind": kind, "file": upload_file, **extra})


# --- Who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("analyst", 200),
        ("secretariat", 200),
        ("admin", 200),
        ("asu_member", 403),
        ("member", 403),  # a member of another body (a council)
        ("outsider", 404),
    ],
)
def test_only_the_analysis_group_and_the_secretariat_see_the_loads(client, setup, persona, status):
    load = upload(setup, GOOD)
    client.force_login(getattr(setup, persona))
    assert client.get(loads_url(setup)).status_code == status
    assert client.get(load_url(setup, load)).status_code == status
    assert client.post(load_url(setup, load, "load_confirm")).status_code in (
        {302} if status == 200 else {status}
    )


def test_an_anonymous_visitor_is_sent_to_log_in(client, setup):
    load = upload(setup, GOOD)
    for url in (loads_url(setup), load_url(setup, load)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert client.post(load_url(setup, load, "load_discard")).status_code == 302
    assert DataLoad.objects.filter(pk=load.pk).exists()


def test_a_member_may_neither_confirm_nor_discard(client, setup):
    load = upload(setup, GOOD)
    services.load_preview_run(load.pk)
    client.force_login(setup.asu_member)
    assert client.post(load_url(setup, load, "load_confirm")).status_code == 403
    assert client.post(load_url(setup, load, "load_discard")).status_code == 403
    assert DataLoad.objects.get(pk=load.pk).status == Status.PREVIEW


def test_a_load_of_another_community_is_not_found_here(client, setup):
    from helsefellesskap.indicators.models import DataLoad as Load

    other = Load.objects.create(community=setup.other_community, kind="aggregate")
    client.force_login(setup.analyst)
    assert client.get(load_url(setup, other)).status_code == 404
    assert client.post(load_url(setup, other, "load_discard")).status_code == 404
    assert Load.objects.filter(pk=other.pk).exists()


# --- Upload, preview, confirm ---------------------------------------------------------------------


def test_upload_preview_and_confirm_through_the_pages(
    client, setup, django_capture_on_commit_callbacks
):
    client.force_login(setup.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(client, setup, GOOD)
    load = DataLoad.objects.get()
    assert response.status_code == 302
    assert response["Location"] == load_url(setup, load)

    page = client.get(load_url(setup, load))
    assert "Klar til godkjenning" in page.text or "Filen er sjekket" in page.text
    assert "3 nye, 0 endrede og 0 uendrede celler" in page.text
    assert not Observation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(load_url(setup, load, "load_confirm"))
    assert response.status_code == 302
    assert Observation.objects.count() == 3
    page = client.get(load_url(setup, load))
    assert "Tallene er lagret" in page.text
    listing = client.get(loads_url(setup))
    assert "tall.csv" in listing.text
    assert "3 nye, 0 endrede" in listing.text


def test_the_same_file_twice_is_previewed_as_no_change(
    client, setup, django_capture_on_commit_callbacks
):
    client.force_login(setup.analyst)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            post_file(client, setup, GOOD)
        load = DataLoad.objects.order_by("-pk").first()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(load_url(setup, load, "load_confirm"))
    page = client.get(load_url(setup, load))
    assert "0 nye, 0 endrede og 3 uendrede celler" in page.text
    assert "Den samme filen ble lastet inn" in page.text


def test_a_file_with_errors_lists_them_by_row_and_stores_nothing(
    client, setup, django_capture_on_commit_callbacks
):
    client.force_login(setup.analyst)
    rows = "".join("ukjent;5001;2025-H1;1;10\n" for _ in range(60))
    with django_capture_on_commit_callbacks(execute=True):
        post_file(client, setup, "indikator;kommune;periode;teller;nevner\n" + rows)
    load = DataLoad.objects.get()
    page = client.get(load_url(setup, load))
    assert "ingenting er lagret" in page.text
    assert "Ukjent indikator «ukjent»" in page.text
    assert page.text.count("Ukjent indikator") == 50
    assert "og 10 feil til" in page.text
    assert not Observation.objects.exists()


@pytest.mark.parametrize(
    ("name", "kind", "message"),
    [
        ("tall.pdf", "aggregate", "Tabeller lastes opp som CSV"),
        ("opphold.xlsx", "events", "Sykehusopphold lastes opp som Parquet eller CSV"),
    ],
)
def test_the_form_refuses_a_file_of_the_wrong_kind(client, setup, name, kind, message):
    client.force_login(setup.analyst)
    response = post_file(client, setup, GOOD, name=name, kind=kind)
    assert response.status_code == 200
    assert message in response.text
    assert not DataLoad.objects.exists()


def test_discarding_a_preview_removes_it_and_its_file(client, setup, event_dir):
    load = upload(setup, GOOD)
    services.load_preview_run(load.pk)
    client.force_login(setup.analyst)
    response = client.post(load_url(setup, load, "load_discard"))
    assert response.status_code == 302
    assert not DataLoad.objects.exists()
    assert not list(event_dir.iterdir())


# --- Following the task --------------------------------------------------------------------------


def test_the_page_polls_while_the_task_runs_and_stops_when_it_is_done(client, setup):
    load = upload(setup, GOOD)  # waiting: no worker has taken it
    client.force_login(setup.analyst)
    page = client.get(load_url(setup, load))
    assert 'hx-trigger="every 1s"' in page.text
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page.text
    assert "<progress" in page.text

    partial = client.get(load_url(setup, load), headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith('<div id="load-status"')
    assert "<html" not in partial.text
    assert 'hx-trigger="every 1s"' in partial.text

    services.load_preview_run(load.pk)
    partial = client.get(load_url(setup, load), headers={"HX-Request": "true"})
    assert "hx-trigger" not in partial.text
    assert "Lagre tallene" in partial.text
    page = client.get(load_url(setup, load))
    assert 'http-equiv="refresh"' not in page.text


def test_the_progress_the_task_reports_is_shown(client, setup):
    load = upload(setup, GOOD)
    DataLoad.objects.filter(pk=load.pk).update(
        status=Status.RUNNING, progress=42, progress_text="Har lest 2000 rader"
    )
    client.force_login(setup.analyst)
    partial = client.get(load_url(setup, load), headers={"HX-Request": "true"})
    assert 'value="42"' in partial.text
    assert "Har lest 2000 rader" in partial.text


def test_an_event_file_uploaded_on_the_page_is_computed_and_deleted(
    client, setup, tmp_path, event_dir, django_capture_on_commit_callbacks
):
    population = synthetic.population_rows([("5001", 4000), ("5006", 2500)], [2024])
    apply(setup, preview(setup, services_population_csv(population), kind="population"))
    client.force_login(setup.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        post_file(client, setup, stays(tmp_path), name="opphold.parquet", kind="events")
    load = DataLoad.objects.get(kind="events")
    assert load.status == Status.DONE, load.errors
    assert not list(event_dir.iterdir())
    page = client.get(load_url(setup, load))
    assert "Tallene er lagret" in page.text
    assert "reinnleggelser-30-dager" in page.text
    assert " p0" not in page.text  # no pseudonymous id


def test_a_load_no_worker_has_taken_says_so(client, setup):
    import datetime

    load = upload(setup, GOOD)
    an_hour_ago = load.created_at - datetime.timedelta(hours=1)
    DataLoad.objects.filter(pk=load.pk).update(created_at=an_hour_ago)
    client.force_login(setup.analyst)
    assert "Bakgrunnsjobben har ikke startet ennå" in client.get(load_url(setup, load)).text
