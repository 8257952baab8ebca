"""Deviation statistics, the annual report to ASU and the de-identified export: the figures on a
small known data set, small-number suppression, and who may see what."""

import datetime
import io
import random
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from helsefellesskap.audit.models import AuditEntry
from helsefellesskap.core.workdays import working_days_between
from helsefellesskap.deviations import policies, statistics
from helsefellesskap.deviations.models import Deviation, Theme
from helsefellesskap.organisation.models import Body, Membership
from helsefellesskap.organisation.tests.factories import (
    BodyFactory,
    MembershipFactory,
    PartyFactory,
    PersonFactory,
    UserFactory,
)

from .factories import CategoryFactory, DeviationFactory, ThemeFactory, UnitFactory

pytestmark = pytest.mark.django_db

YEAR = 2025
SECRET = "Pasienten ble sendt hjem uten epikrise og uten medisinliste."


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def stats_world(world):
    """A year of deviations in Testdalen, with the figures each test expects:

    2025: 6 × hospital → Testby kommune (Utskrivning, March, 2 of them to its home care, all
    answered in 4 working days, within the deadline); 3 × Småby kommune → hospital (Legemidler,
    May, to the medical ward; 2 answered after the deadline, 1 still open and overdue);
    1 × GP in Testby → hospital (Utskrivning, May, open and overdue).
    2024: 4 × hospital → Testby kommune (Utskrivning, February).
    Total 2025: 10; 2024: 4."""
    w = SimpleNamespace(**vars(world))
    community = w.community
    w.small_town = PartyFactory(
        community=community, name="Småby kommune", municipality_number="5099"
    )
    w.discharge = CategoryFactory(community=community, name="Utskrivning", order=1)
    w.medication = CategoryFactory(community=community, name="Legemidler", order=2)
    CategoryFactory(community=community, name="Hjelpemidler", order=3)  # in use, no reports
    w.home_care = UnitFactory(party=w.municipality, name="Hjemmetjenesten")
    w.ward = UnitFactory(party=w.hospital, name="Medisinsk avdeling")
    w.theme = ThemeFactory(
        community=community,
        title="Manglende epikrise",
        status=Theme.Status.FOLLOWED_UP,
        follow_up="Tatt opp i fagråd for pasientforløp.",
    )
    base = {"community": community, "description": SECRET}

    march = datetime.date(YEAR, 3, 10)  # a Monday
    for i in range(6):
        DeviationFactory(
            **base,
            number=f"{YEAR}-{i + 1:04d}",
            reporting_party=w.hospital,
            concerned_party=w.municipality,
            handling_party=w.municipality,
            concerned_unit=w.home_care if i < 2 else None,
            category=w.discharge,
            occurred_on=march,
            reported_at=at(march),
            deadline=datetime.date(YEAR, 3, 31),
            answered_at=at(datetime.date(YEAR, 3, 14), 15),  # Friday: 4 working days
            state=Deviation.State.CLOSED if i % 2 else Deviation.State.ANSWERED,
            theme=w.theme if i < 3 else None,
        )
    may = datetime.date(YEAR, 5, 5)
    for i in range(3):
        answered = i < 2
        DeviationFactory(
            **base,
            number=f"{YEAR}-{i + 7:04d}",
            reporting_party=w.small_town,
            concerned_party=w.hospital,
            handling_party=w.hospital,
            concerned_unit=w.ward,
            category=w.medication,
            occurred_on=may,
            reported_at=at(may),
            deadline=datetime.date(YEAR, 5, 26),
            answered_at=at(datetime.date(YEAR, 6, 20)) if answered else None,
            state=Deviation.State.ANSWERED if answered else Deviation.State.REPORTED,
        )
    DeviationFactory(
        **base,
        number=f"{YEAR}-0010",
        reporting_party=w.municipality,
        by_gp=True,
        concerned_party=w.hospital,
        handling_party=w.hospital,
        category=w.discharge,
        occurred_on=may,
        reported_at=at(datetime.date(YEAR, 5, 6)),
        deadline=datetime.date(YEAR, 5, 27),
        state=Deviation.State.IN_PROGRESS,
    )
    for i in range(4):
        DeviationFactory(
            **base,
            number=f"{YEAR - 1}-{i + 1:04d}",
            reporting_party=w.hospital,
            concerned_party=w.municipality,
            handling_party=w.municipality,
            category=w.discharge,
            occurred_on=datetime.date(YEAR - 1, 2, 1),
            reported_at=at(datetime.date(YEAR - 1, 2, 1)),
            deadline=datetime.date(YEAR - 1, 2, 22),
            answered_at=at(datetime.date(YEAR - 1, 2, 5)),
            state=Deviation.State.CLOSED,
        )
    # Another community's deviation never counts here.
    DeviationFactory(community=w.other_community, reported_at=at(march))

    w.asu = BodyFactory(
        community=community, kind=Body.Kind.ADMINISTRATIVE, name="ASU Testdalen", slug="asu"
    )
    w.asu_member = UserFactory(email="asu@example.no", full_name="Aud Asu")
    MembershipFactory(
        body=w.asu,
        person=PersonFactory(community=community, user=w.asu_member, email="asu@example.no"),
        role=Membership.Role.MEMBER,
        representation=Membership.Representation.MUNICIPALITIES,
        party=w.municipality,
    )
    return w


def rows(series, attribute="count"):
    return {row.label: getattr(row, attribute) for row in series.rows}


def shown(series):
    return {row.label: row.shown for row in series.rows}


# --- Figures -------------------------------------------------------------------------------------


def test_figures_on_a_known_data_set(stats_world):
    today = datetime.date(YEAR + 1, 1, 15)
    stats = statistics.year_statistics(stats_world.community, YEAR, suppress=False, today=today)
    assert stats.total == 10
    assert stats.previous_total == 4
    assert stats.change == "+150\u00a0%"
    assert rows(stats.by_category) == {"Utskrivning": 7, "Legemidler": 3, "Hjelpemidler": 0}
    assert rows(stats.by_category, "previous") == {
        "Utskrivning": 4,
        "Legemidler": 0,
        "Hjelpemidler": 0,
    }
    assert rows(stats.by_direction) == {
        "Helseforetak → kommune": 6,
        "Kommune → helseforetak": 3,
        "Fastlege → helseforetak": 1,
        "Annet": 0,
    }
    months = {row.key: (row.count, row.previous) for row in stats.by_month.rows}
    assert len(months) == 12
    assert months[3] == (6, 0)
    assert months[5] == (4, 0)
    assert months[2] == (0, 4)
    assert sum(c for c, _ in months.values()) == 10
    assert rows(stats.by_concerned_party) == {"Testby kommune": 6, "Testdalen HF": 4}
    assert rows(stats.by_reporting_party) == {
        "Testdalen HF": 6,
        "Småby kommune": 3,
        "Testby kommune": 1,
    }
    assert rows(stats.by_unit) == {
        "Medisinsk avdeling (Testdalen HF)": 3,
        "Hjemmetjenesten (Testby kommune)": 2,
        "Ingen enhet oppgitt": 5,
    }
    # Answer times: 8 answered, 6 of them by the deadline (75 %), median 4 working days.
    assert stats.answers.answered == 8
    assert stats.answers.within_deadline == 6
    assert stats.answers.share_within == 75
    assert stats.answers.median_days == 4
    assert stats.previous_answers.answered == 4
    assert stats.previous_answers.share_within == 100
    # Open now: the unanswered Småby report and the GP report, both past their deadline.
    assert (stats.open_now, stats.overdue_now) == (2, 2)
    [theme] = stats.themes
    assert (theme.title, theme.count, theme.status_label) == ("Manglende epikrise", 3, "Følges opp")


def test_the_working_day_counter_agrees_with_working_days_between():
    counter = statistics.WorkingDayCounter(datetime.date(2024, 1, 1))
    rng = random.Random(7)
    for _ in range(300):
        start = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randrange(700))
        end = start + datetime.timedelta(days=rng.randrange(-30, 90))
        if end < datetime.date(2024, 1, 1):
            continue
        assert counter.between(start, end) == working_days_between(start, end), (start, end)


def test_change_text():
    assert statistics.change_text(312, 287) == "+9\u00a0%"
    assert statistics.change_text(90, 100) == "\u221210\u00a0%"
    assert statistics.change_text(5, 5) == "0\u00a0%"
    assert statistics.change_text(5, 0) == ""


def test_small_numbers_for_a_single_municipality_are_suppressed(stats_world):
    hidden = statistics.year_statistics(stats_world.community, YEAR, suppress=True)
    assert shown(hidden.by_reporting_party) == {
        "Testdalen HF": "6",  # not a municipality
        "Småby kommune": "under 5",
        "Testby kommune": "under 5",
    }
    assert shown(hidden.by_concerned_party) == {"Testby kommune": "6", "Testdalen HF": "4"}
    testby = next(r for r in hidden.by_concerned_party.rows if r.label == "Testby kommune")
    assert testby.previous_shown == "under 5"  # 4 in 2024
    assert testby.change == ""  # a change against a hidden number would tell it
    assert shown(hidden.by_unit) == {
        "Medisinsk avdeling (Testdalen HF)": "prikket",  # a hospital unit, but 10 − 3 − 5 = 2
        "Hjemmetjenesten (Testby kommune)": "under 5",
        "Ingen enhet oppgitt": "5",
    }
    # No bar for a hidden number, and hidden rows come last; the totals are of all rows.
    small = next(r for r in hidden.by_reporting_party.rows if r.label == "Småby kommune")
    assert small.bar == 0
    assert [row.label for row in hidden.by_unit.rows] == [
        "Hjemmetjenesten (Testby kommune)",
        "Medisinsk avdeling (Testdalen HF)",
        "Ingen enhet oppgitt",
    ]
    ward = hidden.by_unit.rows[1]
    assert (ward.count, ward.bar) == (3, 0)
    assert hidden.by_reporting_party.total == 10
    assert hidden.by_reporting_party.total_shown == "10"
    assert hidden.has_suppressed

    open_figures = statistics.year_statistics(stats_world.community, YEAR, suppress=False)
    assert shown(open_figures.by_reporting_party)["Småby kommune"] == "3"
    assert not open_figures.has_suppressed


# --- Pages ---------------------------------------------------------------------------------------


def page_url(w, year=YEAR):
    return reverse("deviations:statistics", args=[w.community.slug]) + f"?ar={year}"


def pdf_url(w, year=YEAR):
    return reverse("deviations:annual_report", args=[w.community.slug, year])


def csv_url(w, year=YEAR):
    return reverse("deviations:export_csv", args=[w.community.slug]) + f"?ar={year}"


def test_who_may_see_the_statistics_page(client, stats_world):
    w = stats_world
    for user, status in [
        (w.secretariat, 200),
        (w.asu_member, 200),
        (w.admin, 200),
        (w.member, 403),  # a member of a council, not of ASU
        (w.chair, 403),
        (w.outsider, 404),  # a member of another community
    ]:
        client.force_login(user)
        assert client.get(page_url(w)).status_code == status, user
        assert client.get(pdf_url(w)).status_code == status, user
    client.logout()
    for url in (page_url(w), pdf_url(w), csv_url(w)):
        response = client.get(url)
        assert response.status_code == 302
        assert "logg-inn" in response["Location"]


def test_the_page_suppresses_for_asu_but_not_for_the_secretariat(client, stats_world):
    client.force_login(stats_world.asu_member)
    response = client.get(page_url(stats_world))
    text = response.content.decode()
    assert "Statistikk for samhandlingsavvik 2025" in text
    assert "under 5" in text
    assert 'role="img"' in text
    assert "eksport.csv" not in text  # the export is the secretariat's
    assert SECRET not in text
    client.force_login(stats_world.secretariat)
    text = client.get(page_url(stats_world)).content.decode()
    assert "under 5" not in text
    assert "prikket" not in text
    assert "eksport.csv" in text


def test_only_those_who_see_small_numbers_may_download_the_rows(stats_world):
    """The CSV is one row per deviation, unsuppressed: it must stay with those who see every
    number on the page anyway."""
    w = stats_world
    for user in (w.secretariat, w.asu_member, w.admin, w.member, w.chair, w.outsider):
        if policies.can_export_deviations(user, w.community):
            assert policies.sees_small_numbers(user, w.community), user


def test_the_year_selector_falls_back_to_this_year(client, stats_world):
    client.force_login(stats_world.secretariat)
    response = client.get(page_url(stats_world, year="tull"))
    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year
    assert client.get(pdf_url(stats_world, 1850)).status_code == 404


def test_the_statistics_page_stays_under_20_queries(
    client, stats_world, django_assert_max_num_queries
):
    client.force_login(stats_world.asu_member)
    with django_assert_max_num_queries(20):
        assert client.get(page_url(stats_world)).status_code == 200
    client.force_login(stats_world.secretariat)
    with django_assert_max_num_queries(20):
        assert client.get(page_url(stats_world)).status_code == 200


def test_the_annual_report_pdf(client, stats_world):
    client.force_login(stats_world.asu_member)
    response = client.get(pdf_url(stats_world))
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Årsrapport samhandlingsavvik 2025" in text
    assert "Helsefellesskapet Testdalen" in text
    # All four deviations of 2024 concerned Testby kommune («under 5»): the total of 2024 would
    # tell it, so it is hidden, and with it the one non-zero row of 2024 in every breakdown.
    assert "10 avvik (2024: prikket)" in text
    assert "Utskrivning 7 prikket" in text  # category, 2025, 2024
    assert "Legemidler 3 0" in text
    assert "Sum 10 prikket" in text
    assert "Småby kommune under 5" in text  # the report always suppresses
    assert "Manglende epikrise" in text
    assert "Side 1 av" in text
    assert SECRET not in text


def test_the_csv_is_for_the_secretariat_and_has_no_free_text(client, stats_world):
    w = stats_world
    for user, status in [(w.asu_member, 403), (w.member, 403), (w.outsider, 404)]:
        client.force_login(user)
        assert client.get(csv_url(w)).status_code == status, user
    client.force_login(w.secretariat)
    response = client.get(csv_url(w))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = content.strip().splitlines()
    assert lines[0].startswith("Nummer;Meldt (måned);Kategori")
    assert len(lines) == 11  # header and the ten deviations of 2025
    assert SECRET not in content
    assert "epikrise og uten" not in content
    first = next(line for line in lines if line.startswith("2025-0001;"))
    assert first.split(";") == [
        "2025-0001",
        "2025-03",
        "Utskrivning",
        "Pasientrelatert",
        "Helseforetak → kommune",
        "Testdalen HF",
        "Testby kommune",
        "Hjemmetjenesten",
        "Ingen",
        "Ingen",
        "Besvart",
        "",
        "4",
        "ja",
        "Manglende epikrise",
    ]
    late = next(line for line in lines if line.startswith("2025-0007;"))
    assert late.split(";")[13] == "nei"
    assert AuditEntry.objects.filter(community=w.community, action="view").exists()


# --- Accessibility -------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_statistics_page_has_no_axe_violations(page, live_server, stats_world, axe, login):
    login(page, stats_world.asu_member)
    page.goto(f"{live_server.url}{page_url(stats_world)}")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Statistikk")
    axe(page, "deviation statistics")


def test_the_csv_quotes_text_a_spreadsheet_would_run(client, stats_world):
    stats_world.theme.title = "=HYPERLINK(1)"
    stats_world.theme.save()
    client.force_login(stats_world.secretariat)
    response = client.get(csv_url(stats_world))
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert ";'=HYPERLINK(1)" in content
    assert ";=HYPERLINK" not in content


def test_the_downloads_are_attachments_with_their_names(client, stats_world):
    client.force_login(stats_world.secretariat)
    slug = "hf-testdalen"
    pdf = client.get(pdf_url(stats_world))
    name = f"arsrapport-samhandlingsavvik-{slug}-{YEAR}.pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="{name}"'
    csv = client.get(csv_url(stats_world))
    assert csv.streaming
    assert (
        csv["Content-Disposition"] == f'attachment; filename="samhandlingsavvik-{slug}-{YEAR}.csv"'
    )


# --- Secondary suppression -----------------------------------------------------------------------


class _Tables(HTMLParser):
    """The text of every cell of every table on a page: [[[cell, …] per row] per table]."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def worked_out(table: list[list[str]]) -> list[tuple[str, int]]:
    """What a reader can work out from a table whose last row is «Sum»: in each number column,
    a single hidden value is the total minus the values shown."""
    *body, last = table[1:]  # without the header row
    if last[0] != "Sum":
        return []
    found = []
    for column in (1, 2):
        hidden = [row[0] for row in body if not row[column].isdigit()]
        if len(hidden) == 1 and last[column].isdigit():
            rest = sum(int(row[column]) for row in body if row[column].isdigit())
            found.append((hidden[0], int(last[column]) - rest))
    return found


def test_no_hidden_count_can_be_worked_out_from_the_sums_on_the_page(client, stats_world):
    """Issue 10: 'Hjemmetjenesten (Testby kommune)' (2) was hidden, but its table showed the
    hospital's ward (3), 'no unit' (5) and the sum (10), so 10 − 3 − 5 = 2; and Testby kommune's
    4 of 2024 was hidden beside a shown 0 and a sum of 4."""
    client.force_login(stats_world.asu_member)
    parser = _Tables()
    parser.feed(client.get(page_url(stats_world)).content.decode())
    with_sums = [table for table in parser.tables if table and table[-1][:1] == ["Sum"]]
    assert len(with_sums) == 6
    assert [found for table in with_sums for found in worked_out(table)] == []
    assert "prikket" in " ".join(cell for table in with_sums for row in table for cell in row)


def test_no_hidden_count_can_be_worked_out_in_any_breakdown(stats_world):
    stats = statistics.year_statistics(stats_world.community, YEAR, suppress=True)
    for series in stats.series:
        for column, total in (("shown", "total_shown"), ("previous_shown", "previous_total_shown")):
            values = [getattr(row, column) for row in series.rows] + [getattr(series, total)]
            hidden = [value for value in values if not value.isdigit()]
            assert len(hidden) != 1, (series.key, column, values)
    # The summary shows the year's totals as the breakdowns do.
    assert (stats.total_shown, stats.previous_total_shown, stats.change) == ("10", "prikket", "")
    assert stats.has_secondary


def test_the_annual_report_hides_a_second_count_where_the_sum_would_tell(client, stats_world):
    client.force_login(stats_world.secretariat)  # the report suppresses for everyone
    response = client.get(pdf_url(stats_world))
    pages = PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Hjemmetjenesten (Testby kommune) under 5" in text
    assert "Medisinsk avdeling (Testdalen HF) 3" not in text  # 10 − 3 − 5 would give the 2
    assert "prikket" in text
