"""Loading figures: every message a table can get, preview then apply, the same file twice,
nothing stored when a row fails, population tables, and event files computed and deleted."""

import datetime
import io
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from helsefellesskap.indicators import loads, services, synthetic
from helsefellesskap.indicators.models import (
    DataLoad,
    Frequency,
    Indicator,
    Observation,
    Population,
    Source,
)
from helsefellesskap.organisation.models import Body, Membership
from helsefellesskap.organisation.tests.factories import (
    BodyFactory,
    MembershipFactory,
    PartyFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Kind, Status = DataLoad.Kind, DataLoad.Status
HEADER = "indikator;kommune;periode;teller;nevner;aldersgruppe;kjønn;prioritert_gruppe"


def definition(community=None, **values) -> Indicator:
    defaults = {
        "code": "andel",
        "name": "En andel",
        "numerator_text": "teller",
        "denominator_text": "nevner",
        "unit": "prosent",
        "source": Source.NPR,
        "frequency": Frequency.HALF_YEAR,
        "is_proportion": True,
    }
    return Indicator.objects.create(community=community, **{**defaults, **values})


@pytest.fixture(autouse=True)
def event_dir(settings, tmp_path):
    settings.INDICATOR_EVENT_DIR = tmp_path / "events"
    return settings.INDICATOR_EVENT_DIR


@pytest.fixture
def setup(world):
    """The test world with a second municipality, a national proportion, the community's own
    yearly rate, and an analyst (a member of the analysis group)."""
    PartyFactory(community=world.community, name="Nabo kommune", municipality_number="5006")
    PartyFactory(community=world.other_community, name="Fjern kommune", municipality_number="4601")
    national = definition(code="andel")
    own = definition(
        world.community, code="rate", frequency=Frequency.YEAR, is_proportion=False, factor=1000
    )
    group = BodyFactory(
        community=world.community, kind=Body.Kind.ANALYSIS_GROUP, name="Analysegruppe"
    )
    analyst = UserFactory(email="analytiker@example.no", full_name="Anna Analytiker")
    person = PersonFactory(community=world.community, user=analyst, email=analyst.email)
    MembershipFactory(
        body=group,
        person=person,
        role=Membership.Role.MEMBER,
        representation=Membership.Representation.HOSPITAL,
    )
    world.national, world.own, world.analyst = national, own, analyst
    return world


def upload(world, content, *, name="tall.csv", kind=Kind.AGGREGATE, indicator=None):
    raw = content.encode() if isinstance(content, str) else content
    return services.load_create(
        actor=world.analyst,
        community=world.community,
        kind=kind,
        file_name=name,
        chunks=[raw],
        indicator=indicator,
        enqueue=False,
    )


def preview(world, content, **kwargs) -> DataLoad:
    load = upload(world, content, **kwargs)
    services.load_preview_run(load.pk)
    load.refresh_from_db()
    return load


def apply(world, load) -> DataLoad:
    assert services.load_confirm(actor=world.analyst, load=load)
    services.load_apply_run(load.pk)
    load.refresh_from_db()
    return load


def table(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


GOOD = table(
    "andel;5001;2025-H1;3;10;;;",
    "andel;5006;2025-H1;0;4;;;",
    "rate;5001;2025;12;4000;80+;k;",
)


# --- Every message -------------------------------------------------------------------------------

ERRORS = [
    ("ukjent;5001;2025-H1;1;10;;;", "indikator", "Ukjent indikator «ukjent»"),
    (";5001;2025-H1;1;10;;;", "indikator", "Indikatorkoden mangler"),
    ("andel;4601;2025-H1;1;10;;;", "kommune", "«4601» er ikke en kommune i helsefellesskapet"),
    ("andel;;2025-H1;1;10;;;", "kommune", "Kommunenummeret mangler"),
    ("andel;5001;2025-Q1;1;10;;;", "periode", "«2025-Q1» er ikke en periode"),
    ("andel;5001;2025;1;10;;;", "periode", "som har tall per halvår"),
    ("andel;5001;2025-T2;1;10;;;", "periode", "Perioden 2025-T2 passer ikke"),
    ("andel;5001;2025-H1;-1;10;;;", "teller", "Tallet kan ikke være negativt (-1)"),
    ("andel;5001;2025-H1;1,5;10;;;", "teller", "«1,5» er ikke et helt tall"),
    ("andel;5001;2025-H1;1;ti;;;", "nevner", "«ti» er ikke et helt tall"),
    ("andel;5001;2025-H1;;10;;;", "teller", "Telleren mangler"),
    ("andel;5001;2025-H1;1;;;;", "nevner", "Nevneren mangler"),
    ("rate;5001;2025;1;0;;;", "nevner", "Nevneren må være større enn 0"),
    ("andel;5001;2025-H1;11;10;;;", "teller", "Telleren (11) er større enn nevneren (10)"),
    ("andel;5001;2025-H1;1;10;0-69;;", "aldersgruppe", "«0-69» er ikke en aldersgruppe"),
    ("andel;5001;2025-H1;1;10;;x;", "kjønn", "«x» er ikke et kjønn"),
    ("andel;5001;2025-H1;1;10;;;voksne", "prioritert_gruppe", "ikke en prioritert pasientgruppe"),
]


@pytest.mark.parametrize(("row", "column", "message"), ERRORS, ids=[e[2] for e in ERRORS])
def test_every_row_error_names_its_row_and_column(setup, row, column, message):
    load = preview(setup, table("andel;5006;2025-H1;1;10;;;", row))
    assert load.status == Status.FAILED
    assert len(load.errors) == 1, load.errors
    [error] = load.errors
    assert (error["row"], error["column"]) == (3, column)
    assert message in error["message"]


def test_the_same_cell_twice_names_the_first_row(setup):
    load = preview(setup, table("andel;5001;2025-H1;1;10;;;", "andel;5001;2025-h1;2;10;;;"))
    assert [(e["row"], e["message"]) for e in load.errors] == [
        (3, "Samme celle som rad 2 (samme kommune, periode og fordeling).")
    ]


FILE_ERRORS = [
    ("tall.csv", "kommune;periode;teller\n5001;2025;1\n", "mangler kolonnen eller kolonnene"),
    ("tall.csv", "\n\n", "Filen er tom"),
    ("tall.xlsx", "ikke et regneark", "kan ikke leses som et regneark"),
    ("tall.json", '{"class": "dataset"}', "ikke et JSON-stat 2.0-datasett"),
    (
        "ssb.csv",
        "region;tid;statistikkvariabel;value\n5001;2024;Teller;3\n",
        "velg i skjemaet hvilken indikator",
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "message"), FILE_ERRORS, ids=[e[2] for e in FILE_ERRORS]
)
def test_a_file_that_cannot_be_read_gets_one_message(setup, name, content, message):
    load = preview(setup, content, name=name)
    assert load.status == Status.FAILED
    assert [e["row"] for e in load.errors] == [0]
    assert message in load.errors[0]["message"]


def test_a_rate_may_have_a_numerator_above_its_denominator(setup):
    load = preview(setup, table("rate;5001;2025;12;10;;;"))
    assert load.status == Status.PREVIEW


def test_finer_periods_that_nest_are_taken(setup):
    load = preview(setup, table("rate;5001;2025-H1;1;10;;;", "rate;5001;2025-T3;1;10;;;",
                                "andel;5001;2025-03;1;10;;;"))  # fmt: skip
    assert load.status == Status.PREVIEW, load.errors


def test_the_communitys_own_definition_wins_over_a_national_one_with_the_same_code(setup):
    own_andel = definition(setup.community, code="andel", frequency=Frequency.YEAR)
    load = apply(setup, preview(setup, table("andel;5001;2025;1;10;;;")))
    assert load.status == Status.DONE
    assert Observation.objects.get().indicator == own_andel


# --- Preview, apply, and loading the same file again ---------------------------------------------


def test_a_preview_stores_nothing_and_the_apply_stores_every_cell(setup, event_dir):
    load = preview(setup, GOOD)
    assert load.status == Status.PREVIEW
    assert (load.summary["new"], load.summary["changed"], load.summary["unchanged"]) == (3, 0, 0)
    assert load.summary["periods"] == ["2025", "2025-H1"]
    assert not Observation.objects.exists()
    assert list(event_dir.iterdir()), "the table waits in the protected folder for the apply"

    load = apply(setup, load)
    assert load.status == Status.DONE
    cells = {
        (o.indicator.code, o.municipality.municipality_number, o.period, o.age_band, o.sex): (
            o.numerator,
            o.denominator,
            o.period_kind,
            o.period_start,
        )
        for o in Observation.objects.select_related("indicator", "municipality")
    }
    assert cells == {
        ("andel", "5001", "2025-H1", "", ""): (3, 10, "half", datetime.date(2025, 1, 1)),
        ("andel", "5006", "2025-H1", "", ""): (0, 4, "half", datetime.date(2025, 1, 1)),
        ("rate", "5001", "2025", "80+", "f"): (12, 4000, "year", datetime.date(2025, 1, 1)),
    }
    assert set(Observation.objects.values_list("load", flat=True)) == {load.pk}
    assert set(Observation.objects.values_list("community", flat=True)) == {setup.community.pk}
    assert not list(event_dir.iterdir()), "the file is deleted once it is stored"
    assert not load.stored_path


def test_loading_the_same_file_twice_changes_nothing(setup):
    first = apply(setup, preview(setup, GOOD))
    stored = list(Observation.objects.values_list("pk", "numerator", "denominator", "load"))

    again = preview(setup, GOOD)
    assert again.content_hash == first.content_hash
    assert (again.summary["new"], again.summary["changed"], again.summary["unchanged"]) == (0, 0, 3)
    assert again.summary["same_file_loaded"]
    again = apply(setup, again)
    assert (again.summary["new"], again.summary["changed"]) == (0, 0)
    assert list(Observation.objects.values_list("pk", "numerator", "denominator", "load")) == stored


def test_a_changed_cell_is_previewed_with_its_old_and_new_value(setup):
    apply(setup, preview(setup, GOOD))
    load = preview(setup, table("andel;5001;2025-H1;4;10;;;", "andel;5001;2025-H2;1;9;;;"))
    assert (load.summary["new"], load.summary["changed"], load.summary["unchanged"]) == (1, 1, 0)
    assert load.summary["changes"] == [
        {
            "municipality": "Testby kommune",
            "group": "andel 2025-H1",
            "breakdown": "alle",
            "old": "3 / 10",
            "new": "4 / 10",
        }
    ]
    assert (
        Observation.objects.get(
            period="2025-H1", municipality__municipality_number="5001"
        ).numerator
        == 3
    )
    apply(setup, load)
    assert (
        Observation.objects.get(
            period="2025-H1", municipality__municipality_number="5001"
        ).numerator
        == 4
    )
    assert Observation.objects.count() == 4


def test_nothing_is_stored_when_one_row_fails(setup, event_dir):
    rows = [f"andel;5001;{year}-H1;1;10;;;" for year in range(2001, 2021)]
    load = preview(setup, table(*rows, "andel;5001;2025-H1;1;-10;;;"))
    assert load.status == Status.FAILED
    assert [e["row"] for e in load.errors] == [22]
    assert not Observation.objects.exists()
    assert not list(event_dir.iterdir())
    assert services.load_confirm(actor=setup.analyst, load=load) is False


def test_at_most_fifty_messages_are_kept_and_the_rest_counted(setup):
    rows = [f"ukjent;5001;2025-H1;1;10;;;{n}" for n in range(70)]
    load = preview(setup, table(*rows))
    assert len(load.errors) == loads.MAX_SHOWN
    assert load.summary["more_errors"] == 70 * 2 - loads.MAX_SHOWN  # indicator and group each


def test_a_table_checked_again_at_apply_fails_if_its_definition_changed(setup):
    load = preview(setup, table("andel;5001;2025-03;1;10;;;"))
    setup.national.delete()
    load = apply(setup, load)
    assert load.status == Status.FAILED
    assert "Ukjent indikator" in load.errors[0]["message"]
    assert not Observation.objects.exists()


def test_a_confirmed_load_is_applied_once(setup):
    load = preview(setup, GOOD)
    assert services.load_confirm(actor=setup.analyst, load=load)
    assert not services.load_confirm(actor=setup.analyst, load=load)
    services.load_apply_run(load.pk)
    services.load_apply_run(load.pk)  # the worker ran it again after a lost lease
    assert Observation.objects.count() == 3


def test_a_discarded_load_goes_with_its_file(setup, event_dir):
    load = preview(setup, GOOD)
    assert services.load_discard(actor=setup.analyst, load=load)
    assert not DataLoad.objects.exists()
    assert not list(event_dir.iterdir())


def test_the_tasks_run_when_the_upload_commits(setup, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        load = services.load_create(
            actor=setup.analyst,
            community=setup.community,
            kind=Kind.AGGREGATE,
            file_name="tall.csv",
            chunks=[GOOD.encode()],
        )
    load.refresh_from_db()
    assert load.status == Status.PREVIEW
    with django_capture_on_commit_callbacks(execute=True):
        services.load_confirm(actor=setup.analyst, load=load)
    load.refresh_from_db()
    assert load.status == Status.DONE
    assert Observation.objects.count() == 3


def test_only_the_analysis_group_and_the_secretariat_may_load(setup):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.load_create(
            actor=setup.member,
            community=setup.community,
            kind=Kind.AGGREGATE,
            file_name="tall.csv",
            chunks=[GOOD.encode()],
        )
    load = preview(setup, GOOD)
    with pytest.raises(PermissionDenied):
        services.load_confirm(actor=setup.member, load=load)
    with pytest.raises(PermissionDenied):
        services.load_discard(actor=setup.outsider, load=load)


# --- Other shapes --------------------------------------------------------------------------------


def test_a_spreadsheet_with_dates_and_numbers_as_excel_writes_them(setup):
    book = Workbook()
    sheet = book.active
    sheet.append(["Indikator", "Kommune", "Periode", "Teller", "Nevner"])
    sheet.append(["andel", 5001, datetime.datetime(2025, 3, 1), 3, 10.0])
    sheet.append(["rate", "5006", 2025, 7, 4000])
    sheet.append([None, None, None, None, None])
    raw = io.BytesIO()
    book.save(raw)
    load = apply(setup, preview(setup, raw.getvalue(), name="tall.xlsx"))
    assert load.status == Status.DONE, load.errors
    assert set(Observation.objects.values_list("period", "numerator")) == {
        ("2025-03", 3),
        ("2025", 7),
    }


def test_comma_separated_utf8_with_byte_order_mark(setup):
    content = "\ufeffIndicator,Municipality,Period,Numerator,Denominator\nandel,5001,2025-H2,1,2\n"
    load = preview(setup, content)
    assert load.status == Status.PREVIEW, load.errors


SSB_CSV = """"region";"kjønn";"alder";"tid";"statistikkvariabel";"12345: Andel med noe"
"5001 Testby";"Begge kjønn";"Alle aldre";"2024";"Teller";"12"
"5001 Testby";"Begge kjønn";"Alle aldre";"2024";"Nevner";"3 400"
"5001 Testby";"Begge kjønn";"Alle aldre";"2024";"Andel (prosent)";"0,4"
"K-5006";"Kvinner";"80 år og eldre";"2024";"Teller";":"
"K-5006";"Kvinner";"80 år og eldre";"2024";"Nevner";"40"
"K-5006";"Menn";"0-17 år";"2024";"Teller";"-"
"K-5006";"Menn";"0-17 år";"2024";"Nevner";"900"
"""


def test_a_statistics_bank_table_pairs_numerator_and_denominator_rows(setup):
    load = apply(setup, preview(setup, SSB_CSV.encode("cp1252"), indicator=setup.own))
    assert load.status == Status.DONE, load.errors
    assert load.summary["skipped"] == 1  # the suppressed cell
    assert set(Observation.objects.values_list("municipality__municipality_number", "age_band",
                                               "sex", "numerator", "denominator")) == {
        ("5001", "", "", 12, 3400),
        ("5006", "0-17", "m", 0, 900),
    }  # fmt: skip


def test_a_statistics_bank_cell_without_its_denominator_is_an_error(setup):
    content = "region;tid;statistikkvariabel;value\n5001;2024;Teller;3\n5006;2024;Nevner;9\n"
    load = preview(setup, content, indicator=setup.own)
    assert [(e["row"], e["message"]) for e in load.errors] == [
        (2, "Tabellen har teller, men ikke nevner, for denne cellen."),
        (3, "Tabellen har nevner, men ikke teller, for denne cellen."),
    ]


def jsonstat(ids, categories, values) -> str:
    return json.dumps(
        {
            "version": "2.0",
            "class": "dataset",
            "id": ids,
            "size": [len(c) for c in categories.values()],
            "dimension": {
                name: {"category": {"index": list(codes), "label": codes}}
                for name, codes in categories.items()
            },
            "value": values,
        }
    )


def test_a_jsonstat_dataset_is_read_as_the_long_table(setup):
    content = jsonstat(
        ["Region", "Tid", "ContentsCode"],
        {
            "Region": {"5001": "Testby", "5006": "Nabo"},
            "Tid": {"2024": "2024"},
            "ContentsCode": {"T": "Teller", "N": "Nevner"},
        },
        [5, 50, 6, 60],
    )
    load = preview(setup, content, name="tabell.json", indicator=setup.own)
    assert load.status == Status.PREVIEW, load.errors
    assert load.summary["new"] == 2


# --- Population ----------------------------------------------------------------------------------


def test_population_by_single_years_is_added_up_into_the_bands(setup):
    content = (
        "kommune;år;kjønn;alder;antall\n"
        "5001;2024;k;0 år;10\n5001;2024;k;17 år;5\n5001;2024;k;18 år;7\n"
        "5001;2024;m;105 år eller eldre;1\n5001;2024;m;80+;2\n"
    )
    load = apply(setup, preview(setup, content, kind=Kind.POPULATION))
    assert load.status == Status.DONE, load.errors
    assert set(Population.objects.values_list("year", "sex", "age_band", "count")) == {
        (2024, "f", "0-17", 15),
        (2024, "f", "18-49", 7),
        (2024, "m", "80+", 3),
    }


def test_a_population_table_from_statistics_norway_as_jsonstat(setup):
    content = jsonstat(
        ["Region", "Kjonn", "Alder", "ContentsCode", "Tid"],
        {
            "Region": {"5001": "Testby"},
            "Kjonn": {"1": "Menn", "2": "Kvinner"},
            "Alder": {"000": "0 år", "105+": "105 år eller eldre"},
            "ContentsCode": {"Personer1": "Personer"},
            "Tid": {"2024": "2024"},
        },
        [10, 20, 30, 40],
    )
    load = apply(setup, preview(setup, content, name="07459.json", kind=Kind.POPULATION))
    assert load.status == Status.DONE, load.errors
    assert set(Population.objects.values_list("sex", "age_band", "count")) == {
        ("m", "0-17", 10), ("m", "80+", 20), ("f", "0-17", 30), ("f", "80+", 40)
    }  # fmt: skip


POPULATION_ERRORS = [
    ("5001;2024;;0-17;10", "kjønn", "må være fordelt på kvinner og menn"),
    ("5001;2024;k;;10", "aldersgruppe", "må være fordelt på aldersgrupper"),
    ("5001;2024;k;60-75;10", "aldersgruppe", "«60-75» er ikke en aldersgruppe"),
    ("5001;24;k;0-17;10", "år", "«24» er ikke et årstall"),
    ("5001;2024;k;0-17;-1", "antall", "Tallet kan ikke være negativt"),
    ("5001;2024;m;80+;1", "", "Samme celle som rad 2"),
]


@pytest.mark.parametrize(
    ("row", "column", "message"), POPULATION_ERRORS, ids=[e[2] for e in POPULATION_ERRORS]
)
def test_every_population_error(setup, row, column, message):
    content = f"kommune;år;kjønn;aldersgruppe;antall\n5001;2024;m;80+;1\n{row}\n"
    load = preview(setup, content, kind=Kind.POPULATION)
    assert [(e["row"], e["column"]) for e in load.errors] == [(3, column)]
    assert message in load.errors[0]["message"]


def test_loading_the_same_population_twice_changes_nothing(setup):
    content = "kommune;år;kjønn;aldersgruppe;antall\n5001;2024;m;80+;1\n5001;2024;f;80+;2\n"
    apply(setup, preview(setup, content, kind=Kind.POPULATION))
    again = apply(setup, preview(setup, content, kind=Kind.POPULATION))
    assert (again.summary["new"], again.summary["changed"], again.summary["unchanged"]) == (0, 0, 2)


# --- Event files ---------------------------------------------------------------------------------


@pytest.fixture
def computed(setup):
    """The community's population; the computed definitions are the national library's."""
    rows = synthetic.population_rows([("5001", 4000), ("5006", 2500)], [2024])
    population = services_population_csv(rows)
    assert apply(setup, preview(setup, population, kind=Kind.POPULATION)).status == Status.DONE
    return setup


def services_population_csv(rows) -> str:
    lines = ["kommune;år;kjønn;aldersgruppe;antall"]
    lines += [f"{r.municipality};{r.year};{r.sex};{r.age_band};{r.count}" for r in rows]
    return "\n".join(lines) + "\n"


def stays(tmp_path: Path) -> bytes:
    path = tmp_path / "opphold.parquet"
    synthetic.generate_stays(path, municipalities=[("5001", 4000), ("5006", 2500)], years=[2024])
    return path.read_bytes()


def test_an_event_file_is_computed_into_the_communitys_copies_and_deleted(
    computed, tmp_path, event_dir
):
    load = upload(computed, stays(tmp_path), name="opphold.parquet", kind=Kind.EVENTS)
    assert list(event_dir.iterdir())
    services.load_events_run(load.pk)
    load.refresh_from_db()
    assert load.status == Status.DONE, load.errors
    assert not list(event_dir.iterdir()), "the stays are deleted after the computation"
    copies = Indicator.objects.filter(community=computed.community).exclude(computation="")
    assert set(copies.values_list("computation", flat=True)) == set(
        Indicator.Computation.values
    ) - {""}
    assert all(c.copied_from and c.copied_from.is_national and not c.is_published for c in copies)
    observations = Observation.objects.filter(indicator__in=copies)
    assert observations.count() == load.summary["new"] > 0
    assert set(observations.values_list("period", flat=True)) == {"2024-H1", "2024-H2", "2024"}
    text = json.dumps(load.summary) + json.dumps(load.errors)
    assert "p0" not in text, "no pseudonymous id in the load"


def test_the_same_event_file_twice_changes_nothing(computed, tmp_path):
    raw = stays(tmp_path)
    first = upload(computed, raw, name="opphold.parquet", kind=Kind.EVENTS)
    services.load_events_run(first.pk)
    again = upload(computed, raw, name="opphold.parquet", kind=Kind.EVENTS)
    services.load_events_run(again.pk)
    again.refresh_from_db()
    assert (again.summary["new"], again.summary["changed"]) == (0, 0)
    assert again.summary["unchanged"] == Observation.objects.count()


def test_a_bad_event_file_is_deleted_and_stores_nothing(computed, event_dir):
    content = "stay_id,patient_id,municipality\n1,p123,5001\n"
    load = upload(computed, content, name="opphold.csv", kind=Kind.EVENTS)
    services.load_events_run(load.pk)
    load.refresh_from_db()
    assert load.status == Status.FAILED
    assert "mangler" in " ".join(e["message"] for e in load.errors)
    assert "p123" not in json.dumps(load.errors)
    assert not list(event_dir.iterdir())
    assert not Observation.objects.filter(indicator__computation__gt="").exists()


def test_the_event_file_is_deleted_when_the_computation_crashes(
    computed, tmp_path, event_dir, monkeypatch, caplog
):
    from helsefellesskap.indicators import compute

    def crash(*args, **kwargs):
        raise RuntimeError("Conversion error: could not convert 'p0000abcdef'")

    monkeypatch.setattr(compute, "compute_standard_set", crash)
    load = upload(computed, stays(tmp_path), name="opphold.parquet", kind=Kind.EVENTS)
    services.load_events_run(load.pk)
    load.refresh_from_db()
    assert load.status == Status.FAILED
    assert not list(event_dir.iterdir())
    assert "p0000abcdef" not in json.dumps(load.errors) + caplog.text


def test_an_event_file_needs_the_population_first(setup, tmp_path, event_dir):
    load = upload(setup, stays(tmp_path), name="opphold.parquet", kind=Kind.EVENTS)
    services.load_events_run(load.pk)
    load.refresh_from_db()
    assert load.status == Status.FAILED
    assert "befolkningstall" in load.errors[0]["message"]
    assert not list(event_dir.iterdir())
