"""The standard set computed from small event files whose figures are worked out by hand."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
import pytest

from helsefellesskap.indicators.compute import (
    ACUTE,
    HEAVY_USERS,
    KAD,
    READMISSION,
    READY_DAYS,
    READY_PATIENTS,
    STANDARD_SET,
    Cell,
    EventFileError,
    EventStore,
    PopulationRow,
    compute_standard_set,
)
from helsefellesskap.indicators.models import AGE_BAND_CODES

COLUMNS = (
    "stay_id",
    "patient_id",
    "municipality",
    "age",
    "sex",
    "admitted_at",
    "discharged_at",
    "acute",
    "inpatient",
    "discharge_ready_on",
    "municipal_acute_bed",
)
MUNICIPALITIES = ("5006", "5007", "5020")  # 5020 (Osen) has no stays in any fixture
PEOPLE_PER_STRATUM = 100


def stay(
    stay_id: int | str,
    patient: str,
    admitted: str,
    discharged: str,
    *,
    municipality: str = "5006",
    age: int = 75,
    sex: str = "f",
    acute: bool = True,
    inpatient: bool = True,
    ready: str = "",
    kad: bool = False,
) -> dict[str, object]:
    return {
        "stay_id": stay_id,
        "patient_id": patient,
        "municipality": municipality,
        "age": age,
        "sex": sex,
        "admitted_at": admitted,
        "discharged_at": discharged,
        "acute": str(acute).lower(),
        "inpatient": str(inpatient).lower(),
        "discharge_ready_on": ready,
        "municipal_acute_bed": str(kad).lower(),
    }


def filler(stay_id: int, day: str) -> dict[str, object]:
    """A planned day stay: it makes its half-year covered and counts in no figure."""
    return stay(
        stay_id,
        "fyll",
        f"{day} 08:00",
        f"{day} 12:00",
        municipality="5007",
        acute=False,
        inpatient=False,
    )


def write(
    tmp_path: Path,
    stays: Iterable[dict[str, object]],
    *,
    name: str = "opphold.csv",
    columns: Sequence[str] = COLUMNS,
    delimiter: str = ",",
) -> Path:
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(
            file, fieldnames=list(columns), delimiter=delimiter, extrasaction="ignore"
        )
        writer.writeheader()
        writer.writerows(stays)
    return path


def population(
    municipalities: Iterable[str] = MUNICIPALITIES, years: Iterable[int] = (2024, 2025)
) -> list[PopulationRow]:
    return [
        PopulationRow(number, year, sex, band, PEOPLE_PER_STRATUM)
        for number in municipalities
        for year in years
        for band in AGE_BAND_CODES
        for sex in ("f", "m")
    ]


class Figures:
    def __init__(self, cells: list[Cell]) -> None:
        self.cells = cells

    def __call__(
        self,
        computation: str,
        municipality: str,
        period: str,
        *,
        bands: Iterable[str] = AGE_BAND_CODES,
        sexes: Iterable[str] = ("f", "m"),
    ) -> tuple[int, int]:
        bands, sexes = set(bands), set(sexes)
        chosen = [
            cell
            for cell in self.cells
            if (cell.computation, cell.municipality, cell.period)
            == (computation, municipality, period)
            and cell.age_band in bands
            and cell.sex in sexes
        ]
        assert chosen, f"no cells for {computation} {municipality} {period}"
        return sum(c.numerator for c in chosen), sum(c.denominator for c in chosen)

    def periods(self, computation: str = READMISSION) -> set[str]:
        return {cell.period for cell in self.cells if cell.computation == computation}


def figures(path: Path, **options: object) -> Figures:
    options.setdefault("population", population())
    options.setdefault("municipalities", MUNICIPALITIES)
    return Figures(compute_standard_set(path, **options))


ALL = 10 * PEOPLE_PER_STRATUM  # inhabitants of a municipality in the fixtures' population


# --- 30-day readmissions -------------------------------------------------------------------------


def readmission_stays() -> list[dict[str, object]]:
    return [
        # A: back (acutely) exactly 8 hours after discharge: a readmission.
        stay(1, "A", "2025-03-01 10:00", "2025-03-05 12:00", acute=False),
        stay(2, "A", "2025-03-05 20:00", "2025-03-07 10:00"),
        # B: back after 7 h 59 min: within 8 hours, not a readmission.
        stay(3, "B", "2025-03-01 10:00", "2025-03-05 12:00", acute=False),
        stay(4, "B", "2025-03-05 19:59", "2025-03-06 10:00"),
        # C: back exactly 30 days after discharge: a readmission.
        stay(5, "C", "2025-03-01 10:00", "2025-03-05 12:00", acute=False),
        stay(6, "C", "2025-04-04 12:00", "2025-04-06 10:00"),
        # D: back 30 days and a minute after: not.
        stay(7, "D", "2025-03-01 10:00", "2025-03-05 12:00", acute=False),
        stay(8, "D", "2025-04-04 12:01", "2025-04-06 10:00"),
        # E: a planned stay, an acute day stay and a municipal acute bed come first; the next
        # acute inpatient admission (not the next stay) is the readmission, for both E1 and E2.
        stay(9, "E", "2025-03-01 10:00", "2025-03-05 12:00", acute=False),
        stay(10, "E", "2025-03-07 09:00", "2025-03-08 12:00", acute=False),
        stay(11, "E", "2025-03-09 09:00", "2025-03-09 15:00", inpatient=False),
        stay(12, "E", "2025-03-10 09:00", "2025-03-12 15:00", kad=True),
        stay(13, "E", "2025-03-20 09:00", "2025-03-22 15:00"),
        filler(14, "2025-09-01"),
    ]


def test_readmission_counts_acute_inpatient_admissions_from_8_hours_to_30_days(tmp_path):
    result = figures(write(tmp_path, readmission_stays()))

    # Index stays: the 11 inpatient hospital stays; readmitted: A1, C1, E1 and E2.
    assert result(READMISSION, "5006", "2025-H1") == (4, 11)
    assert result(READMISSION, "5006", "2025-H1", bands=["70-79"], sexes=["f"]) == (4, 11)
    assert result(READMISSION, "5006", "2025-H1", bands=["0-17", "18-49", "50-69", "80+"]) == (0, 0)
    assert result(READMISSION, "5006", "2025") == (4, 11)


def test_a_readmission_counts_in_the_period_of_the_index_discharge_across_midnight_and_new_year(
    tmp_path,
):
    path = write(
        tmp_path,
        [
            # F: admitted before new year, discharged after it, back on 10 January.
            stay(1, "F", "2024-12-28 22:00", "2025-01-02 10:00", acute=False),
            stay(2, "F", "2025-01-10 09:00", "2025-01-12 15:00"),
            # G: discharged at 23:00 on new year's eve, back exactly 8 hours later.
            stay(3, "G", "2024-12-30 08:00", "2024-12-31 23:00", acute=False),
            stay(4, "G", "2025-01-01 07:00", "2025-01-03 15:00"),
            # H: an acute admission half an hour before midnight on new year's eve.
            stay(5, "H", "2024-12-31 23:30", "2025-01-01 03:00"),
        ],
    )
    result = figures(path)

    assert result(READMISSION, "5006", "2024-H2") == (1, 1)  # G1
    assert result(READMISSION, "5006", "2025-H1") == (1, 4)  # F1 of F1, F2, G2, H
    assert result(ACUTE, "5006", "2024-H2") == (1, ALL)  # H
    assert result(ACUTE, "5006", "2025-H1") == (2, ALL)  # F2, G2
    # Neither year has both halves in the file.
    assert result.periods() == {"2024-H2", "2025-H1"}


def test_a_readmission_after_the_patient_moved_counts_for_the_index_municipality(tmp_path):
    path = write(
        tmp_path,
        [
            stay(1, "M", "2025-02-01 10:00", "2025-02-03 10:00", municipality="5006", acute=False),
            stay(2, "M", "2025-02-10 10:00", "2025-02-12 10:00", municipality="9999"),
        ],
    )
    result = figures(path)

    assert result(READMISSION, "5006", "2025-H1") == (1, 1)
    # The second stay's municipality is outside the community: it is read, not reported.
    assert {cell.municipality for cell in result.cells} == set(MUNICIPALITIES)


# --- Discharge-ready patients and their days -----------------------------------------------------


def test_discharge_ready_days_count_from_the_ready_date_to_the_discharge_date(tmp_path):
    path = write(
        tmp_path,
        [
            # Ready on the discharge day: a discharge-ready patient with 0 days.
            stay(1, "R1", "2025-05-01 10:00", "2025-05-06 14:00", ready="2025-05-06"),
            # Ready three days before the discharge date (any time of day).
            stay(2, "R2", "2025-05-01 10:00", "2025-05-09 09:00", ready="2025-05-06"),
            # Ready in June, out in July: the days belong to the half-year of the ready date.
            stay(3, "R3", "2025-06-20 10:00", "2025-07-03 11:00", ready="2025-06-29"),
            # A day stay and a municipal acute bed with a ready date are not counted.
            stay(
                4, "R4", "2025-05-01 08:00", "2025-05-01 15:00", inpatient=False, ready="2025-05-01"
            ),
            stay(5, "R5", "2025-05-01 08:00", "2025-05-04 15:00", kad=True, ready="2025-05-02"),
            filler(6, "2025-09-01"),
        ],
    )
    result = figures(path)

    assert result(READY_DAYS, "5006", "2025-H1") == (0 + 3 + 4, ALL)
    assert result(READY_DAYS, "5006", "2025-H2") == (0, ALL)
    assert result(READY_PATIENTS, "5006", "2025-H1") == (3, ALL)
    assert result(READY_PATIENTS, "5006", "2025-H2") == (0, ALL)
    assert result(READY_PATIENTS, "5006", "2025") == (3, ALL)


def test_a_patient_who_moved_counts_once_in_the_last_municipality_of_the_period(tmp_path):
    path = write(
        tmp_path,
        [
            stay(
                1,
                "S",
                "2025-03-01 10:00",
                "2025-03-10 10:00",
                municipality="5006",
                ready="2025-03-07",
            ),
            stay(
                2,
                "S",
                "2025-10-01 10:00",
                "2025-10-10 10:00",
                municipality="5007",
                ready="2025-10-08",
            ),
        ],
    )
    result = figures(path)

    assert result(READY_PATIENTS, "5006", "2025-H1") == (1, ALL)
    assert result(READY_PATIENTS, "5007", "2025-H2") == (1, ALL)
    assert result(READY_PATIENTS, "5006", "2025") == (0, ALL)
    assert result(READY_PATIENTS, "5007", "2025") == (1, ALL)
    # Days stay with the municipality of each stay.
    assert result(READY_DAYS, "5006", "2025") == (3, ALL)
    assert result(READY_DAYS, "5007", "2025") == (2, ALL)


def test_equal_admission_times_are_ordered_by_discharge_time_then_stay_id(tmp_path):
    path = write(
        tmp_path,
        [
            # P: same admission and discharge: the higher stay id (10, not "9" as text) is last.
            stay(
                9,
                "P",
                "2025-02-01 10:00",
                "2025-02-10 10:00",
                municipality="5006",
                ready="2025-02-08",
            ),
            stay(
                10,
                "P",
                "2025-02-01 10:00",
                "2025-02-10 10:00",
                municipality="5007",
                ready="2025-02-09",
            ),
            # Q: same admission: the later discharge is last, whatever the ids.
            stay(
                20,
                "Q",
                "2025-03-01 10:00",
                "2025-03-10 10:00",
                municipality="5006",
                ready="2025-03-08",
            ),
            stay(
                21,
                "Q",
                "2025-03-01 10:00",
                "2025-03-05 10:00",
                municipality="5007",
                ready="2025-03-05",
            ),
        ],
    )
    result = figures(path)

    assert result(READY_PATIENTS, "5007", "2025-H1") == (1, ALL)  # P
    assert result(READY_PATIENTS, "5006", "2025-H1") == (1, ALL)  # Q
    assert result(READY_DAYS, "5006", "2025-H1") == (2 + 2, ALL)
    assert result(READY_DAYS, "5007", "2025-H1") == (1 + 0, ALL)


def test_text_stay_ids_break_ties_as_text(tmp_path):
    path = write(
        tmp_path,
        [
            stay(
                "b9",
                "P",
                "2025-02-01 10:00",
                "2025-02-10 10:00",
                municipality="5006",
                ready="2025-02-08",
            ),
            stay(
                "b10",
                "P",
                "2025-02-01 10:00",
                "2025-02-10 10:00",
                municipality="5007",
                ready="2025-02-09",
            ),
        ],
    )

    assert figures(path)(READY_PATIENTS, "5006", "2025-H1") == (1, ALL)  # "b9" > "b10"


# --- Acute admissions, municipal acute beds ------------------------------------------------------


def test_acute_admissions_and_municipal_acute_beds(tmp_path):
    path = write(
        tmp_path,
        [
            stay(1, "A", "2025-01-05 10:00", "2025-01-07 10:00", age=85),
            stay(2, "B", "2025-01-05 10:00", "2025-01-07 10:00", age=40, sex="m"),
            stay(3, "C", "2025-01-05 10:00", "2025-01-07 10:00", acute=False),  # planned
            stay(4, "D", "2025-01-05 10:00", "2025-01-05 16:00", inpatient=False),  # acute day stay
            stay(5, "E", "2025-02-05 10:00", "2025-02-07 10:00", kad=True),
            stay(
                6,
                "F",
                "2025-02-05 10:00",
                "2025-02-08 10:00",
                kad=True,
                age=90,
                municipality="5007",
            ),
        ],
    )
    result = figures(path)

    assert result(ACUTE, "5006", "2025-H1") == (2, ALL)
    assert result(ACUTE, "5006", "2025-H1", bands=["80+"]) == (1, 2 * PEOPLE_PER_STRATUM)
    assert result(ACUTE, "5006", "2025-H1", bands=["18-49"], sexes=["m"]) == (1, PEOPLE_PER_STRATUM)
    assert result(KAD, "5006", "2025-H1") == (1, ALL)
    assert result(KAD, "5007", "2025-H1", bands=["80+"]) == (1, 2 * PEOPLE_PER_STRATUM)
    # A municipal acute bed is no hospital stay: no index stay, no readmission.
    assert result(READMISSION, "5006", "2025-H1") == (0, 3)


# --- Heavy users ---------------------------------------------------------------------------------


def heavy_user_stays() -> list[dict[str, object]]:
    return [
        filler(1, "2024-08-01"),
        # R: four admissions in 2025, two in 5006 and then two in 5007 after a move.
        stay(2, "R", "2025-02-01 10:00", "2025-02-03 10:00", municipality="5006"),
        stay(3, "R", "2025-04-01 10:00", "2025-04-03 10:00", municipality="5006", acute=False),
        stay(4, "R", "2025-09-01 10:00", "2025-09-03 10:00", municipality="5007"),
        stay(5, "R", "2025-11-01 10:00", "2025-11-03 10:00", municipality="5007"),
        # T: two admissions in the autumn of 2024 and two in the spring of 2025.
        stay(6, "T", "2024-10-01 10:00", "2024-10-03 10:00"),
        stay(7, "T", "2024-12-01 10:00", "2024-12-03 10:00"),
        stay(8, "T", "2025-01-15 10:00", "2025-01-17 10:00"),
        stay(9, "T", "2025-03-15 10:00", "2025-03-17 10:00"),
        # U: three admissions, a day stay and a municipal acute bed: not a heavy user.
        stay(10, "U", "2025-02-01 10:00", "2025-02-03 10:00"),
        stay(11, "U", "2025-03-01 10:00", "2025-03-03 10:00"),
        stay(12, "U", "2025-04-01 10:00", "2025-04-03 10:00"),
        stay(13, "U", "2025-05-01 10:00", "2025-05-01 13:00", inpatient=False),
        stay(14, "U", "2025-06-01 10:00", "2025-06-03 10:00", kad=True),
    ]


def test_heavy_users_have_four_admissions_in_the_twelve_months_ending_with_the_period(tmp_path):
    result = figures(write(tmp_path, heavy_user_stays()))

    # 2025-H1: July 2024 - June 2025: T (in 5006); R has two.
    assert result(HEAVY_USERS, "5006", "2025-H1") == (1, ALL)
    assert result(HEAVY_USERS, "5007", "2025-H1") == (0, ALL)
    # 2025-H2 and 2025: the year 2025: R, in 5007 where the last admission was; T has two.
    assert result(HEAVY_USERS, "5007", "2025-H2") == (1, ALL)
    assert result(HEAVY_USERS, "5006", "2025-H2") == (0, ALL)
    assert result(HEAVY_USERS, "5007", "2025") == (1, ALL)
    assert result(HEAVY_USERS, "5006", "2025") == (0, ALL)
    # 2024-H2 would need 2024-H1, which the file does not cover.
    assert result.periods(HEAVY_USERS) == {"2025-H1", "2025-H2", "2025"}
    assert result.periods(ACUTE) == {"2024-H2", "2025-H1", "2025-H2", "2025"}
    # Each admission counts where it happened.
    assert result(ACUTE, "5006", "2025") == (1 + 2 + 3, ALL)  # R1, T3, T4, U1-U3
    assert result(ACUTE, "5007", "2025") == (2, ALL)


# --- The grid, periods and population ------------------------------------------------------------


def test_every_municipality_gets_every_cell_an_empty_one_zeros_over_its_population(tmp_path):
    result = figures(write(tmp_path, readmission_stays()))

    # Every computation for 2025-H1, 2025-H2 and 2025, except heavy users for 2025-H1 (whose
    # twelve months begin in 2024, which the file does not cover).
    assert len(result.cells) == (len(STANDARD_SET) * 3 - 1) * len(MUNICIPALITIES) * 10
    assert {(c.age_band, c.sex) for c in result.cells} == {
        (band, sex) for band in AGE_BAND_CODES for sex in ("f", "m")
    }
    empty = [cell for cell in result.cells if cell.municipality == "5020"]
    assert empty and all(cell.numerator == 0 for cell in empty)
    for computation in STANDARD_SET:
        expected = (0, 0) if computation == READMISSION else (0, ALL)
        assert result(computation, "5020", "2025-H2") == expected
    half = next(c for c in result.cells if c.period == "2025-H2")
    year = next(c for c in result.cells if c.period == "2025")
    assert (half.period_kind, half.period_start) == ("half", datetime.date(2025, 7, 1))
    assert (year.period_kind, year.period_start) == ("year", datetime.date(2025, 1, 1))
    assert {c.priority_group for c in result.cells} == {""}


def test_only_the_periods_asked_for(tmp_path):
    result = figures(write(tmp_path, readmission_stays()), periods=["2025-H1", "2030"])

    assert {cell.period for cell in result.cells} == {"2025-H1"}


def test_only_the_computations_asked_for(tmp_path):
    result = figures(write(tmp_path, readmission_stays()), computations=[READMISSION])

    assert {cell.computation for cell in result.cells} == {READMISSION}
    assert result(READMISSION, "5006", "2025-H1") == (4, 11)


def test_rates_use_the_year_of_the_period_or_the_nearest_year_in_the_table(tmp_path):
    rows = [
        PopulationRow("5006", 2023, "f", "70-79", 50),
        PopulationRow("5006", 2026, "f", "70-79", 70),
    ]
    rows += [PopulationRow("5006", 2024, "f", "70-79", 60)]
    result = figures(write(tmp_path, readmission_stays()), population=rows)

    # A2, B2, C2, D2 and E5; over the population of 2024 (nearer than 2026, and earlier than it).
    assert result(ACUTE, "5006", "2025-H1", bands=["70-79"], sexes=["f"]) == (5, 60)
    assert result(ACUTE, "5006", "2025-H1", bands=["80+"]) == (0, 0)
    assert result(ACUTE, "5007", "2025-H1") == (0, 0)  # no population at all


def test_progress_goes_up_to_100(tmp_path):
    seen: list[tuple[int, str]] = []
    compute_standard_set(
        write(tmp_path, readmission_stays()),
        population=population(),
        municipalities=MUNICIPALITIES,
        progress=lambda percent, text: seen.append((percent, text)),
    )

    percents = [percent for percent, _text in seen]
    assert percents == sorted(percents) and percents[-1] == 100
    assert all(text for _percent, text in seen)


# --- File formats --------------------------------------------------------------------------------


def test_parquet_gives_the_same_cells_as_csv(tmp_path):
    more = [dict(row, stay_id=int(row["stay_id"]) + 100) for row in heavy_user_stays()]
    path = write(tmp_path, readmission_stays() + more)
    parquet = tmp_path / "opphold.parquet"
    duckdb.sql(
        f"""
        COPY (
            SELECT stay_id::BIGINT AS stay_id, patient_id, municipality::INTEGER AS municipality,
                   age::INTEGER AS age, sex, strptime(admitted_at, '%Y-%m-%d %H:%M') AS admitted_at,
                   strptime(discharged_at, '%Y-%m-%d %H:%M')::TIMESTAMPTZ AS discharged_at,
                   acute::BOOLEAN AS acute, inpatient::BOOLEAN::INTEGER AS inpatient,
                   nullif(discharge_ready_on, '')::DATE AS discharge_ready_on,
                   municipal_acute_bed::BOOLEAN AS municipal_acute_bed
            FROM read_csv('{path}', all_varchar = true)
        ) TO '{parquet}' (FORMAT parquet)
        """
    )

    assert sorted(figures(parquet).cells, key=str) == sorted(figures(path).cells, key=str)


def test_a_time_with_a_time_zone_is_read_in_norwegian_time(tmp_path):
    parquet = tmp_path / "opphold.parquet"
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(
            f"""
            COPY (
                SELECT * FROM (VALUES
                    -- Discharged at 11:00 UTC, 12:00 in Oslo; back at 19:30 (a time without a
                    -- zone: Norwegian). 7.5 hours: no readmission (read as 11:00, 8.5 hours: one).
                    (1, 'A', '5006', 75, 'f', TIMESTAMP '2025-03-01 10:00',
                     TIMESTAMPTZ '2025-03-05 11:00:00+00', false, true, NULL::DATE),
                    (2, 'A', '5006', 75, 'f', TIMESTAMP '2025-03-05 19:30',
                     TIMESTAMPTZ '2025-03-07 09:00:00+00', true, true, NULL::DATE)
                ) AS t(stay_id, patient_id, municipality, age, sex, admitted_at, discharged_at,
                       acute, inpatient, discharge_ready_on)
            ) TO '{parquet}' (FORMAT parquet)
            """
        )

    assert figures(parquet)(READMISSION, "5006", "2025-H1") == (0, 2)


def test_norwegian_csv_conventions_are_read(tmp_path):
    rows = readmission_stays()
    for row in rows:
        for column in ("admitted_at", "discharged_at"):
            day, time = str(row[column]).split()
            year, month, date = day.split("-")
            row[column] = f"{date}.{month}.{year} {time}"
        row["acute"] = "ja" if row["acute"] == "true" else "Nei"
        row["inpatient"] = "J" if row["inpatient"] == "true" else "n"
        row["sex"] = "K"
        row["patient_id"] = f"  {row['patient_id']} "
    kad = [row["stay_id"] for row in rows if row["municipal_acute_bed"] == "true"]
    path = write(tmp_path, rows, delimiter=";", columns=COLUMNS[:-1])
    result = figures(path)

    # Without the optional column the municipal acute bed (stay 12) is a hospital stay: an index
    # stay, and the acute admission readmitting E2 and E1 sooner.
    assert kad == [12]
    assert result(READMISSION, "5006", "2025-H1", sexes=["f"]) == (5, 12)


# --- File errors ---------------------------------------------------------------------------------


def messages(path: Path) -> list[str]:
    with pytest.raises(EventFileError) as raised:
        compute_standard_set(path, population=population(), municipalities=MUNICIPALITIES)
    assert isinstance(raised.value, ValueError)
    return raised.value.messages


def good(number: int | str = 1, **changes: object) -> dict[str, object]:
    row = stay(number, "pasient-hemmelig", "2025-03-01 10:00", "2025-03-05 12:00")
    row.update(changes)
    return row


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"municipality": "50061"}, "kommunenummeret må ha fire sifre"),
        ({"municipality": "Steinkjer"}, "kommunenummeret må ha fire sifre"),
        ({"municipality": ""}, "kommunenummer mangler"),
        ({"patient_id": ""}, "pasient-id mangler"),
        ({"stay_id": ""}, "oppholds-id mangler"),
        ({"age": "sytti"}, "alderen må være et helt tall"),
        ({"age": "130"}, "alderen må være mellom 0 og 125 år"),
        ({"age": ""}, "alder mangler"),
        ({"sex": "x"}, "kjønn må være «f» (kvinne) eller «m» (mann)"),
        (
            {"admitted_at": "2025-13-01 10:00"},
            "innleggelsestidspunktet er ikke et gyldig tidspunkt",
        ),
        ({"discharged_at": ""}, "utskrivningstidspunkt mangler"),
        ({"discharged_at": "2025-02-28 10:00"}, "utskrivningen er før innleggelsen"),
        ({"acute": "kanskje"}, "akutt må være ja/nei, true/false eller 1/0"),
        ({"inpatient": ""}, "døgnopphold (ja/nei) mangler"),
        ({"municipal_acute_bed": "2"}, "kommunal akutt døgnplass må være ja/nei"),
        ({"discharge_ready_on": "i morgen"}, "utskrivningsklar dato er ikke en gyldig dato"),
        ({"discharge_ready_on": "2025-03-06"}, "utskrivningsklar dato er utenfor oppholdet"),
        ({"discharge_ready_on": "2025-02-27"}, "utskrivningsklar dato er utenfor oppholdet"),
        ({"admitted_at": "1850-03-01 10:00"}, "tidspunktene må være mellom år 1900 og 2198"),
    ],
)
def test_a_bad_value_is_named_by_its_line_and_column_never_by_its_value(
    tmp_path, changes, expected
):
    rows = [good(1), good(2), good(3, **changes), good(4)]
    found = messages(write(tmp_path, rows))

    assert len(found) == 1
    assert found[0].startswith("Rad 4: ")  # the header is line 1
    assert expected in found[0]
    assert "hemmelig" not in found[0]
    for value in changes.values():
        if len(str(value)) > 2:
            assert str(value) not in found[0]


def test_every_problem_is_reported_with_the_first_lines_and_a_count(tmp_path):
    rows = [good(i) for i in range(1, 7)]
    for row in rows[1:]:
        row["municipality"] = "123"
    rows[0]["sex"] = "?"
    found = messages(write(tmp_path, rows))

    assert found == [
        "Radene 3, 4, 5 (og 2 til): kommunenummeret må ha fire sifre.",
        "Rad 2: kjønn må være «f» (kvinne) eller «m» (mann).",
    ]


@pytest.mark.parametrize("ids", [(7, 7), ("a", "a")])
def test_a_stay_id_used_twice_is_an_error(tmp_path, ids):
    rows = [good(ids[0]), good(ids[1]), good(99)]
    found = messages(write(tmp_path, rows))

    assert found == [
        "Samme oppholds-id er brukt på flere rader (2 rader). Hvert opphold må ha sin egen id."
    ]


def test_whole_number_ids_with_one_doubled_and_one_missing_are_caught(tmp_path):
    # 1..4 with 3 twice and 4 missing: a gap-free range would have hidden a plain count check.
    rows = [good(1), good(2), good(3), good(3), good(5)]
    assert "samme oppholds-id" in messages(write(tmp_path, rows))[0].lower()


def test_a_missing_column_is_named(tmp_path):
    path = write(tmp_path, [good()], columns=[c for c in COLUMNS if c not in ("age", "acute")])

    assert messages(path) == [
        "Kolonnen «age» (alder) mangler i filen.",
        "Kolonnen «acute» (akutt) mangler i filen.",
    ]


def test_files_that_cannot_be_read(tmp_path):
    empty = write(tmp_path, [], name="tom.csv")
    assert messages(empty) == ["Filen inneholder ingen opphold."]
    other = tmp_path / "opphold.xlsx"
    other.write_bytes(b"PK")
    assert messages(other) == ["Filen må være Parquet (.parquet) eller CSV (.csv)."]
    broken = tmp_path / "opphold.parquet"
    broken.write_bytes(b"PAR1 this is not parquet")
    assert messages(broken) == [
        "Filen kunne ikke leses som Parquet. Kontroller at det er en hel Parquet-fil."
    ]
    assert messages(tmp_path / "borte.csv") == ["Finner ikke filen."]
    garbled = tmp_path / "opphold.csv"
    garbled.write_bytes(b"stay_id,patient_id\n1,\xff\xfe hemmelig\n")
    found = messages(garbled)
    assert found[0].startswith("Filen kunne ikke leses som CSV.") and "hemmelig" not in found[0]


def test_a_column_of_the_wrong_type(tmp_path):
    parquet = tmp_path / "opphold.parquet"
    duckdb.sql(
        f"""
        COPY (SELECT 1 AS stay_id, 'p' AS patient_id, '5006' AS municipality, 70 AS age, 'f' AS sex,
                     TIMESTAMP '2025-01-01 10:00' AS admitted_at, true AS discharged_at,
                     true AS acute, true AS inpatient, NULL::DATE AS discharge_ready_on)
        TO '{parquet}' (FORMAT parquet)
        """
    )

    assert messages(parquet) == [
        "Kolonnen «discharged_at» (utskrivningstidspunkt) har feil datatype (BOOLEAN)."
    ]


# --- The event store: incremental loads ----------------------------------------------------------


def spring_and_autumn() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    spring = [
        # Discharged in June; back in July, in the next file.
        stay(1, "V", "2025-06-20 10:00", "2025-06-25 10:00", acute=False, ready="2025-06-23"),
        stay(2, "W", "2025-03-01 10:00", "2025-03-03 10:00"),
        stay(3, "W", "2025-04-01 10:00", "2025-04-03 10:00"),
        stay(4, "W", "2025-05-01 10:00", "2025-05-03 10:00"),
    ]
    autumn = [
        stay(5, "V", "2025-07-05 10:00", "2025-07-08 10:00"),
        stay(6, "W", "2025-08-01 10:00", "2025-08-03 10:00", municipality="5007"),
        stay(7, "X", "2025-09-01 10:00", "2025-09-02 10:00", kad=True),
    ]
    return spring, autumn


def test_a_store_adds_a_half_year_as_if_everything_were_computed_at_once(tmp_path):
    spring, autumn = spring_and_autumn()
    store = EventStore(tmp_path / "lager" / "hnt.duckdb")

    assert store.append(write(tmp_path, spring, name="vår.csv")) == ["2025-H1"]
    first = Figures(store.compute(population=population(), municipalities=MUNICIPALITIES))
    assert first(READMISSION, "5006", "2025-H1") == (2, 4)  # W2 and W3, each back within 30 days
    assert store.compute(population=population(), municipalities=MUNICIPALITIES) == []

    assert store.append(write(tmp_path, autumn, name="høst.csv")) == ["2025-H1", "2025-H2", "2025"]
    second = Figures(store.compute(population=population(), municipalities=MUNICIPALITIES))
    everything = figures(write(tmp_path, spring + autumn, name="alt.csv"))

    assert second(READMISSION, "5006", "2025-H1") == (3, 4)  # and V, back in July
    assert second(HEAVY_USERS, "5007", "2025") == (1, ALL)  # W, last in 5007
    assert sorted(second.cells, key=str) == sorted(everything.cells, key=str)
    assert store.periods() == ["2025-H1", "2025-H2", "2025"]


def test_loading_the_same_file_again_changes_nothing(tmp_path):
    spring, autumn = spring_and_autumn()
    store = EventStore(tmp_path / "hnt.duckdb")
    store.append(write(tmp_path, spring + autumn))
    before = store.compute(population=population(), municipalities=MUNICIPALITIES)

    store.append(write(tmp_path, spring + autumn))

    assert store.compute(population=population(), municipalities=MUNICIPALITIES) == before


def test_a_corrected_stay_replaces_the_stored_one(tmp_path):
    spring, _autumn = spring_and_autumn()
    store = EventStore(tmp_path / "hnt.duckdb")
    store.append(write(tmp_path, spring, name="vår.csv"))
    corrected = [dict(spring[1], municipality="5007")]

    assert store.append(write(tmp_path, corrected, name="rettet.csv")) == ["2025-H1"]

    result = Figures(store.compute(population=population(), municipalities=MUNICIPALITIES))
    assert result(ACUTE, "5006", "2025-H1") == (2, ALL)
    assert result(ACUTE, "5007", "2025-H1") == (1, ALL)


def test_a_store_keeps_no_patient_id_or_age_and_forgets_old_stays(tmp_path):
    store = EventStore(tmp_path / "hnt.duckdb", retain_days=400)
    store.append(write(tmp_path, [good(1)], name="2025.csv"))
    later = [stay(2, "pasient-hemmelig", "2026-12-01 10:00", "2026-12-03 10:00")]
    store.append(write(tmp_path, later, name="2026.csv"))

    with duckdb.connect(str(store.path), read_only=True) as con:
        columns = {row[0] for row in con.execute("DESCRIBE stays").fetchall()}
        kept = con.execute("SELECT stay_no FROM stays").fetchall()
    assert "patient_id" not in columns and "age" not in columns
    assert kept == [(2,)]  # discharged more than 400 days before the newest admission: gone
    assert b"hemmelig" not in store.path.read_bytes()

    refused = write(tmp_path, [good(3)], name="gammel.csv")
    with pytest.raises(EventFileError, match="oppbevaringstid 400 dager"):
        store.append(refused)


def test_a_store_expires_when_nothing_is_added_for_the_retention_period(tmp_path):
    store = EventStore(tmp_path / "hnt.duckdb", retain_days=400)
    store.append(write(tmp_path, [good()]))
    now = datetime.datetime.now(datetime.UTC)

    assert store.purge_expired(now + datetime.timedelta(days=399)) is False
    assert store.path.exists()
    assert store.purge_expired(now + datetime.timedelta(days=401)) is True
    assert not store.path.exists()
    assert store.periods() == []


def test_a_store_needs_twelve_months_and_a_month(tmp_path):
    with pytest.raises(ValueError, match="minst 400 dager"):
        EventStore(tmp_path / "hnt.duckdb", retain_days=30)


def test_a_bad_file_leaves_the_store_as_it_was(tmp_path):
    spring, autumn = spring_and_autumn()
    store = EventStore(tmp_path / "hnt.duckdb")
    store.append(write(tmp_path, spring, name="vår.csv"))
    before = store.compute(["2025-H1"], population=population(), municipalities=MUNICIPALITIES)
    bad = [dict(row, municipality="50") for row in autumn]

    with pytest.raises(EventFileError):
        store.append(write(tmp_path, bad, name="feil.csv"))

    assert (
        store.compute(["2025-H1"], population=population(), municipalities=MUNICIPALITIES) == before
    )
    assert store.periods() == ["2025-H1"]
