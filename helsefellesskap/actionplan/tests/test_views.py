import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from helsefellesskap.actionplan import services
from helsefellesskap.actionplan.models import StatusReport

pytestmark = pytest.mark.django_db


def url(name, world, *args, **query):
    path = reverse(f"actionplan:{name}", args=[world.community.slug, world.plan.slug, *args])
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return path


def test_the_public_sees_the_adopted_plan_but_not_its_status(client, plan_world):
    response = client.get(url("plan", plan_world))
    assert response.status_code == 200
    assert "Prioritere skrøpelige eldre" in response.text
    assert "Sammen om pasienten" in response.text
    assert "Ikke rapportert" not in response.text
    assert client.get(url("progress", plan_world)).status_code == 302  # log in first
    assert client.get(url("status_pdf", plan_world)).status_code == 302


def test_status_is_public_when_the_secretariat_publishes_it(client, plan_world):
    plan_world.plan.status_is_public = True
    plan_world.plan.save()
    response = client.get(url("plan", plan_world))
    assert "Ikke rapportert" in response.text
    assert client.get(url("progress", plan_world)).status_code == 200


def test_drafts_are_for_members_only(client, plan_world):
    draft = services.revision_start(actor=plan_world.secretariat, plan=plan_world.plan)
    page = url("plan", plan_world, versjon=draft.number)
    assert client.get(page).status_code == 404
    client.force_login(plan_world.outsider)
    assert client.get(page).status_code == 404
    client.force_login(plan_world.member)
    response = client.get(page)
    assert response.status_code == 200
    assert "utkast til revisjon" in response.text


def test_an_unadopted_plan_is_hidden_from_outsiders(client, plan_world):
    from .conftest import small_plan

    draft = services.plan_import(
        actor=None,
        community=plan_world.community,
        data={**small_plan("draft"), "period_start": 2026, "period_end": 2029},
    )
    page = reverse("actionplan:plan", args=[plan_world.community.slug, draft.plan.slug])
    client.force_login(plan_world.outsider)
    assert client.get(page).status_code == 404
    client.force_login(plan_world.member)
    assert client.get(page).status_code == 200


def test_filters_in_the_query_string(client, plan_world):
    client.force_login(plan_world.member)
    response = client.get(url("plan", plan_world, priority_group="children_youth"))
    assert "Plan for barn og unge" in response.text
    assert "Prioritere skrøpelige eldre" not in response.text
    response = client.get(url("plan", plan_world, q="meldinger"), HTTP_HX_REQUEST="true")
    assert response.text.lstrip().startswith('<div id="plan-tree">')
    assert "Videreutvikle elektroniske meldinger" in response.text


def _measure(world, code):
    return world.version.measures.get(code=code)


def test_only_the_responsible_body_or_the_secretariat_may_report_status(client, plan_world):
    own = _measure(plan_world, "1 a)")  # the council's
    other = _measure(plan_world, "3 a)")  # ASU's
    data = {
        "status": "in_progress",
        "text": "Pilot i gang",
        "reported_on": "2025-05-01",
        "body": plan_world.council.pk,
    }
    client.force_login(plan_world.chair)
    response = client.post(url("measure", plan_world, own.lineage), data)
    assert response.status_code == 302
    report = StatusReport.objects.get()
    assert (report.status, report.body, report.reported_by) == (
        "in_progress",
        plan_world.council,
        plan_world.chair,
    )
    assert client.post(url("measure", plan_world, other.lineage), data).status_code == 403
    page = client.get(url("measure", plan_world, other.lineage))
    assert "Rapporter status" not in page.text
    client.force_login(plan_world.outsider)
    assert client.post(url("measure", plan_world, own.lineage), data).status_code == 404
    client.logout()
    assert client.post(url("measure", plan_world, own.lineage), data).status_code == 302
    client.force_login(plan_world.secretariat)
    response = client.post(
        url("measure", plan_world, other.lineage), {**data, "body": plan_world.asu.pk}
    )
    assert response.status_code == 302
    assert StatusReport.objects.count() == 2


def test_a_bad_status_report_keeps_the_text(client, plan_world):
    client.force_login(plan_world.chair)
    response = client.post(
        url("measure", plan_world, _measure(plan_world, "1 a)").lineage),
        {"status": "", "text": "Skrevet, men uten status", "reported_on": "2025-05-01"},
    )
    assert response.status_code == 200
    assert "Skrevet, men uten status" in response.text
    assert "Feltet er påkrevet." in response.text
    assert not StatusReport.objects.exists()


def test_our_measures_for_a_body(client, plan_world):
    page = reverse(
        "actionplan:body_measures", args=[plan_world.community.slug, plan_world.council.slug]
    )
    response = client.get(page)
    assert "1 a)" in response.text and "1 b)" in response.text
    assert "3 a)" not in response.text
    client.force_login(plan_world.chair)
    response = client.get(reverse("actionplan:my_measures", args=[plan_world.community.slug]))
    assert response.status_code == 302 and response["Location"] == page


def test_timeline_lists_every_measure_as_a_table_and_a_picture(client, plan_world):
    response = client.get(url("timeline", plan_world))
    assert response.status_code == 200
    assert response.text.count("<rect") == 5  # 1 a) 2022, 1 b) 2023+2024, 2 2030, 3 a) 2023
    assert '<th scope="col">2030</th>' in response.text


def test_secretariat_revision_pages_are_refused_to_others(client, plan_world):
    start = url("revision_start", plan_world)
    client.force_login(plan_world.chair)
    assert client.post(start).status_code == 403
    client.force_login(plan_world.outsider)
    assert client.post(start).status_code == 404
    client.force_login(plan_world.secretariat)
    response = client.post(start)
    assert response.status_code == 302
    draft = plan_world.plan.versions.get(status="draft")
    edit = url("measure_edit", plan_world, draft.number, _measure(plan_world, "1 a)").lineage)
    client.force_login(plan_world.chair)
    assert client.get(edit).status_code == 403
    client.force_login(plan_world.secretariat)
    response = client.post(
        edit,
        {
            "goal": draft.goals.get(code="1").pk,
            "code": "1 a)",
            "text": "Endret tekst",
            "years": "2022, tjuetre",
            "responsible_text": "",
            "note": "",
            "references": "",
        },
    )
    assert response.status_code == 200
    assert "Skriv årene som tall" in response.text
    assert 'value="2022, tjuetre"' in response.text
    # An adopted version cannot be edited through the draft pages.
    old = url(
        "measure_edit", plan_world, plan_world.version.number, _measure(plan_world, "1 a)").lineage
    )
    assert client.get(old).status_code == 404


def test_versions_page_shows_the_diff(client, plan_world):
    draft = services.revision_start(actor=plan_world.secretariat, plan=plan_world.plan)
    services.measure_retire(actor=plan_world.secretariat, measure=draft.measures.get(code="2"))
    client.force_login(plan_world.member)
    response = client.get(url("versions", plan_world, fra=1, til=2))
    assert "Tiltak: 0 nye, 0 endret, 1 fjernet." in response.text
    assert "Felles rutine for utskrivning" in response.text
    client.logout()
    assert client.get(url("versions", plan_world, fra=1, til=2)).status_code == 404


def test_status_report_pdf_and_spreadsheet_read_back(client, plan_world):
    services.status_report(
        actor=plan_world.chair,
        measure=_measure(plan_world, "1 a)"),
        status="completed",
        text="Rutinen er vedtatt i ASU",
    )
    client.force_login(plan_world.member)
    response = client.get(url("status_pdf", plan_world))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="statusrapport-')
    pages = PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Statusrapport til ASU" in text
    assert "1 av 4 tiltak er fullført (25 %)" in text
    assert "Rutinen er vedtatt i ASU" in text
    for code in ["1 a)", "1 b)", "3 a)"]:
        assert code in text
    response = client.get(url("status_xlsx", plan_world))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book["Status"].iter_rows(min_row=4, values_only=True))
    by_code = {row[2]: row for row in rows}
    assert by_code["1 a)"][6] == "Fullført"
    assert by_code["1 a)"][8] == "Rutinen er vedtatt i ASU"
    assert by_code["3 a)"][9] == "Ja"  # 2023 has passed
    assert len(rows) == 4


def test_import_page_lists_row_errors_and_stores_nothing(client, plan_world):
    import json

    from .conftest import small_plan

    data = small_plan("draft")
    data["focus_areas"][0]["goals"][0]["measures"][0]["responsible"] = ["Fagråd 42"]
    upload = io.BytesIO(json.dumps(data).encode())
    upload.name = "plan.json"
    client.force_login(plan_world.secretariat)
    response = client.post(url("import_version", plan_world), {"file": upload})
    assert response.status_code == 200
    assert "Tiltak 1 a): Fant ikke organet «Fagråd 42»." in response.text
    assert plan_world.plan.versions.count() == 1
    client.force_login(plan_world.chair)
    assert client.get(url("import_version", plan_world)).status_code == 403


def test_plan_pages_stay_under_20_queries(client, plan_world, django_assert_max_num_queries):
    client.force_login(plan_world.member)
    for name in ["plan", "timeline", "progress", "versions"]:
        with django_assert_max_num_queries(20):
            assert client.get(url(name, plan_world)).status_code == 200
    with django_assert_max_num_queries(20):
        client.get(url("measure", plan_world, _measure(plan_world, "1 b)").lineage))


def test_pages_of_one_community_never_show_another_communitys_plan(client, plan_world):
    page = reverse("actionplan:plan", args=[plan_world.other_community.slug, plan_world.plan.slug])
    client.force_login(plan_world.secretariat)
    assert client.get(page).status_code == 404
    listing = client.get(reverse("actionplan:plans", args=[plan_world.other_community.slug]))
    assert "Handlingsplan for Testdalen" not in listing.text
    assert re.search(r"Ingen handlingsplan er publisert", listing.text)


def test_a_plan_of_49_measures_needs_no_more_queries(
    client, plan_world, django_assert_max_num_queries
):
    import json
    from pathlib import Path

    data = json.loads(
        (
            Path(__file__).resolve().parents[2] / "demo" / "data" / "plan_hnt_2022_2025.json"
        ).read_text()
    )
    big = services.plan_import(actor=None, community=plan_world.community, data=data)
    for measure in big.measures.all()[:30]:
        services.status_report(actor=plan_world.secretariat, measure=measure, status="started")
    client.force_login(plan_world.member)
    for name in ["plan", "timeline", "progress", "versions", "status_pdf", "status_xlsx"]:
        page = reverse(f"actionplan:{name}", args=[plan_world.community.slug, big.plan.slug])
        with django_assert_max_num_queries(20):
            assert client.get(page).status_code == 200


def test_secretariat_publishes_the_status(client, plan_world):
    page = url("status_publish", plan_world)
    client.force_login(plan_world.chair)
    assert client.post(page, {"public": "1"}).status_code == 403
    client.force_login(plan_world.secretariat)
    assert client.post(page, {"public": "1"}).status_code == 302
    plan_world.plan.refresh_from_db()
    assert plan_world.plan.status_is_public
    client.logout()
    assert client.get(url("progress", plan_world)).status_code == 200


def test_goal_pages_of_a_draft(client, plan_world):
    draft = services.revision_start(actor=plan_world.secretariat, plan=plan_world.plan)
    page = url("goal_create", plan_world, draft.number)
    client.force_login(plan_world.chair)
    assert client.get(page).status_code == 403
    client.force_login(plan_world.secretariat)
    area = draft.focus_areas.get(code="2")
    response = client.post(page, {"focus_area": area.pk, "code": "3", "title": "Dublett"})
    assert response.status_code == 200
    assert "Nummeret er allerede brukt i denne versjonen av planen." in response.text
    assert 'id="id_code_error"' in response.text  # on the field, not at the top of the form
    response = client.post(page, {"focus_area": area.pk, "code": "4", "title": "Nytt mål"})
    assert response.status_code == 302
    assert draft.goals.filter(code="4", focus_area=area).exists()


def test_unpublished_status_stays_off_the_timeline(client, plan_world):
    services.status_report(
        actor=plan_world.chair, measure=_measure(plan_world, "1 a)"), status="completed"
    )
    response = client.get(url("timeline", plan_world))
    assert "Fullført" not in response.text
    assert "hf-bar--completed" not in response.text


def test_the_measure_page_names_no_draft_and_no_reporter_to_the_public(client, plan_world):
    plan_world.plan.status_is_public = True
    plan_world.plan.save()
    measure = _measure(plan_world, "1 a)")
    services.status_report(
        actor=plan_world.chair, measure=measure, status="started", body=plan_world.council
    )
    draft = services.revision_start(actor=plan_world.secretariat, plan=plan_world.plan)
    page = url("measure", plan_world, measure.lineage)
    response = client.get(page)
    assert draft.label not in response.text
    assert str(plan_world.chair) not in response.text
    assert plan_world.chair.email not in response.text
    client.force_login(plan_world.member)
    response = client.get(page)
    assert draft.label in response.text
    assert str(plan_world.chair) in response.text


def test_the_status_form_offers_only_bodies_with_a_reporting_seat(client, plan_world):
    from helsefellesskap.organisation.tests.factories import MembershipFactory

    MembershipFactory(body=plan_world.asu, person=plan_world.chair.people.get(), role="observer")
    measure = _measure(plan_world, "1 b)")  # the council and ASU are responsible
    client.force_login(plan_world.chair)
    page = url("measure", plan_world, measure.lineage)
    response = client.get(page)
    assert f'<option value="{plan_world.council.pk}"' in response.text
    assert f'<option value="{plan_world.asu.pk}"' not in response.text
    response = client.post(
        page, {"status": "started", "reported_on": "2025-05-01", "body": plan_world.asu.pk}
    )
    assert response.status_code == 200
    assert not StatusReport.objects.exists()


def test_the_status_pdf_is_made_once_until_its_data_change(client, plan_world, monkeypatch):
    """Making a PDF costs WeasyPrint a second or two: a repeat of the same report is served
    from the cache, and a new status report makes a new PDF."""
    import weasyprint

    made = []
    real = weasyprint.HTML.write_pdf
    monkeypatch.setattr(
        weasyprint.HTML, "write_pdf", lambda self, *a, **k: made.append(1) or real(self, *a, **k)
    )
    client.force_login(plan_world.member)
    first = b"".join(client.get(url("status_pdf", plan_world)).streaming_content)
    second = b"".join(client.get(url("status_pdf", plan_world)).streaming_content)
    assert first == second and len(made) == 1
    services.status_report(
        actor=plan_world.chair,
        measure=_measure(plan_world, "1 a)"),
        status="completed",
        text="Rutinen er vedtatt i ASU",
    )
    third = b"".join(client.get(url("status_pdf", plan_world)).streaming_content)
    assert len(made) == 2
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(third)).pages)
    assert "Rutinen er vedtatt i ASU" in " ".join(text.split())
