"""The synthetic stays: the same for a seed, and plausible in volume and rates."""

from __future__ import annotations

import collections
from pathlib import Path

import duckdb
import pytest

from helsefellesskap.indicators.compute import (
    HEAVY_USERS,
    KAD,
    READMISSION,
    compute_standard_set,
)
from helsefellesskap.indicators.models import AGE_BAND_CODES
from helsefellesskap.indicators.synthetic import expected_stays, generate_stays, population_rows

# Steinkjer, Namsos and Osen: about 40,000 inhabitants, two years, some 9,000 stays.
MUNICIPALITIES = [("5006", 24032), ("5007", 15083), ("5020", 898)]
YEARS = [2024, 2025]
PEOPLE = sum(people for _number, people in MUNICIPALITIES)


@pytest.fixture(scope="module")
def stays(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synthetic") / "opphold.parquet"
    generate_stays(path, municipalities=MUNICIPALITIES, years=YEARS, seed=7)
    return path


def rows(query: str) -> list[tuple]:
    with duckdb.connect() as con:
        return con.execute(query).fetchall()


def one(query: str) -> tuple:
    (row,) = rows(query)
    return row


def test_the_same_seed_gives_the_same_stays_and_another_seed_others(tmp_path):
    small = [("5043", 423), ("5044", 810)]
    paths = [tmp_path / name for name in ("a.parquet", "b.parquet", "c.parquet")]
    counts = [
        generate_stays(path, municipalities=small, years=YEARS, seed=seed)
        for path, seed in zip(paths, (3, 3, 4), strict=True)
    ]
    a, b, c = (f"read_parquet('{path}')" for path in paths)

    assert counts[0] == counts[1] == one(f"SELECT count(*) FROM {a}")[0]
    assert one(f"SELECT count(*) FROM (SELECT * FROM {a} EXCEPT ALL SELECT * FROM {b})") == (0,)
    assert one(f"SELECT count(*) FROM (SELECT * FROM {b} EXCEPT ALL SELECT * FROM {a})") == (0,)
    assert one(f"SELECT count(*) FROM (SELECT * FROM {a} EXCEPT ALL SELECT * FROM {c})")[0] > 0


def test_the_population_is_split_by_the_same_pyramid_and_adds_up(tmp_path):
    rows = population_rows(MUNICIPALITIES, YEARS)
    totals = collections.Counter()
    for row in rows:
        totals[(row.municipality, row.year)] += row.count

    assert len(rows) == len(MUNICIPALITIES) * len(YEARS) * len(AGE_BAND_CODES) * 2
    assert totals[("5006", 2024)] == 24032  # the reference year's figure, split exactly
    assert 24032 < totals[("5006", 2025)] < 24032 * 1.01
    osen = {(row.age_band, row.sex): row.count for row in rows if row.municipality == "5020"}
    assert osen[("18-49", "f")] > osen[("80+", "m")] > 0


def test_volumes_shares_and_seasons_are_plausible(stays):
    source = f"read_parquet('{stays}')"
    hospital, acute, inpatient, ready, kad, across_new_year = one(
        f"""
        SELECT count(*) FILTER (WHERE NOT municipal_acute_bed),
               avg(acute::INTEGER) FILTER (WHERE NOT municipal_acute_bed),
               avg(inpatient::INTEGER) FILTER (WHERE NOT municipal_acute_bed),
               avg((discharge_ready_on IS NOT NULL)::INTEGER)
                   FILTER (WHERE inpatient AND NOT municipal_acute_bed),
               count(*) FILTER (WHERE municipal_acute_bed),
               count(*) FILTER (WHERE year(admitted_at) < year(discharged_at))
        FROM {source}
        """
    )
    per_1000 = hospital / (PEOPLE * len(YEARS)) * 1000

    assert 100 < per_1000 < 125
    assert 0.60 < acute < 0.70
    assert 0.55 < inpatient < 0.80
    assert 0.018 < ready < 0.035
    assert kad > 0 and across_new_year > 0
    assert (
        abs(expected_stays(MUNICIPALITIES, YEARS) / one(f"SELECT count(*) FROM {source}")[0] - 1)
        < 0.05
    )

    young, old = one(
        f"SELECT count(*) FILTER (WHERE age BETWEEN 18 AND 49), count(*) FILTER (WHERE age >= 80) "
        f"FROM {source}"
    )
    assert old / 0.045 > 3 * young / 0.415  # per inhabitant (the pyramid's shares)
    winter, summer = one(
        f"SELECT count(*) FILTER (WHERE month(admitted_at) IN (12, 1, 2) AND acute), "
        f"count(*) FILTER (WHERE month(admitted_at) IN (6, 7, 8) AND acute) FROM {source}"
    )
    assert winter > 1.1 * summer
    waits = dict(
        rows(
            f"SELECT age >= 80, avg(discharged_at::DATE - discharge_ready_on) FROM {source} "
            "WHERE discharge_ready_on IS NOT NULL GROUP BY ALL"
        )
    )
    assert 1 <= waits[False] < waits[True] <= 10
    shortest, longest = one(
        f"SELECT min(discharged_at::DATE - discharge_ready_on), "
        f"max(discharged_at::DATE - discharge_ready_on) FROM {source}"
    )
    assert 1 <= shortest <= longest <= 10
    movers = one(
        f"SELECT count(*) FROM (SELECT patient_id FROM {source} GROUP BY patient_id "
        "HAVING count(DISTINCT municipality) > 1)"
    )[0]
    assert movers > 0


def test_readmission_rates_heavy_users_and_acute_beds_are_in_range(stays):
    cells = compute_standard_set(
        stays,
        population=population_rows(MUNICIPALITIES, YEARS),
        municipalities=[number for number, _people in MUNICIPALITIES],
        periods=["2024", "2025"],
    )
    totals: dict[tuple[str, bool], list[int]] = collections.defaultdict(lambda: [0, 0])
    for cell in cells:
        old = cell.age_band in ("70-79", "80+")
        totals[(cell.computation, old)][0] += cell.numerator
        totals[(cell.computation, old)][1] += cell.denominator

    def rate(computation: str, old: bool) -> float:
        numerator, denominator = totals[(computation, old)]
        return numerator / denominator

    assert 0.11 < rate(READMISSION, old=True) < 0.16
    assert 0.06 < rate(READMISSION, old=False) < 0.10
    assert rate(HEAVY_USERS, old=True) > 2 * rate(HEAVY_USERS, old=False) > 0
    assert rate(KAD, old=True) > 5 * rate(KAD, old=False) > 0
