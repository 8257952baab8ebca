"""Synthetic pseudonymised hospital stays for the demo, the tests and the benchmark.

Nothing here comes from a real patient: every stay is drawn from a seeded generator
(`numpy.random.Generator(PCG64(seed))`, whose stream is the same on every machine and thread
count), so a seed always gives the same stays. The file has the columns `compute` reads.

The model, per municipality, age band and sex of the population (`population_rows`, the same
Norwegian age pyramid for every municipality):

- about 110 hospital stays per 1,000 inhabitants a year, many more for the old;
- each patient has one or more *episodes* over the years (frail patients many: a gamma-Poisson
  mixture, which gives the heavy users); an episode is a first stay followed, after an inpatient
  discharge, by acute readmissions with an age-dependent probability (a few within 8 hours, which
  do not count as readmissions, most within days, a few after more than 30 days);
- acute stays round the clock and all week, planned ones on weekday mornings with a summer and a
  Christmas dip, and a winter peak for both;
- about 2-3 % of inpatient stays (far more for 80+) are reported ready for discharge 1-10 days
  before they end;
- municipal acute-bed stays (KAD), mostly for the old;
- a few patients move to another municipality during the years.

Stays are admitted within the given years; a stay admitted in late December may end in January of
the next year (and a readmission after the last year is simply not in the file, as in a real
extract by admission date)."""

# The one statement is built from numbers and quoted municipality numbers.
# ruff: noqa: S608

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from pathlib import Path

import duckdb
import numpy as np

from helsefellesskap.indicators.compute import PopulationRow
from helsefellesskap.indicators.models import AGE_BAND_CODES

# Share of the population per (age band, sex), roughly Norway on 1 January 2024.
PYRAMID: dict[tuple[str, str], float] = {
    ("0-17", "m"): 0.1055,
    ("0-17", "f"): 0.0995,
    ("18-49", "m"): 0.2130,
    ("18-49", "f"): 0.2020,
    ("50-69", "m"): 0.1220,
    ("50-69", "f"): 0.1180,
    ("70-79", "m"): 0.0460,
    ("70-79", "f"): 0.0490,
    ("80+", "m"): 0.0190,
    ("80+", "f"): 0.0260,
}
STRATA: tuple[tuple[str, str], ...] = tuple(PYRAMID)
# Hospital stays per 1,000 inhabitants a year (births make young women's rate high).
STAYS_PER_1000: dict[tuple[str, str], float] = {
    ("0-17", "m"): 47,
    ("0-17", "f"): 43,
    ("18-49", "m"): 45,
    ("18-49", "f"): 95,
    ("50-69", "m"): 138,
    ("50-69", "f"): 122,
    ("70-79", "m"): 270,
    ("70-79", "f"): 232,
    ("80+", "m"): 400,
    ("80+", "f"): 365,
}
# Per age band, in AGE_BAND_CODES order.
AGE_RANGE = ((0, 17), (18, 49), (50, 69), (70, 79), (80, 100))
ACUTE_SHARE = np.array([0.72, 0.59, 0.55, 0.63, 0.75])  # of first stays; readmissions are acute
READMISSION = np.array([0.055, 0.06, 0.07, 0.088, 0.098])  # per inpatient discharge
LENGTH_OF_STAY_DAYS = np.array([2.2, 2.8, 3.8, 4.6, 5.2])  # inpatient, mean
DISCHARGE_READY = np.array([0.002, 0.004, 0.012, 0.035, 0.075])  # of inpatient stays
KAD_PER_1000 = np.array([0.1, 0.8, 3.0, 9.0, 22.0])  # municipal acute-bed stays a year
EXTRA_EPISODES_PER_YEAR = np.array([0.12, 0.15, 0.25, 0.4, 0.5])  # per patient, on average
FRAILTY_SHAPE = 0.35  # gamma shape of the patients' frailty: small = a few very heavy users
INPATIENT_IF_ACUTE, INPATIENT_IF_PLANNED = 0.85, 0.30
MOVERS = 0.03  # of patients with more than one episode
GROWTH_PER_YEAR = 0.004  # population growth from the 2024 figures
BASE_YEAR = 2024

_QUANTILES = 1 << 16
HOUR = 3600
DAY = 24 * HOUR
_EPOCH = datetime.date(1970, 1, 1)


def population_rows(
    municipalities: Sequence[tuple[str, int]], years: Sequence[int]
) -> list[PopulationRow]:
    """Each municipality's population (as on 1 January 2024) grown a little per year and split
    into AGE_BANDS x sex by the pyramid the generator uses; each year's strata add up exactly to
    its total."""
    rows = []
    for number, population in municipalities:
        for year in years:
            total = round(population * (1 + GROWTH_PER_YEAR) ** (year - BASE_YEAR))
            for (band, sex), count in zip(STRATA, _split(total), strict=True):
                rows.append(PopulationRow(number, year, sex, band, count))
    return rows


def expected_stays(municipalities: Sequence[tuple[str, int]], years: Sequence[int]) -> float:
    """About how many stays `generate_stays` writes (hospital and KAD), to size a benchmark."""
    hospital = sum(
        row.count * STAYS_PER_1000[(row.age_band, row.sex)] / 1000
        for row in population_rows(municipalities, years)
    )
    kad = sum(
        row.count * KAD_PER_1000[AGE_BAND_CODES.index(row.age_band)] / 1000
        for row in population_rows(municipalities, years)
    )
    return float(hospital + kad)


def generate_stays(
    path: Path,
    *,
    municipalities: Sequence[tuple[str, int]],
    years: Sequence[int],
    seed: int = 1,
) -> int:
    """Write synthetic stays admitted in `years` to the Parquet file `path`; return how many."""
    years = sorted(set(years))
    rng = np.random.Generator(np.random.PCG64(seed))
    calendar = _Calendar(years)
    patients = _patients(rng, municipalities, years)
    stays = _episodes(rng, patients, calendar)
    stays = _with_readmissions(rng, stays, patients, calendar)
    stays = _concat(stays, _kad_stays(rng, patients, calendar, municipalities, years))
    inside = calendar.admitted_within(stays["admitted"])
    stays = {key: value[inside] for key, value in stays.items()}
    municipality = _moves(rng, stays, patients, municipalities, calendar)
    return _write(path, stays, patients, municipality, municipalities, calendar, seed)


def _split(total: int) -> list[int]:
    """Largest-remainder split of a total by the pyramid, so the parts sum to the total."""
    exact = [total * PYRAMID[stratum] for stratum in STRATA]
    counts = [math.floor(value) for value in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


class _Calendar:
    """The days of the years as seconds since 1970 (local time, no daylight saving), with the
    admission weights of acute and planned stays."""

    def __init__(self, years: Sequence[int]) -> None:
        first, last = datetime.date(years[0], 1, 1), datetime.date(years[-1] + 1, 1, 1)
        days = [first + datetime.timedelta(days=n) for n in range((last - first).days)]
        days = [day for day in days if day.year in years]
        self.day_numbers = np.array([(day - _EPOCH).days for day in days], dtype=np.int64)
        self.first = int(self.day_numbers[0]) * DAY
        self.end = (int(self.day_numbers[-1]) + 1) * DAY
        self.years = len(years)
        winter = np.array(
            [1 + 0.18 * math.cos(2 * math.pi * (d.timetuple().tm_yday - 20) / 365.25) for d in days]
        )
        weekday = np.array([day.weekday() < 5 for day in days])
        holiday = np.array([_planned_holiday_factor(day) for day in days])
        acute = winter * np.where(weekday, 1.0, 0.85)
        planned = np.sqrt(winter) * np.where(weekday, 1.0, 0.03) * holiday
        self._tables = {True: self._table(acute), False: self._table(planned)}

    def _table(self, weights: np.ndarray) -> np.ndarray:
        """Day starts (in seconds) at the quantiles of the weights, 2^16 of them: drawing a day
        is one look-up instead of a search (the weights are met to 1/65,536)."""
        cdf = np.cumsum(weights) / weights.sum()
        quantiles = (np.arange(_QUANTILES) + 0.5) / _QUANTILES
        chosen = np.minimum(np.searchsorted(cdf, quantiles), weights.size - 1)
        return self.day_numbers[chosen] * DAY

    def days(self, rng: np.random.Generator, n: int, *, acute: bool) -> np.ndarray:
        """The start (in seconds) of n admission days."""
        return self._tables[acute][rng.integers(0, _QUANTILES, n)]

    def admitted_within(self, admitted: np.ndarray) -> np.ndarray:
        return np.isin(admitted // DAY, self.day_numbers)


def _planned_holiday_factor(day: datetime.date) -> float:
    if day.month == 7:
        return 0.35
    if (day.month, day.day) >= (12, 22) or (day.month, day.day) <= (1, 2):
        return 0.3
    return 1.0


def _patients(
    rng: np.random.Generator, municipalities: Sequence[tuple[str, int]], years: Sequence[int]
) -> dict[str, np.ndarray]:
    """Patients per municipality and stratum, enough for the stratum's expected stays. They are
    ordered by group (municipality x stratum); `offsets` gives each group's first patient."""
    person_years = _person_years(municipalities, years)
    band = np.array([AGE_BAND_CODES.index(b) for b, _sex in STRATA])
    rate = np.array([STAYS_PER_1000[stratum] for stratum in STRATA]) / 1000
    inpatient = ACUTE_SHARE * INPATIENT_IF_ACUTE + (1 - ACUTE_SHARE) * INPATIENT_IF_PLANNED
    per_episode = 1 + inpatient[band] * READMISSION[band] / (1 - READMISSION[band])
    per_patient = 1 + EXTRA_EPISODES_PER_YEAR[band] * len(years)
    counts = rng.poisson(person_years * rate / per_episode / per_patient).ravel()
    group = np.repeat(np.arange(counts.size), counts)
    municipality, stratum = np.divmod(group, len(STRATA))
    patient_band = band[stratum]
    low = np.array([AGE_RANGE[b][0] for b in range(len(AGE_RANGE))])[patient_band]
    high = np.array([AGE_RANGE[b][1] for b in range(len(AGE_RANGE))])[patient_band]
    # Ages at the start of the first year; over 80 thinning out towards 100.
    shape = np.where(patient_band == len(AGE_RANGE) - 1, 3.0, 1.0)
    age = low + np.floor(rng.beta(1.0, shape) * (high - low + 1))
    return {
        "municipality": municipality.astype(np.int32),
        "band": patient_band.astype(np.int8),
        "female": np.array([sex == "f" for _b, sex in STRATA])[stratum],
        "age": age.astype(np.int32),
        "birthday": rng.integers(0, 365 * DAY, group.size),  # time to the next birthday
        "frailty": rng.gamma(FRAILTY_SHAPE, 1 / FRAILTY_SHAPE, size=group.size),
        "offsets": np.concatenate(([0], np.cumsum(counts))),
    }


def _person_years(municipalities: Sequence[tuple[str, int]], years: Sequence[int]) -> np.ndarray:
    """Inhabitants summed over the years, per municipality x stratum."""
    index = {number: i for i, (number, _people) in enumerate(municipalities)}
    person_years = np.zeros((len(municipalities), len(STRATA)))
    for row in population_rows(municipalities, years):
        person_years[index[row.municipality], STRATA.index((row.age_band, row.sex))] += row.count
    return person_years


def _stay(
    rng: np.random.Generator,
    patient: np.ndarray,
    band: np.ndarray,
    admitted: np.ndarray,
    acute: np.ndarray,
    inpatient: np.ndarray,
) -> dict[str, np.ndarray]:
    """Length of stay and discharge-ready date for stays whose admission is known."""
    n = patient.size
    los_days = LENGTH_OF_STAY_DAYS[band] * np.exp(rng.normal(-0.245, 0.7, n))
    nights = np.maximum(np.rint(los_days), np.where(acute, 0, 1)).astype(np.int64)
    midnight = admitted - admitted % DAY
    inpatient_end = midnight + nights * DAY + rng.integers(9 * HOUR, 18 * HOUR, n)
    inpatient_end = np.where(
        inpatient_end <= admitted + 4 * HOUR, inpatient_end + DAY, inpatient_end
    )
    day_end = admitted + rng.integers(2 * HOUR, np.where(acute, 12, 8) * HOUR, n)
    discharged = np.where(inpatient, inpatient_end, day_end)
    discharged -= discharged % 60
    ready = inpatient & (rng.random(n) < DISCHARGE_READY[band])
    waited = 1 + rng.binomial(9, np.where(band == len(AGE_RANGE) - 1, 0.4, 0.25), n)
    discharged = np.where(ready, discharged + waited * DAY, discharged)
    ready_on = np.where(ready, discharged // DAY - waited, -1)
    return {
        "patient": patient,
        "admitted": admitted,
        "discharged": discharged,
        "acute": acute,
        "inpatient": inpatient,
        "ready_on": ready_on.astype(np.int32),
        "kad": np.zeros(n, dtype=bool),
    }


def _admission_time(rng: np.random.Generator, days: np.ndarray, acute: np.ndarray) -> np.ndarray:
    """Acute stays round the clock (most in the afternoon), planned ones in the morning; to the
    minute, so equal admission times happen."""
    acute_seconds = (rng.normal(14.5, 5.0, days.size) % 24) * HOUR
    planned_seconds = rng.uniform(7 * HOUR, 12 * HOUR, days.size)
    seconds = np.where(acute, acute_seconds, planned_seconds).astype(np.int64)
    return days + seconds - seconds % 60


def _episodes(
    rng: np.random.Generator, patients: dict[str, np.ndarray], calendar: _Calendar
) -> dict[str, np.ndarray]:
    """The first stay of every episode: one per patient plus the frail patients' extra ones."""
    band = patients["band"]
    extra = rng.poisson(EXTRA_EPISODES_PER_YEAR[band] * calendar.years * patients["frailty"])
    patients["episodes"] = 1 + extra
    patient = np.repeat(np.arange(band.size), 1 + extra)
    band = band[patient]
    acute = rng.random(patient.size) < ACUTE_SHARE[band]
    inpatient = rng.random(patient.size) < np.where(acute, INPATIENT_IF_ACUTE, INPATIENT_IF_PLANNED)
    days = np.empty(patient.size, dtype=np.int64)
    days[acute] = calendar.days(rng, int(acute.sum()), acute=True)
    days[~acute] = calendar.days(rng, int((~acute).sum()), acute=False)
    return _stay(rng, patient, band, _admission_time(rng, days, acute), acute, inpatient)


def _with_readmissions(
    rng: np.random.Generator,
    stays: dict[str, np.ndarray],
    patients: dict[str, np.ndarray],
    calendar: _Calendar,
) -> dict[str, np.ndarray]:
    """Acute readmissions after inpatient discharges, generation by generation."""
    generation, parts = stays, [stays]
    while generation["patient"].size:
        band = patients["band"][generation["patient"]]
        again = generation["inpatient"] & (rng.random(band.size) < READMISSION[band])
        again &= generation["discharged"] < calendar.end
        n = int(again.sum())
        early = rng.random(n) < 0.05  # back within 8 hours: a new stay, not a readmission
        delay = np.where(
            early,
            rng.uniform(1 * HOUR, 8 * HOUR, n),
            8 * HOUR + rng.exponential(6 * DAY, n),
        ).astype(np.int64)
        admitted = generation["discharged"][again] + delay
        admitted -= admitted % 60
        ones = np.ones(n, dtype=bool)
        generation = _stay(rng, generation["patient"][again], band[again], admitted, ones, ones)
        parts.append(generation)
    return _concat(*parts)


def _kad_stays(
    rng: np.random.Generator,
    patients: dict[str, np.ndarray],
    calendar: _Calendar,
    municipalities: Sequence[tuple[str, int]],
    years: Sequence[int],
) -> dict[str, np.ndarray]:
    """Municipal acute-bed stays, given to random patients of the municipality and stratum."""
    band = np.array([AGE_BAND_CODES.index(b) for b, _sex in STRATA])
    expected = _person_years(municipalities, years) * KAD_PER_1000[band] / 1000
    counts = rng.poisson(expected).ravel()
    offsets = patients["offsets"]
    counts = np.where(offsets[1:] > offsets[:-1], counts, 0)  # no patients, no stays
    group = np.repeat(np.arange(counts.size), counts)
    size = (offsets[1:] - offsets[:-1])[group]
    patient = offsets[:-1][group] + np.floor(rng.random(group.size) * size).astype(np.int64)
    n = patient.size
    admitted = _admission_time(rng, calendar.days(rng, n, acute=True), np.ones(n, dtype=bool))
    midnight = admitted - admitted % DAY
    discharged = midnight + rng.integers(1, 6, n) * DAY + rng.integers(9 * HOUR, 15 * HOUR, n)
    discharged -= discharged % 60
    ones = np.ones(n, dtype=bool)
    return {
        "patient": patient,
        "admitted": admitted,
        "discharged": discharged,
        "acute": ones,
        "inpatient": ones,
        "ready_on": np.full(n, -1, dtype=np.int32),
        "kad": ones,
    }


def _moves(
    rng: np.random.Generator,
    stays: dict[str, np.ndarray],
    patients: dict[str, np.ndarray],
    municipalities: Sequence[tuple[str, int]],
    calendar: _Calendar,
) -> np.ndarray:
    """Each stay's municipality: the patient's, or the new one after a move."""
    home = patients["municipality"]
    if not home.size:
        return np.zeros(0, dtype=np.int32)
    moving = (patients["episodes"] > 1) & (rng.random(home.size) < MOVERS)
    weights = np.array([people for _number, people in municipalities], dtype=float)
    new_home = rng.choice(len(municipalities), size=home.size, p=weights / weights.sum())
    new_home = np.where(new_home == home, (new_home + 1) % len(municipalities), new_home)
    moved_at = rng.integers(calendar.first, calendar.end, home.size)
    patient = stays["patient"]
    moved = moving[patient] & (stays["admitted"] >= moved_at[patient])
    return np.where(moved, new_home[patient], home[patient]).astype(np.int32)


def _concat(*parts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}


def _write(
    path: Path,
    stays: dict[str, np.ndarray],
    patients: dict[str, np.ndarray],
    municipality: np.ndarray,
    municipalities: Sequence[tuple[str, int]],
    calendar: _Calendar,
    seed: int,
) -> int:
    """Write the stays with stay ids in the order of admission and pseudonymous patient ids
    that look random (an odd multiplier is a bijection modulo 2^40)."""
    patient = stays["patient"]
    since_start = stays["admitted"] - calendar.first + patients["birthday"][patient]
    age = patients["age"][patient] + since_start // (36524 * DAY // 100)
    del since_start
    # Stay ids in the order of admission (rows are written in the order they were made).
    order = np.argsort(stays["admitted"] // 60 << 28 | patient % (1 << 28), kind="stable")
    stay_id = np.empty(patient.size, dtype=np.int64)
    stay_id[order] = np.arange(1, patient.size + 1)
    del order
    columns = {
        "stay_id": stay_id,
        "pid": (patient.astype(np.int64) * 0x9E3779B1 + seed * 0x5BD1E995 + 1) % (1 << 40),
        "place": municipality,
        "age": age.astype(np.int32),
        "female": patients["female"][patient],
        "admitted": stays["admitted"],
        "discharged": stays["discharged"],
        "acute": stays["acute"],
        "inpatient": stays["inpatient"],
        "ready_on": stays["ready_on"],
        "kad": stays["kad"],
    }
    quoted = ", ".join(_sql_literal(number) for number, _people in municipalities)
    numbers = f"([{quoted}]::VARCHAR[])"
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.register("generated", columns)
        con.execute(
            f"""
            COPY (
                SELECT
                    stay_id,
                    printf('p%010x', pid) AS patient_id,
                    {numbers}[place + 1] AS municipality,
                    age,
                    CASE WHEN female THEN 'f' ELSE 'm' END AS sex,
                    make_timestamp(admitted * 1000000) AS admitted_at,
                    make_timestamp(discharged * 1000000) AS discharged_at,
                    acute,
                    inpatient,
                    CASE WHEN ready_on >= 0 THEN DATE '1970-01-01' + ready_on END
                        AS discharge_ready_on,
                    kad AS municipal_acute_bed
                FROM generated
            ) TO {_sql_literal(str(path))} (FORMAT parquet)
            """
        )
    finally:
        con.close()
    return int(columns["pid"].size)


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
