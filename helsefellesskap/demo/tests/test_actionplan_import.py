"""The two real plans import exactly as the source documents give them, and survive a round trip
through the spreadsheet and the JSON format."""

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from helsefellesskap.actionplan import planfile, services, spreadsheet
from helsefellesskap.actionplan.models import Measure, MeasureYear, PlanVersion
from helsefellesskap.demo.organisation import load_demo
from helsefellesskap.organisation.models import Community

DATA = Path(__file__).resolve().parents[1] / "data"
HNT = DATA / "plan_hnt_2022_2025.json"
STOLAV = DATA / "plan_stolav_2022_2024.json"

pytestmark = pytest.mark.django_db

HNT_GOAL_MEASURES = {
    "1": ["1 a)", "1 b)", "1 c)", "1 d)", "1 e)", "1 f)"],
    "2": ["2 a)", "2 b)"],
    "3": ["3 c)", "3 d)"],
    "4": ["4 a)", "4 b)"],
    "5": ["5"],
    "6": ["6 a)", "6 b)", "6 c)", "6 d)"],
    "7": ["7"],
    "8": ["8"],
    "9": ["9 a)", "9 b)", "9 c)"],
    "10": ["10 a)", "10 b)"],
    "11": ["11 a)", "11 b)", "11 c)"],
    "12": ["12 a)", "12 b)"],
    "13": ["13 a)", "13 b)", "13 c)"],
    "14": ["14 a)", "14 b)", "14 c)"],
    "15": ["15"],
    "16": ["16 a)", "16 b)", "16 c)"],
    "17": ["17 a)", "17 b)"],
    "18": ["18 a)", "18 b)"],
    "19": ["19 a)", "19 b)", "19 c)"],
    "20": ["20"],
    "21": ["21 a)", "21 b)"],
}


@pytest.fixture
def communities(db):
    load_demo()
    return {c.slug: c for c in Community.objects.all()}


def _import(community, path):
    return services.plan_import(
        actor=None, community=community, data=json.loads(path.read_text(encoding="utf-8"))
    )


def test_hnt_plan_has_the_sources_structure(communities):
    version = _import(communities["nordre-trondelag"], HNT)
    plan = version.plan
    assert plan.motto == "Helhetlige helsetjenester – med pasienten som aktiv deltaker"
    assert (plan.period_start, plan.period_end) == (2022, 2025)
    assert version.status == PlanVersion.Status.ADOPTED and version.is_current
    assert version.adopted_by.short_name == "PSU"
    assert version.recommended_by.short_name == "ASU"
    assert str(version.adopted_on) == "2022-03-30"
    assert list(version.focus_areas.values_list("title", flat=True)) == [
        "Helhetlige og sammenhengende pasientforløp",
        "Møte framtidens utfordringer i fellesskap",
        "Involvering, forankring og samhandling",
    ]
    goals = list(version.goals.order_by("order").values_list("code", flat=True))
    assert goals == [str(n) for n in range(1, 22)]
    structure = {}
    for measure in version.measures.select_related("goal").order_by("order"):
        structure.setdefault(measure.goal.code, []).append(measure.code)
    assert structure == HNT_GOAL_MEASURES
    assert version.measures.count() == 49
    years = dict(
        MeasureYear.objects.filter(measure__version=version).values_list("measure__code", "year")
    )
    assert years["1 a)"] == 2022 and years["6 c)"] == 2024 and years["14 c)"] == 2024
    assert years["9 c)"] == 2023
    assert "9 a)" not in years and "9 b)" not in years  # the source gives them no year
    assert len(years) == 47
    first = version.measures.get(code="1 a)")
    assert first.text == "Prioritere oppstart av pasientgruppen skrøpelige eldre"
    assert first.priority_groups == ["frail_elderly"]


def test_stolav_plan_imports_every_section_goal_and_measure(communities):
    source = json.loads(STOLAV.read_text(encoding="utf-8"))
    version = _import(communities["st-olavs"], STOLAV)
    expected = [
        (area["code"], goal["code"], measure["code"])
        for area in source["focus_areas"]
        for goal in area["goals"]
        for measure in goal["measures"]
    ]
    stored = list(
        Measure.objects.filter(version=version)
        .order_by("order")
        .values_list("goal__focus_area__code", "goal__code", "code")
    )
    assert stored == expected
    assert [a["code"] for a in source["focus_areas"]] == ["0", "1", "2", "3", "4", "5", "6"]
    codes = [code for _a, _g, code in stored]
    for code in ["0.1.1", "0.6.1", "2.1.2A"]:
        assert code in codes
    owners = {
        m.code: {b.name for b in m.responsible_bodies.all()}
        for m in version.measures.prefetch_related("responsible_bodies")
    }
    assert "Sekretariatet i helsefellesskapet" in owners["0.1.1"]
    with_owner = sum(1 for bodies in owners.values() if bodies)
    assert with_owner >= 0.8 * len(owners)


@pytest.mark.parametrize("path,slug", [(HNT, "nordre-trondelag"), (STOLAV, "st-olavs")])
def test_import_export_import_is_lossless(communities, path, slug):
    community = communities[slug]
    first = _import(community, path)
    exported = planfile.version_to_data(first)
    workbook = spreadsheet.data_to_workbook(exported)
    read_back, errors = spreadsheet.workbook_to_data(workbook)
    assert not errors, errors.as_text()
    assert read_back == json.loads(json.dumps(exported))
    clean, errors = planfile.validate(read_back, community)
    assert not errors
    second = services.plan_import(actor=None, community=community, data=read_back)
    again = planfile.version_to_data(second)
    assert again == exported
    # And the JSON form of the same round trip.
    assert (
        planfile.version_to_data(
            services.plan_import(
                actor=None, community=community, data=json.loads(json.dumps(again))
            )
        )
        == exported
    )


def test_a_bad_file_lists_row_errors_in_norwegian_and_stores_nothing(communities):
    community = communities["nordre-trondelag"]
    data = json.loads(HNT.read_text(encoding="utf-8"))
    goal = data["focus_areas"][0]["goals"][0]
    goal["measures"][1]["code"] = goal["measures"][0]["code"]
    goal["measures"][2]["text"] = ""
    goal["measures"][3]["responsible"] = ["Fagråd 9"]
    goal["measures"][4]["years"] = {"tjueto": ""}
    goal["measures"][5]["references"] = ["99.9"]
    with pytest.raises(services.PlanImportError) as error:
        services.plan_import(actor=None, community=community, data=data)
    messages = error.value.errors.as_text()
    assert "Tiltak 1 a): Nummeret er brukt før." in messages
    assert "Tiltak 1 c): Tiltaket mangler tekst." in messages
    assert "Tiltak 1 d): Fant ikke organet «Fagråd 9»." in messages
    assert "Tiltak 1 e): «tjueto» er ikke et årstall." in messages
    assert "Tiltak 1 f): Henvisningen «99.9» finnes ikke i planen." in messages
    assert not PlanVersion.objects.exists()


def test_a_spreadsheet_with_a_bad_row_names_the_row(communities):
    community = communities["nordre-trondelag"]
    version = _import(community, HNT)
    data = planfile.version_to_data(version)
    data["focus_areas"][0]["code"] = "9"  # rows now point at a focus area that is not there
    raw = spreadsheet.data_to_workbook(data)

    book = load_workbook(io.BytesIO(raw))
    book["Innsatsområder"]["A2"] = "1"
    out = io.BytesIO()
    book.save(out)
    read, errors = spreadsheet.workbook_to_data(out.getvalue())
    assert read is None
    assert "Rad 2: Innsatsområdet «9» finnes ikke." in errors.as_text()


def test_not_a_spreadsheet(db):
    read, errors = spreadsheet.workbook_to_data(b"not a workbook")
    assert read is None
    assert errors.as_text() == ["Filen: Filen er ikke et regneark (.xlsx)."]
