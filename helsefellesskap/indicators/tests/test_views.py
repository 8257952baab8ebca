"""The pages of steering information: who sees what, the charts and tables, the CSV, the
definitions, the link from the action plan, and the queries each page takes."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helsefellesskap.actionplan.models import Measure
from helsefellesskap.actionplan.tests.conftest import plan_world  # noqa: F401 - fixture
from helsefellesskap.indicators.models import Indicator
from helsefellesskap.organisation.tests.factories import PartyFactory, RegionFactory

from .factories import figures_world, observe

pytestmark = pytest.mark.django_db


@pytest.fixture
def fw(world):
    return figures_world(world)


def url(name, w, *args, **query):
    path = reverse(f"indicators:{name}", args=[w.community.slug, *args])
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return path


def get(client, user, path):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(path)


# --- Who sees what -------------------------------------------------------------------------------

READ_PAGES = [
    ("dashboard", ()),
    ("indicator", ("reinnleggelser",)),
    ("indicator_csv", ("reinnleggelser",)),
    ("definitions", ()),
]


@pytest.mark.parametrize("name,args", READ_PAGES)
@pytest.mark.parametrize("who", [None, "outsider", "member", "secretariat", "analyst", "admin"])
def test_a_published_indicator_of_a_published_community_is_for_everyone(
    client, fw, name, args, who
):
    response = get(client, who and getattr(fw, who), url(name, fw, *args))
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["indicator", "indicator_csv"])
def test_an_unpublished_indicator_is_for_members(client, fw, name):
    fw.readmissions.is_published = False
    fw.readmissions.save()
    page = url(name, fw, "reinnleggelser")
    assert get(client, None, page).status_code == 302  # log in first
    assert get(client, fw.outsider, page).status_code == 404
    assert get(client, fw.member, page).status_code == 200
    assert "Reinnleggelser" not in get(client, None, url("dashboard", fw)).text
    assert "Reinnleggelser" in get(client, fw.member, url("dashboard", fw)).text


@pytest.mark.parametrize("name,args", READ_PAGES)
def test_an_unpublished_community_is_hidden_from_outsiders(client, fw, name, args):
    fw.community.is_published = False
    fw.community.save()
    page = url(name, fw, *args)
    assert get(client, None, page).status_code == 302
    assert get(client, fw.outsider, page).status_code == 404
    assert get(client, fw.member, page).status_code == 200


def test_an_unknown_indicator_is_not_found(client, fw):
    assert get(client, fw.member, url("indicator", fw, "finnes-ikke")).status_code == 404
    assert get(client, None, url("indicator", fw, "finnes-ikke")).status_code == 404


EDIT_PAGES = [
    ("definition_create", ()),
    ("definition_edit", ("reinnleggelser",)),
]


@pytest.mark.parametrize("name,args", EDIT_PAGES)
def test_definitions_are_changed_by_the_analysis_group_and_the_secretariat(client, fw, name, args):
    page = url(name, fw, *args)
    assert get(client, None, page).status_code == 302
    assert get(client, fw.outsider, page).status_code == 404
    assert get(client, fw.member, page).status_code == 403
    assert get(client, fw.chair, page).status_code == 403
    for user in (fw.analyst, fw.secretariat, fw.admin):
        assert get(client, user, page).status_code == 200


def test_copying_a_national_definition_is_for_the_analysis_group(client, fw):
    national = Indicator.objects.get(community=None, code="reinnleggelser-30-dager")
    page = url("definition_copy", fw, national.code)
    client.logout()
    assert client.post(page).status_code == 302
    assert not Indicator.objects.filter(community=fw.community, copied_from=national).exists()
    client.force_login(fw.outsider)
    assert client.post(page).status_code == 404
    client.force_login(fw.member)
    assert client.post(page).status_code == 403
    assert client.get(page).status_code == 405
    client.force_login(fw.analyst)
    response = client.post(page)
    copy = Indicator.objects.get(community=fw.community, copied_from=national)
    assert response.url == url("definition_edit", fw, copy.code)
    assert not copy.is_published
    assert (copy.computation, copy.age_splits) == ("readmission_30d", ["0-69", "70+"])
    response = client.post(page, follow=True)
    assert "har allerede en indikator med koden" in response.text


def test_the_national_library_is_read_only_for_a_community(client, fw):
    national = Indicator.objects.get(community=None, code="storbrukere")
    client.force_login(fw.secretariat)
    page = reverse("indicators:definition_edit", args=[fw.community.slug, national.code])
    assert client.get(page).status_code == 404  # not one of the community's definitions
    response = client.get(url("definitions", fw))
    assert "Storbrukere av sykehus per 1 000 innbyggere" in response.text
    assert "Kopier til fellesskapet" in response.text
    client.force_login(fw.member)
    assert "Kopier til fellesskapet" not in client.get(url("definitions", fw)).text


# --- The indicator page --------------------------------------------------------------------------

SVG_LENGTH = re.compile(r'\s(?:x|y|x1|x2|y1|y2|cx|cy|r|width|height|viewBox|points)="([^"]*)"')


def test_the_indicator_page_draws_bars_with_whiskers_and_a_table_beside(client, fw):
    response = get(client, fw.analyst, url("indicator", fw, "reinnleggelser"))
    html = response.text
    assert html.count('role="img"') >= 2  # the bars and the trend
    assert '<title id="bars-title">' in html and '<desc id="bars-desc">' in html
    assert html.count('class="hf-ind-bar') >= 5  # 3 municipalities, 2 regions (+ legend)
    assert 'class="hf-ind-community"' in html
    assert "hf-ind-whisker" in html
    table = html[html.index("<table") : html.index("</table>")]
    assert "13,4" in table  # the community, with the Norwegian decimal comma
    assert "Signifikant høyere enn fellesskapet" in table  # Bby
    assert "6,6–14,9" in table  # Aby's Wilson interval
    assert "Testby kommune" in table and "ingen data" in table


def test_no_svg_attribute_has_a_decimal_comma(client, fw):
    html = get(client, fw.analyst, url("indicator", fw, "utskrivningsklare")).text
    values = SVG_LENGTH.findall(html)
    assert values
    assert not [
        v for v in values if "," in v and not re.fullmatch(r"[\d.]+,[\d.]+( [\d.]+,[\d.]+)*", v)
    ]
    # Points are "x,y" pairs with decimal points; no number itself has a comma.
    assert not re.search(r'(?:x|y|width|height)="\d+,\d', html)


def test_the_public_page_shows_under_5_and_never_the_number(client, fw):
    html = get(client, None, url("indicator", fw, "reinnleggelser", alder="0-69")).text
    assert "under 5" in html and "prikket" in html
    row = re.search(r"<th scope=\"row\">Cby</th>(.*?)</tr>", html, re.S).group(1)
    assert "under 5" in row and "4,0" not in row and ">2<" not in row
    assert "Der et skjult tall ellers kunne regnes ut" in html


def test_filters_by_period_region_age_and_priority_group(client, fw):
    observe(fw.readmissions, fw.aby, "2025-H1", 8, 40, priority_group="frail_elderly")
    html = get(client, fw.analyst, url("indicator", fw, "reinnleggelser", periode="2024-H2")).text
    assert "Etter kommune og region, 2024-H2" in html
    html = get(
        client, fw.analyst, url("indicator", fw, "reinnleggelser", region=f"r{fw.sor.pk}")
    ).text
    table = html[html.index("<tbody>") : html.index("</tbody>")]
    assert "Cby" in table and "Aby" not in table
    html = get(client, fw.analyst, url("indicator", fw, "reinnleggelser", alder="70%2B")).text
    assert "70 år og eldre" in html and "34,0" in html  # Bby 34 / 100
    html = get(
        client, fw.analyst, url("indicator", fw, "reinnleggelser", gruppe="frail_elderly")
    ).text
    assert "Skrøpelige eldre" in html and "20,0" in html  # Aby 8 / 40
    # Junk falls back to all and the latest period.
    response = get(
        client, fw.analyst, url("indicator", fw, "reinnleggelser", periode="x", alder="y")
    )
    assert response.status_code == 200 and "2025-H1" in response.text


def test_the_csv_has_the_same_suppression_as_the_page(client, fw):
    def rows(user, **query):
        response = get(client, user, url("indicator_csv", fw, "reinnleggelser", **query))
        assert response["Content-Type"].startswith("text/csv")
        text = response.content.decode("utf-8-sig")
        return {(r[1], r[2]): r for r in csv.reader(io.StringIO(text), delimiter=";")}

    public = rows(None, alder="0-69")
    cby = public[("2025-H1", "Cby")]
    assert cby[9] == "under 5" and cby[11] == "under 5" and cby[12] == ""
    assert public[("2025-H1", "Nord")][9] == "prikket"
    analyst = rows(fw.analyst, alder="0-69")
    assert analyst[("2025-H1", "Cby")][9:12] == ["2", "50", "4,00"]
    everyone = rows(None)
    assert everyone[("2025-H1", "Helsefellesskapet Testdalen")][9:12] == ["67", "500", "13,40"]
    assert everyone[("2025-H1", "Bby")][16] == "Signifikant høyere enn fellesskapet"


# --- Definitions ---------------------------------------------------------------------------------


def definition_data(**overrides):
    data = {
        "name": "Andel med individuell plan",
        "code": "individuell-plan",
        "numerator_text": "Med plan",
        "denominator_text": "Alle",
        "is_proportion": "on",
        "factor": "100",
        "unit": "prosent",
        "direction": "higher",
        "source": "kpr",
        "frequency": "year",
        "computation": "",
        "suppress_below": "5",
        "age_splits": ["0-69", "70+"],
        "priority_groups": ["chronic_conditions"],
    }
    return {**data, **overrides}


def test_the_analysis_group_creates_and_edits_a_definition(client, plan_fw):
    w = plan_fw
    client.force_login(w.analyst)
    form = client.get(url("definition_create", w)).text
    measure = Measure.objects.get(version=w.version, code="1 a)")
    assert "Tiltak 1 a): Prioritere skrøpelige eldre" in form
    response = client.post(
        url("definition_create", w), definition_data(measure_lineages=[str(measure.lineage)])
    )
    assert response.status_code == 302
    created = Indicator.objects.get(community=w.community, code="individuell-plan")
    assert created.age_splits == ["0-69", "70+"]
    assert created.measure_lineages == [str(measure.lineage)]
    response = client.post(url("definition_create", w), definition_data())
    assert "finnes allerede" in response.text or "allerede en indikator" in response.text
    response = client.post(
        url("definition_edit", w, created.code),
        definition_data(name="Andel med IP", edit_base=edit_base(client, w, created.code)),
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.name == "Andel med IP"


def edit_base(client, w, code):
    form = client.get(url("definition_edit", w, code)).text
    return re.search(r'name="edit_base" value="([^"]*)"', form).group(1)


def test_a_code_may_not_name_a_page(client, fw):
    client.force_login(fw.analyst)
    response = client.post(url("definition_create", fw), definition_data(code="definisjoner"))
    assert response.status_code == 200
    assert "navnet på en side" in response.text


def test_two_analysts_editing_the_same_definition_do_not_overwrite_each_other(client, fw):
    client.force_login(fw.analyst)
    base = edit_base(client, fw, "reinnleggelser")
    data = definition_data(code="reinnleggelser", name="Reinnleggelser (første)", edit_base=base)
    assert client.post(url("definition_edit", fw, "reinnleggelser"), data).status_code == 302
    data = definition_data(code="reinnleggelser", name="Reinnleggelser (andre)", edit_base=base)
    response = client.post(url("definition_edit", fw, "reinnleggelser"), data)
    assert response.status_code == 200
    assert "Reinnleggelser (første)" in response.text  # what the other person saved
    fw.readmissions.refresh_from_db()
    assert fw.readmissions.name == "Reinnleggelser (første)"


# --- The action plan ------------------------------------------------------------------------------


@pytest.fixture
def plan_fw(fw, plan_world):  # noqa: F811 - the fixture imported above
    """The figures and the small adopted plan of the action plan's tests."""
    return fw


def test_a_measure_linked_to_an_indicator_shows_its_latest_value(client, plan_fw):
    w = plan_fw
    measure = Measure.objects.get(version=w.version, code="1 a)")
    w.readmissions.measure_lineages = [str(measure.lineage)]
    w.readmissions.save()
    other = Measure.objects.get(version=w.version, code="3 a)")
    page = reverse("actionplan:measure", args=[w.community.slug, w.plan.slug, measure.lineage])
    html = client.get(page).text
    assert "Styringsinformasjon" in html and "Reinnleggelser innen 30 dager" in html
    assert "21,6" in html  # 70+: 54 / 250, as on the dashboard
    page = reverse("actionplan:measure", args=[w.community.slug, w.plan.slug, other.lineage])
    assert "Reinnleggelser innen 30 dager" not in client.get(page).text
    # Linked to the goal: every measure of the goal shows it.
    w.readmissions.measure_lineages = [str(measure.goal.lineage)]
    w.readmissions.save()
    sibling = Measure.objects.get(version=w.version, code="1 b)")
    page = reverse("actionplan:measure", args=[w.community.slug, w.plan.slug, sibling.lineage])
    assert "Reinnleggelser innen 30 dager" in client.get(page).text
    # An unpublished indicator is not on the public measure page.
    w.readmissions.is_published = False
    w.readmissions.save()
    assert "Reinnleggelser innen 30 dager" not in client.get(page).text


def test_the_home_page_and_the_menu_lead_to_the_dashboard(client, fw):
    html = client.get(reverse("organisation:community", args=[fw.community.slug])).text
    assert url("dashboard", fw) in html
    html = client.get(url("dashboard", fw)).text
    assert 'aria-current="page">Styringsinformasjon' in html


# --- Queries -------------------------------------------------------------------------------------


def more_data(w, municipalities=20, periods=6):
    """Ten times the municipalities and three times the periods of `figures_world`."""
    region = RegionFactory(community=w.community, name="Vest", order=3)
    for i in range(municipalities):
        party = PartyFactory(
            community=w.community,
            name=f"Vestby {i}",
            municipality_number=f"52{i:02d}",
            region=region,
        )
        for p in range(periods):
            period = f"{2019 + p // 2}-H{p % 2 + 1}"
            for band in ("0-17", "18-49", "50-69", "70-79", "80+"):
                observe(w.readmissions, party, period, 3 + i % 4, 40, age_band=band)
                observe(w.discharge_ready, party, period, 2 + i % 3, 500, age_band=band)


PAGES = [
    ("dashboard", ()),
    ("indicator", ("reinnleggelser",)),
    ("indicator", ("utskrivningsklare",)),
    ("indicator_csv", ("reinnleggelser",)),
    ("definitions", ()),
]


@pytest.mark.parametrize("who", [None, "member", "analyst"])
def test_pages_take_the_same_few_queries_with_ten_times_the_data(
    client, fw, who, django_assert_max_num_queries
):
    user = who and getattr(fw, who)
    if user:
        client.force_login(user)
    before = {}
    for name, args in PAGES:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(name, fw, *args)).status_code == 200
        before[name, args] = len(queries)
    more_data(fw)
    for name, args in PAGES:
        with django_assert_max_num_queries(12):
            response = client.get(url(name, fw, *args))
        assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get(url(name, fw, *args))
        assert len(queries) == before[name, args], (name, args)
