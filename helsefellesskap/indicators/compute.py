"""The standard indicator set, computed with DuckDB from a file of pseudonymised hospital stays.

`compute_standard_set(path, population=..., municipalities=...)` reads a Parquet or CSV file into
one in-memory DuckDB database, checks every row, computes the figures in SQL and returns only
aggregates (`Cell`: a numerator and a denominator per indicator, municipality, period, age band
and sex). Nothing row-level leaves the function and nothing is logged: error messages name rows
by their number in the file and columns by name, never a value from them.

The event file
--------------
One row per stay: `stay_id` (text or integer), `patient_id` (pseudonymous), `municipality`
(the patient's four-digit municipality of residence at the stay), `age` (at admission), `sex`
("f"/"m"; "k" is taken as "f"), `admitted_at` and `discharged_at` (timestamps; a time zone, if
given, is turned into Norwegian local time), `acute` (acute, not planned), `inpatient` (inpatient,
not a day stay), `discharge_ready_on` (date or empty) and optionally `municipal_acute_bed` (a stay
in a municipal acute bed, KAD, rather than in hospital; empty is false). Booleans may be written
true/false, 1/0 or ja/nei; CSV may use comma or semicolon. Stays of patients living outside the
given municipalities are read (a readmission may happen anywhere) but not reported.

Definitions (each in the period and municipality given; every figure by AGE_BANDS x sex, which
the pages sum into 0-69 / 70+ or 0-79 / 80+ and standardise)
---------------------------------------------------------------------------------------------
Hospital stays are the rows that are not municipal acute-bed stays. A patient's stays are ordered
by admission time, discharge time and stay id (numerically where every id is a number), so ties
are stable.

- `readmission_30d`: index stays are inpatient hospital stays, counted in the period of their
  discharge, with the municipality, age band and sex of that stay; the numerator are those
  followed by an acute inpatient hospital admission of the same patient from 8 hours up to 30 days
  after the discharge, both ends included (discharge + 8 h <= admission <= discharge + 30 x 24 h),
  at any hospital and for any cause. The next acute admission need not be the patient's next stay.
- `discharge_ready_patients`: unique patients with at least one inpatient hospital stay whose
  discharge-ready date is in the period, per 1,000 inhabitants; a patient counts once, in the
  municipality (and age band, sex) of their last such stay in the period.
- `discharge_ready_days`: the days in hospital after the discharge-ready date (discharge date
  minus that date: ready on the discharge day is 0 days), in the period of the discharge-ready
  date and the municipality of the stay, per 1,000 inhabitants.
- `acute_admissions`: acute inpatient hospital stays, in the period of admission, per 1,000.
- `municipal_acute_beds`: municipal acute-bed stays, in the period of admission, per 1,000.
- `heavy_users`: patients with at least four inpatient hospital admissions in the twelve months
  ending with the period (for a year, the year; for a half-year, that half and the one before),
  per 1,000 inhabitants, in the municipality of their last admission in those months.

Rates per 1,000 have the population of the municipality, sex and age band in the period's year
as denominator (the nearest year the table has, if it lacks that one; 0 if the municipality has
none). Periods are half-years ("2025-H1", Jan-Jun) and years ("2025"). The periods a file covers
are the half-years in which it has admissions, and the years of which it covers both halves; a
heavy-user figure for a half-year needs the half before it covered too. Index discharges and
discharge-ready dates in a half-year the file does not cover are left out (they are counted when
that half-year is loaded through an `EventStore`). A readmission after the file's last admission
cannot be seen, so the last month's readmissions are low until the next half-year is added.

Incremental loads and what is kept (`EventStore`)
-------------------------------------------------
Without a store nothing is kept: the in-memory database is gone when the function returns, and
the caller deletes the uploaded file. So that a new half-year can be added without the files
before it, a community may keep an `EventStore`: one DuckDB file at a path the caller gives inside
the protected folder (never under MEDIA_ROOT or anywhere a web server serves, and never read by a
page, an export or the API: only `EventStore` reads it, and it hands out aggregates). It holds:

- `stays`: the checked stays discharged within `retain_days` days before the newest admission in
  the store, each as its stay id, a key of the patient (the MD5 of the pseudonymous id, not the
  id), municipality, age band (not the age), sex, admission and discharge times, the three flags
  and the discharge-ready date. Older stays are deleted on every `append`. `retain_days` is at
  least MIN_RETAIN_DAYS (400: the twelve months a heavy user's window reaches back, the 30 days of
  a readmission and a margin), so that a new half-year's figures can be computed.
- `parts`: the aggregates (per month; per half-year and year for heavy users and
  discharge-ready patients) that the periods' cells are summed from, kept with the file.
- `halves`, `pending` and `meta`: the half-years the store has had stays for, the periods changed
  since cells were last taken, the time of the last append, and the date before which stays have
  been deleted (a file reaching back before it is refused: its periods can no longer be right).

`EventStore.purge_expired()` deletes the whole file when nothing has been appended for
`retain_days` days; `EventStore.delete()` deletes it at once (when the secretariat turns the store
off or shortens the retention)."""

# The SQL is built from the engine's own fragments and the file's column names (quoted); a value
# from a file reaches a statement only as a quoted literal (`_sql_string`) or as a parameter.
# ruff: noqa: S608

from __future__ import annotations

import dataclasses
import datetime
import functools
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from helsefellesskap.indicators.models import AGE_BAND_CODES, AGE_BANDS, Frequency, Indicator

Progress = Callable[[int, str], None]

Computation = Indicator.Computation
READMISSION = Computation.READMISSION_30D.value
READY_PATIENTS = Computation.DISCHARGE_READY_PATIENTS.value
READY_DAYS = Computation.DISCHARGE_READY_DAYS.value
ACUTE = Computation.ACUTE_ADMISSIONS.value
KAD = Computation.MUNICIPAL_ACUTE_BEDS.value
HEAVY_USERS = Computation.HEAVY_USERS.value
STANDARD_SET = (READMISSION, READY_PATIENTS, READY_DAYS, ACUTE, KAD, HEAVY_USERS)
# Summed from months into half-years and years; the others are unique patients per period.
_MONTHLY = frozenset({READMISSION, READY_DAYS, ACUTE, KAD})

HEAVY_USE_ADMISSIONS = 4
MIN_RETAIN_DAYS = 400
SEXES = ("f", "m")


@dataclasses.dataclass(frozen=True)
class Cell:
    """One figure: the numerator and denominator of an indicator for a municipality, a period and
    a breakdown (the age band and sex are always set here; empty means "all" elsewhere)."""

    computation: str
    municipality: str
    period: str
    period_start: datetime.date
    period_kind: str
    age_band: str
    sex: str
    priority_group: str
    numerator: int
    denominator: int


@dataclasses.dataclass(frozen=True)
class PopulationRow:
    municipality: str
    year: int
    sex: str
    age_band: str
    count: int


class EventFileError(ValueError):
    """The event file cannot be used; `messages` says why, in Norwegian, one problem each."""

    def __init__(self, messages: str | Sequence[str]) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))


def compute_standard_set(
    events: Path,
    *,
    population: Iterable[PopulationRow],
    municipalities: Collection[str],
    progress: Progress | None = None,
    periods: Collection[str] | None = None,
    computations: Collection[str] = STANDARD_SET,
) -> list[Cell]:
    """Every figure of the standard set (or of `computations`) for the periods the file covers
    (or those of `periods`, such as "2025-H1" or "2025", that it covers), for each of
    `municipalities`, those without stays too. Raises EventFileError for a file that cannot be
    used; `progress(percent, text)` hears how far it has come, in Norwegian."""
    report = progress or _no_progress
    with _connection(":memory:") as con:
        report(2, "Leser filen")
        rows = _load(con, Path(events), "stays", report)
        report(40, f"{rows:,} opphold kontrollert".replace(",", "\u00a0"))
        con.execute(_PARTS_DDL)
        _compute_parts(con, _Ranges.everything(), computations, report, start=40, end=92)
        report(94, "Setter sammen tallene")
        covered = _covered_halves(con)
        wanted = _wanted_periods(covered, periods)
        cells = _assemble(con, wanted, covered, population, municipalities, computations)
    report(100, "Ferdig")
    return cells


# --- Periods -------------------------------------------------------------------------------------
# Inside the engine a month is year * 12 + month - 1 and a half-year is year * 2 + (0 or 1), so a
# month's half-year is month // 6 and its year month // 12.


@dataclasses.dataclass(frozen=True)
class Period:
    code: str
    kind: str
    year: int
    half: int | None  # 0 or 1; None for a year

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 7 if self.half == 1 else 1, 1)

    @property
    def halves(self) -> tuple[int, ...]:
        if self.half is None:
            return (self.year * 2, self.year * 2 + 1)
        return (self.year * 2 + self.half,)

    @classmethod
    def of_half(cls, half: int) -> Period:
        year, part = divmod(half, 2)
        return cls(f"{year}-H{part + 1}", Frequency.HALF_YEAR.value, year, part)

    @classmethod
    def of_year(cls, year: int) -> Period:
        return cls(str(year), Frequency.YEAR.value, year, None)

    @classmethod
    def parse(cls, code: str) -> Period:
        match = re.fullmatch(r"(\d{4})(?:-H([12]))?", code.strip())
        if not match:
            raise ValueError(f"Ukjent periode «{code}»: bruk for eksempel 2025 eller 2025-H1.")
        year = int(match[1])
        return cls.of_year(year) if match[2] is None else cls.of_half(year * 2 + int(match[2]) - 1)


def _periods_of_halves(halves: Iterable[int]) -> list[Period]:
    halves = set(halves)
    years = sorted({h // 2 for h in halves if h // 2 * 2 in halves and h // 2 * 2 + 1 in halves})
    return [Period.of_half(h) for h in sorted(halves)] + [Period.of_year(y) for y in years]


def _wanted_periods(covered: set[int], periods: Collection[str] | None) -> list[Period]:
    everything = _periods_of_halves(covered)
    if periods is None:
        return everything
    asked = {Period.parse(code).code for code in periods}
    return [period for period in everything if period.code in asked]


def _month_start(month: int) -> datetime.datetime:
    return datetime.datetime(month // 12, month % 12 + 1, 1)


def _half_start(half: int) -> datetime.datetime:
    return datetime.datetime(half // 2, 7 if half % 2 else 1, 1)


FIRST_YEAR, LAST_YEAR = 1900, 2199  # admissions outside these years are refused


@dataclasses.dataclass(frozen=True)
class _Ranges:
    """The months, half-years and years (inclusive) whose parts are to be computed."""

    months: tuple[int, int]
    halves: tuple[int, int]
    years: tuple[int, int]

    @classmethod
    def everything(cls) -> _Ranges:
        return cls(
            (FIRST_YEAR * 12, LAST_YEAR * 12 + 11),
            (FIRST_YEAR * 2, LAST_YEAR * 2 + 1),
            (FIRST_YEAR, LAST_YEAR),
        )

    @property
    def month_span(self) -> tuple[datetime.datetime, datetime.datetime]:
        return _month_start(self.months[0]), _month_start(self.months[1] + 1)

    @property
    def half_span(self) -> tuple[datetime.datetime, datetime.datetime]:
        return _half_start(self.halves[0]), _half_start(self.halves[1] + 1)

    @property
    def year_span(self) -> tuple[datetime.datetime, datetime.datetime]:
        return datetime.datetime(self.years[0], 1, 1), datetime.datetime(self.years[1] + 1, 1, 1)


# --- Reading and checking the file --------------------------------------------------------------

_REQUIRED = (
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
)
_OPTIONAL = ("municipal_acute_bed",)
_LABELS = {
    "stay_id": "oppholds-id",
    "patient_id": "pasient-id",
    "municipality": "kommunenummer",
    "age": "alder",
    "sex": "kjønn",
    "admitted_at": "innleggelsestidspunkt",
    "discharged_at": "utskrivningstidspunkt",
    "acute": "akutt",
    "inpatient": "døgnopphold",
    "discharge_ready_on": "utskrivningsklar dato",
    "municipal_acute_bed": "kommunal akutt døgnplass",
}
_INTEGER_TYPES = frozenset(
    {
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
    }
)
_TIME_TYPES = frozenset(
    {"TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMP WITH TIME ZONE", "DATE"}
)
_TEXT = "VARCHAR"
_TRUE = frozenset({"true", "t", "1", "ja", "j", "yes", "y"})
_FALSE = frozenset({"false", "f", "0", "nei", "n", "no"})
_FEMALE = frozenset({"f", "k", "kvinne", "female"})
_MALE = frozenset({"m", "mann", "male"})
_MAX_DISTINCT = 20_000  # more different values than this in a yes/no or code column: broken

# The engine's stays table. `key` is the patient: a 128-bit hash of the pseudonymous id (the id
# itself is not kept), so grouping and joining by patient is fast; two ids sharing a key is a
# 2^-128 chance per pair.
_STAY_COLUMN_NAMES = (
    "stay_no",  # the stay id when every id is a whole number (ordered as a number), else NULL
    "stay_id",  # else the stay id as text
    "key",
    "municipality",
    "band",  # index into AGE_BANDS
    "female",
    "admitted_at",
    "discharged_at",
    "acute",
    "inpatient",
    "ready_on",
    "kad",
)


@dataclasses.dataclass
class _Reading:
    """How each column of the stays table is read from the file. `typed` are the expressions of
    the one pass that builds the table; `bad` flag values that are there but cannot be read, for
    the second pass that names the rows and runs only when something is wrong; `kept_flags` are
    the few flags the first pass needs too (an unreadable value in a column that may be empty)."""

    raw: str
    columns: dict[str, tuple[str, str]]  # lower-case name: (quoted name in the file, type)
    typed: dict[str, str] = dataclasses.field(default_factory=dict)
    bad: dict[str, str] = dataclasses.field(default_factory=dict)
    kept_flags: dict[str, str] = dataclasses.field(default_factory=dict)

    def quoted(self, name: str) -> str:
        return self.columns[name][0]

    def kind(self, name: str) -> str:
        return self.columns[name][1]

    def text(self, name: str) -> str:
        """The column as text, empty as NULL; CSV cells trimmed (Parquet text is taken as is)."""
        quoted = self.quoted(name)
        if self.kind(name) != _TEXT:
            quoted = f"{quoted}::VARCHAR"
        return f"nullif(trim({quoted}), '')" if self.raw == "raw_table" else f"nullif({quoted}, '')"

    def wrong_type(self, name: str) -> EventFileError:
        return EventFileError(
            f"Kolonnen «{name}» ({_LABELS[name]}) har feil datatype ({self.kind(name)})."
        )


def _load(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    report: Progress,
    *,
    temporary: bool = False,
    stable_keys: bool = False,
) -> int:
    """Read and check the file into `table`; raise EventFileError naming every problem."""
    raw, numbered = _open_raw(con, path)
    columns = _columns(con, raw)
    try:
        reading: _Reading | None = _reading(con, raw, columns, stable_keys=stable_keys)
    except duckdb.Error:  # a damaged file; the message may quote it (see _quietly)
        reading = None
    create = "CREATE TEMP TABLE" if temporary else "CREATE TABLE"
    if reading is None or not _quietly(
        con,
        f"{create} {table} AS SELECT {_select({**reading.typed, **reading.kept_flags})} FROM {raw}",
    ):
        raise EventFileError(
            "Filen kunne ikke leses helt. Kontroller at den er hel og ikke skadet."
        )
    report(30, "Kontrollerer oppholdene")
    problems = _problems(con, numbered, reading) if _has_problems(con, table, reading) else []
    problems += _duplicate_ids(con, table)
    if problems:
        con.execute(f"DROP TABLE {table}")
        raise EventFileError(problems)
    for flag in reading.kept_flags:
        con.execute(f"ALTER TABLE {table} DROP COLUMN {flag}")
    con.execute(f"DROP VIEW {numbered}")
    con.execute(f"DROP {'TABLE' if raw == 'raw_table' else 'VIEW'} {raw}")
    return int(_one(con, f"SELECT count(*) FROM {table}")[0])


def _quietly(con: duckdb.DuckDBPyConnection, statement: str) -> bool:
    """Run a statement over the file's rows; False if DuckDB fails. Its message may quote a line
    or a value of the file, so it is neither passed on nor kept as the cause of an exception
    (which a log could print)."""
    try:
        con.execute(statement).fetchall()
    except duckdb.Error:
        return False
    return True


def _select(expressions: dict[str, str]) -> str:
    return ",\n".join(f"{expression} AS {name}" for name, expression in expressions.items())


def _open_raw(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[str, str]:
    """A relation over the file's rows as they are, and one with each row's number in the file
    (for CSV the line number) for the error messages."""
    if not path.is_file():
        raise EventFileError("Finner ikke filen.")
    literal = _sql_string(str(path))
    suffix = path.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise EventFileError("Filen må være Parquet (.parquet) eller CSV (.csv).")
    if suffix == ".parquet":
        readable = (
            _quietly(con, f"CREATE TEMP VIEW raw_view AS SELECT * FROM read_parquet({literal})")
            and _quietly(
                con,
                "CREATE TEMP VIEW raw_numbered AS SELECT file_row_number + 1 AS _row, * EXCLUDE "
                f"(file_row_number) FROM read_parquet({literal}, file_row_number = true)",
            )
            and _quietly(con, "SELECT * FROM raw_view LIMIT 0")
        )
        if readable:
            return "raw_view", "raw_numbered"
        raise EventFileError(
            "Filen kunne ikke leses som Parquet. Kontroller at det er en hel Parquet-fil."
        )
    readable = _quietly(
        con,
        f"CREATE TEMP TABLE raw_table AS SELECT * FROM read_csv({literal}, all_varchar = true, "
        "header = true)",
    )
    if readable:
        con.execute("CREATE TEMP VIEW raw_numbered AS SELECT rowid + 2 AS _row, * FROM raw_table")
        return "raw_table", "raw_numbered"
    raise EventFileError(
        "Filen kunne ikke leses som CSV. Kontroller at den er UTF-8 med en overskriftsrad og "
        "komma eller semikolon mellom kolonnene."
    )


def _columns(con: duckdb.DuckDBPyConnection, raw: str) -> dict[str, tuple[str, str]]:
    """The file's columns by lower-case name: (the quoted name in the file, DuckDB type)."""
    columns: dict[str, tuple[str, str]] = {}
    for name, kind, *_rest in con.execute(f"DESCRIBE SELECT * FROM {raw}").fetchall():
        normalised = str(name).strip().lstrip("\ufeff").lower()
        columns.setdefault(normalised, ('"' + str(name).replace('"', '""') + '"', str(kind)))
    missing = [name for name in _REQUIRED if name not in columns]
    if missing:
        raise EventFileError(
            [f"Kolonnen «{name}» ({_LABELS[name]}) mangler i filen." for name in missing]
        )
    count = _one(con, f"SELECT count(*) FROM {raw}")
    if not count or not count[0]:
        raise EventFileError("Filen inneholder ingen opphold.")
    return columns


def _reading(
    con: duckdb.DuckDBPyConnection,
    raw: str,
    columns: dict[str, tuple[str, str]],
    *,
    stable_keys: bool,
) -> _Reading:
    reading = _Reading(raw, columns)
    _read_stay_id(con, reading)
    _read_patient(reading, stable_keys=stable_keys)
    _read_municipality(con, reading)
    _read_age(reading)
    _read_sex(con, reading)
    for name in ("admitted_at", "discharged_at"):
        _read_time(reading, name)
    for name, target in (
        ("acute", "acute"),
        ("inpatient", "inpatient"),
        ("municipal_acute_bed", "kad"),
    ):
        _read_flag(con, reading, name, target)
    _read_ready_date(reading)
    reading.typed = {name: reading.typed[name] for name in _STAY_COLUMN_NAMES}
    return reading


def _read_stay_id(con: duckdb.DuckDBPyConnection, reading: _Reading) -> None:
    """Whole-number ids are kept (and ordered) as numbers, other ids as text."""
    kind = reading.kind("stay_id")
    numeric = kind in _INTEGER_TYPES
    if kind == _TEXT:
        whole = f"regexp_full_match({reading.text('stay_id')}, '0|[1-9][0-9]{{0,17}}')"
        found = _one(con, f"SELECT bool_and({whole}) FROM {reading.raw}")
        numeric = bool(found and found[0])
    elif not numeric:
        raise reading.wrong_type("stay_id")
    if numeric:
        value = reading.text("stay_id") if kind == _TEXT else reading.quoted("stay_id")
        reading.typed["stay_no"] = f"TRY_CAST({value} AS BIGINT)"
        reading.typed["stay_id"] = "NULL::VARCHAR"
    else:
        reading.typed["stay_no"] = "NULL::BIGINT"
        reading.typed["stay_id"] = reading.text("stay_id")


def _read_patient(reading: _Reading, *, stable_keys: bool) -> None:
    """Only a key of the pseudonymous id is kept: two 64-bit hashes in memory, MD5 in a store
    (the same in every DuckDB version, so keys of files loaded years apart still match)."""
    if reading.kind("patient_id") not in _INTEGER_TYPES | {_TEXT}:
        raise reading.wrong_type("patient_id")
    patient = reading.text("patient_id")
    key = (
        f"md5_number({patient})"
        if stable_keys
        else f"((hash({patient})::UHUGEINT << 64) | hash({patient}, 'hf')::UHUGEINT)"
    )
    reading.typed["key"] = f"CASE WHEN {patient} IS NOT NULL THEN {key} END"


def _read_municipality(con: duckdb.DuckDBPyConnection, reading: _Reading) -> None:
    quoted, kind = reading.columns["municipality"]
    if kind in _INTEGER_TYPES:
        reading.typed["municipality"] = (
            f"CASE WHEN {quoted} BETWEEN 1 AND 9999 THEN {quoted}::SMALLINT END"
        )
        reading.bad["municipality"] = f"({quoted} IS NOT NULL AND NOT {quoted} BETWEEN 1 AND 9999)"
        return
    if kind != _TEXT:
        raise reading.wrong_type("municipality")
    value = reading.text("municipality")
    codes = [code for code in _distinct(con, reading.raw, value) if code is not None]
    valid = [code for code in codes if re.fullmatch(r"[0-9]{4}", code) and code != "0000"]
    if len(valid) == len(codes):
        # Every value is four digits: a cast is exact (and far faster than a CASE over them).
        reading.typed["municipality"] = f"TRY_CAST({value} AS SMALLINT)"
    else:
        reading.typed["municipality"] = _mapping(
            value, {code: str(int(code)) for code in valid}, "SMALLINT"
        )
    reading.bad["municipality"] = (
        f"({value} IS NOT NULL AND {reading.typed['municipality']} IS NULL)"
    )


def _read_age(reading: _Reading) -> None:
    """Only the age band is kept."""
    quoted, kind = reading.columns["age"]
    if kind in _INTEGER_TYPES:
        age = quoted
    elif kind == _TEXT:
        age = f"TRY_CAST({reading.text('age')} AS INTEGER)"
        reading.bad["age"] = f"({reading.text('age')} IS NOT NULL AND {age} IS NULL)"
    elif kind in {"DOUBLE", "FLOAT"} or kind.startswith("DECIMAL"):
        whole = f"{quoted} = floor({quoted}) AND abs({quoted}) < 1000"
        age = f"CASE WHEN {whole} THEN {quoted}::INTEGER END"
        reading.bad["age"] = f"({quoted} IS NOT NULL AND {age} IS NULL)"
    else:
        raise reading.wrong_type("age")
    reading.bad["age_range"] = f"({age} IS NOT NULL AND NOT {age} BETWEEN 0 AND 125)"
    bands = " ".join(
        f"WHEN {age} <= {high} THEN {i}"
        for i, (_code, _low, high) in enumerate(AGE_BANDS)
        if high is not None
    )
    reading.typed["band"] = (
        f"(CASE WHEN {age} IS NULL OR NOT {age} BETWEEN 0 AND 125 THEN NULL {bands} "
        f"ELSE {len(AGE_BANDS) - 1} END)::UTINYINT"
    )


def _read_sex(con: duckdb.DuckDBPyConnection, reading: _Reading) -> None:
    if reading.kind("sex") != _TEXT:
        raise reading.wrong_type("sex")
    value = reading.text("sex")
    reading.typed["female"] = _code_mapping(con, reading.raw, value, _FEMALE, _MALE)
    reading.bad["sex"] = f"({value} IS NOT NULL AND {reading.typed['female']} IS NULL)"


def _read_time(reading: _Reading, name: str) -> None:
    """Timestamps as they are (with a time zone: in Norwegian time); text as ISO 8601 or
    dd.mm.åååå tt:mm."""
    kind = reading.kind(name)
    if kind in _TIME_TYPES:
        reading.typed[name] = f"{reading.quoted(name)}::TIMESTAMP"
        return
    if kind != _TEXT:
        raise reading.wrong_type(name)
    value = reading.text(name)
    reading.typed[name] = (
        f"coalesce(TRY_CAST({value} AS TIMESTAMP), try_strptime({value}, "
        "['%d.%m.%Y %H:%M', '%d.%m.%Y %H:%M:%S', '%d.%m.%Y']))"
    )
    reading.bad[name] = f"({value} IS NOT NULL AND {reading.typed[name]} IS NULL)"


def _read_flag(con: duckdb.DuckDBPyConnection, reading: _Reading, name: str, target: str) -> None:
    if name not in reading.columns:  # only the optional municipal_acute_bed may be missing
        reading.typed[target] = "false"
        return
    quoted, kind = reading.columns[name]
    if kind == "BOOLEAN":
        flag = quoted
    elif kind in _INTEGER_TYPES:
        flag = f"CASE {quoted} WHEN 1 THEN true WHEN 0 THEN false END"
        reading.bad[name] = f"({quoted} IS NOT NULL AND {flag} IS NULL)"
    elif kind == _TEXT:
        flag = _code_mapping(con, reading.raw, reading.text(name), _TRUE, _FALSE)
        reading.bad[name] = f"({reading.text(name)} IS NOT NULL AND {flag} IS NULL)"
    else:
        raise reading.wrong_type(name)
    if name in _OPTIONAL:  # empty is "no"
        reading.typed[target] = f"coalesce({flag}, false)"
        if name in reading.bad:
            reading.kept_flags[f"bad_{name}"] = reading.bad[name]
    else:
        reading.typed[target] = flag


def _read_ready_date(reading: _Reading) -> None:
    name = "discharge_ready_on"
    kind = reading.kind(name)
    if kind in _TIME_TYPES:
        reading.typed["ready_on"] = f"{reading.quoted(name)}::DATE"
        return
    if kind != _TEXT:
        raise reading.wrong_type(name)
    value = reading.text(name)
    reading.typed["ready_on"] = (
        f"coalesce(TRY_CAST({value} AS DATE), try_strptime({value}, '%d.%m.%Y')::DATE)"
    )
    reading.bad[name] = f"({value} IS NOT NULL AND {reading.typed['ready_on']} IS NULL)"
    reading.kept_flags[f"bad_{name}"] = reading.bad[name]


def _distinct(con: duckdb.DuckDBPyConnection, raw: str, expression: str) -> list[str | None]:
    rows = con.execute(
        f"SELECT DISTINCT {expression} FROM {raw} LIMIT {_MAX_DISTINCT + 1}"
    ).fetchall()
    return [None if row[0] is None else str(row[0]) for row in rows]


def _mapping(expression: str, values: dict[str, str], sql_type: str) -> str:
    """A CASE over the few values a code column has (a handful: a CASE with dozens of branches
    per row is slow, which is why clean municipality numbers are cast instead)."""
    if not values:
        return f"NULL::{sql_type}"
    whens = " ".join(f"WHEN {_sql_string(raw)} THEN {mapped}" for raw, mapped in values.items())
    return f"(CASE {expression} {whens} END)::{sql_type}"


def _code_mapping(
    con: duckdb.DuckDBPyConnection,
    raw: str,
    expression: str,
    yes: frozenset[str],
    no: frozenset[str],
) -> str:
    values: dict[str, str] = {}
    for found in _distinct(con, raw, expression):
        if found is not None and found.strip().lower() in yes:
            values[found] = "true"
        elif found is not None and found.strip().lower() in no:
            values[found] = "false"
    return _mapping(expression, values, "BOOLEAN")


# What may be wrong with a row: (a condition on the checked row, the message). The fast pass
# runs the first part of each condition that needs no `bad_*` flag; the slow pass all of them.
_CHECKS: tuple[tuple[str, str], ...] = (
    ("stay_no IS NULL AND stay_id IS NULL", "oppholds-id mangler"),
    ("key IS NULL", "pasient-id mangler"),
    ("municipality IS NULL AND NOT bad_municipality", "kommunenummer mangler"),
    ("bad_municipality", "kommunenummeret må ha fire sifre"),
    ("band IS NULL AND NOT bad_age AND NOT bad_age_range", "alder mangler"),
    ("bad_age", "alderen må være et helt tall"),
    ("bad_age_range", "alderen må være mellom 0 og 125 år"),
    ("female IS NULL AND NOT bad_sex", "kjønn mangler"),
    ("bad_sex", "kjønn må være «f» (kvinne) eller «m» (mann)"),
    ("admitted_at IS NULL AND NOT bad_admitted_at", "innleggelsestidspunkt mangler"),
    ("bad_admitted_at", "innleggelsestidspunktet er ikke et gyldig tidspunkt (ÅÅÅÅ-MM-DD TT:MM)"),
    ("discharged_at IS NULL AND NOT bad_discharged_at", "utskrivningstidspunkt mangler"),
    ("bad_discharged_at", "utskrivningstidspunktet er ikke et gyldig tidspunkt (ÅÅÅÅ-MM-DD TT:MM)"),
    ("discharged_at < admitted_at", "utskrivningen er før innleggelsen"),
    (
        f"NOT year(admitted_at) BETWEEN {FIRST_YEAR} AND {LAST_YEAR - 1} "
        f"OR NOT year(discharged_at) BETWEEN {FIRST_YEAR} AND {LAST_YEAR - 1}",
        f"tidspunktene må være mellom år {FIRST_YEAR} og {LAST_YEAR - 1}",
    ),
    ("acute IS NULL AND NOT bad_acute", "akutt (ja/nei) mangler"),
    ("bad_acute", "akutt må være ja/nei, true/false eller 1/0"),
    ("inpatient IS NULL AND NOT bad_inpatient", "døgnopphold (ja/nei) mangler"),
    ("bad_inpatient", "døgnopphold må være ja/nei, true/false eller 1/0"),
    ("bad_municipal_acute_bed", "kommunal akutt døgnplass må være ja/nei, true/false eller 1/0"),
    ("bad_discharge_ready_on", "utskrivningsklar dato er ikke en gyldig dato (ÅÅÅÅ-MM-DD)"),
    (
        "ready_on < admitted_at::DATE OR ready_on > discharged_at::DATE",
        "utskrivningsklar dato er utenfor oppholdet (før innleggelsen eller etter utskrivningen)",
    ),
)
_SHOWN_ROWS = 3


def _fast_condition(condition: str, flags: Collection[str]) -> str | None:
    """The check with flags the fast pass lacks dropped: "x IS NULL AND NOT bad_x" becomes
    "x IS NULL" (missing or unreadable: the slow pass tells which); a check that is only a
    missing flag is left out."""
    kept = [
        part
        for part in condition.split(" AND ")
        if not (re.fullmatch(r"(NOT )?bad_\w+", part) and part.removeprefix("NOT ") not in flags)
    ]
    return " AND ".join(kept) if kept else None


def _has_problems(con: duckdb.DuckDBPyConnection, table: str, reading: _Reading) -> bool:
    conditions = [
        fast
        for condition, _m in _CHECKS
        if (fast := _fast_condition(condition, reading.kept_flags))
    ]
    found = _one(
        con, f"SELECT count(*) FROM {table} WHERE " + " OR ".join(f"({c})" for c in conditions)
    )
    return bool(found and found[0])


def _problems(con: duckdb.DuckDBPyConnection, numbered: str, reading: _Reading) -> list[str]:
    """A message per failing check with the first rows' numbers: a second pass over the file,
    only when something is wrong."""
    flags = {f"bad_{name}": expression for name, expression in reading.bad.items()}
    for condition, _message in _CHECKS:
        for flag in re.findall(r"\bbad_\w+", condition):
            flags.setdefault(flag, "false")
    columns = _select({**reading.typed, **flags})
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW numbered_checked AS SELECT _row, {columns} FROM {numbered}"
    )
    counts = _one(
        con,
        "SELECT "
        + ", ".join(f"count(*) FILTER (WHERE {condition})" for condition, _m in _CHECKS)
        + " FROM numbered_checked",
    )
    assert counts is not None
    problems = []
    for (condition, message), count in zip(_CHECKS, counts, strict=True):
        if count:
            rows = con.execute(
                f"SELECT _row FROM numbered_checked WHERE {condition} "
                f"ORDER BY _row LIMIT {_SHOWN_ROWS}"
            ).fetchall()
            problems.append(_row_message([str(row[0]) for row in rows], int(count), message))
    con.execute("DROP VIEW numbered_checked")
    return problems


def _duplicate_ids(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Each stay once. The usual file, whole-number ids as many as the range from the lowest to
    the highest, is checked in one pass without a hash table (grouping ten million ids takes
    seconds): with as many rows as ids, a doubled id means a missing one, and up to three such
    pairs always change the sum of the ids, of their squares or of their cubes (but for a chance
    of about 1 in 2^31, as the sums are taken modulo a prime). Other files are grouped by id."""
    stats = _one(
        con,
        f"""
        SELECT count(*), count(stay_no), min(stay_no), max(stay_no),
               sum(r), sum(r * r), sum(r * r * r)
        FROM (SELECT stay_no, (stay_no % {_PRIME})::HUGEINT AS r FROM {table})
        """,
    )
    rows, numbered, low, high, *sums = stats
    consecutive = rows == numbered and low is not None and high - low + 1 == rows
    if consecutive and [int(s) % _PRIME for s in sums] == _range_power_sums(int(low), int(high)):
        return []
    duplicated = _one(
        con,
        f"SELECT count(*), sum(n) FROM (SELECT count(*) AS n FROM {table} "
        "GROUP BY stay_no, stay_id HAVING count(*) > 1)",
    )
    if not duplicated or not duplicated[0]:
        return []
    return [
        f"Samme oppholds-id er brukt på flere rader ({duplicated[1]} rader). Hvert opphold må ha "
        "sin egen id."
    ]


_PRIME = 2_147_483_647  # 2^31 - 1: the residues' cubes summed over a file fit in a HUGEINT


def _range_power_sums(low: int, high: int) -> list[int] | None:
    """Sums of k, k^2 and k^3 (mod _PRIME) for k = low..high, by the closed formulas, for ids
    that are not negative (None for others: they get the exact check)."""
    if low < 0:
        return None

    def upto(n: int) -> tuple[int, int, int]:  # the sums for k = 0..n
        if n < 0:
            return (0, 0, 0)
        first = n * (n + 1) // 2
        return (first, n * (n + 1) * (2 * n + 1) // 6, first * first)

    def residues(n: int) -> list[int]:  # the sums of r, r^2, r^3 for r = k mod p, k = 0..n
        cycles, rest = divmod(n + 1, _PRIME)
        return [
            cycles * full + partial
            for full, partial in zip(upto(_PRIME - 1), upto(rest - 1), strict=True)
        ]

    return [
        (top - bottom) % _PRIME
        for top, bottom in zip(residues(high), residues(low - 1), strict=True)
    ]


def _row_message(rows: list[str], count: int, message: str) -> str:
    where = f"Radene {', '.join(rows)}" if len(rows) > 1 else f"Rad {rows[0]}"
    more = count - len(rows)
    return f"{where}{f' (og {more} til)' if more > 0 else ''}: {message}."


# --- The figures as parts: aggregates per month or half-year -------------------------------------

_PARTS_DDL = """
    CREATE TABLE IF NOT EXISTS parts (
        computation VARCHAR, kind VARCHAR, unit INTEGER, municipality SMALLINT, band UTINYINT,
        female BOOLEAN, numerator BIGINT, denominator BIGINT
    )
"""
_MONTH = "(year({0}) * 12 + month({0}) - 1)"
_HALF = "(year({0}) * 2 + (month({0}) > 6)::INTEGER)"
_STAY_ORDER = (
    "{'a': admitted_at, 'd': discharged_at, 'n': coalesce(stay_no, 0), 'i': coalesce(stay_id, '')}"
)
_WHO = "{'m': municipality, 'b': band, 'f': female}"


def _compute_parts(
    con: duckdb.DuckDBPyConnection,
    ranges: _Ranges,
    computations: Collection[str],
    report: Progress,
    *,
    start: int,
    end: int,
    stays: str = "stays",
) -> None:
    """Replace the parts in `ranges` with ones computed from `stays`."""
    steps: list[tuple[str, Callable[[], None]]] = []
    if READMISSION in computations:
        steps.append(("Beregner reinnleggelser", lambda: _readmission_parts(con, stays, ranges)))
    if ACUTE in computations or KAD in computations:
        steps.append(
            ("Beregner innleggelser", lambda: _admission_parts(con, stays, computations, ranges))
        )
    if READY_DAYS in computations or READY_PATIENTS in computations:
        steps.append(
            (
                "Beregner utskrivningsklare pasienter",
                lambda: _ready_parts(con, stays, computations, ranges),
            )
        )
    if HEAVY_USERS in computations:
        steps.append(("Beregner storbrukere", lambda: _heavy_user_parts(con, stays, ranges)))
    for i, (text, step) in enumerate(steps):
        report(start + (end - start) * i // max(len(steps), 1), text)
        step()


def _clear(
    con: duckdb.DuckDBPyConnection, computation: str, kind: str, units: tuple[int, int]
) -> None:
    con.execute(
        "DELETE FROM parts WHERE computation = ? AND kind = ? AND unit BETWEEN ? AND ?",
        [computation, kind, *units],
    )


def _readmission_parts(con: duckdb.DuckDBPyConnection, stays: str, ranges: _Ranges) -> None:
    """Index stays discharged in the months with, per patient, the first acute inpatient
    admission at or after discharge + 8 h: an as-of join finds the nearest such admission, which
    need not be the patient's next stay."""
    first, after = ranges.month_span
    _clear(con, READMISSION, "month", ranges.months)
    con.execute(
        f"""
        INSERT INTO parts
        WITH index_stays AS (
            SELECT key, discharged_at, municipality, band, female
            FROM {stays}
            WHERE inpatient AND NOT kad AND discharged_at >= $first AND discharged_at < $after
        ),
        acute_admissions AS (
            SELECT key, admitted_at
            FROM {stays}
            WHERE acute AND inpatient AND NOT kad
              AND admitted_at >= $first + INTERVAL 8 HOUR
              AND admitted_at <= $after + INTERVAL 30 DAY
        )
        SELECT '{READMISSION}', 'month', {_MONTH.format("i.discharged_at")}, i.municipality, i.band,
               i.female, count(*) FILTER (WHERE a.admitted_at <= i.discharged_at + INTERVAL 30 DAY),
               count(*)
        FROM index_stays i
        ASOF LEFT JOIN acute_admissions a
          ON i.key = a.key
         AND i.discharged_at + INTERVAL 8 HOUR <= a.admitted_at
        GROUP BY ALL
        """,
        {"first": first, "after": after},
    )


def _admission_parts(
    con: duckdb.DuckDBPyConnection, stays: str, computations: Collection[str], ranges: _Ranges
) -> None:
    """Acute inpatient hospital admissions and municipal acute-bed stays per admission month."""
    first, after = ranges.month_span
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE admissions AS
        SELECT {_MONTH.format("admitted_at")} AS unit, municipality, band, female,
               count(*) FILTER (WHERE acute AND inpatient AND NOT kad) AS acute_n,
               count(*) FILTER (WHERE kad) AS kad_n
        FROM {stays}
        WHERE admitted_at >= $first AND admitted_at < $after AND ((acute AND inpatient) OR kad)
        GROUP BY ALL
        """,
        {"first": first, "after": after},
    )
    for computation, column in ((ACUTE, "acute_n"), (KAD, "kad_n")):
        if computation in computations:
            _clear(con, computation, "month", ranges.months)
            con.execute(
                f"INSERT INTO parts SELECT '{computation}', 'month', unit, municipality, band, "
                f"female, {column}, 0 FROM admissions WHERE {column} > 0"
            )
    con.execute("DROP TABLE admissions")


def _ready_parts(
    con: duckdb.DuckDBPyConnection, stays: str, computations: Collection[str], ranges: _Ranges
) -> None:
    """Discharge-ready days per month of the ready date; unique patients per half-year and year,
    each in the municipality of their last discharge-ready stay in the period."""
    spans = (ranges.month_span, ranges.half_span, ranges.year_span)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE ready AS
        SELECT key, ready_on, discharged_at::DATE - ready_on AS days,
               {_STAY_ORDER} AS stay_order, {_WHO} AS who
        FROM {stays}
        WHERE ready_on IS NOT NULL AND inpatient AND NOT kad
          AND ready_on >= $first::DATE AND ready_on < $after::DATE
        """,
        {"first": min(span[0] for span in spans), "after": max(span[1] for span in spans)},
    )
    if READY_DAYS in computations:
        _clear(con, READY_DAYS, "month", ranges.months)
        first, after = ranges.month_span
        con.execute(
            f"""
            INSERT INTO parts
            SELECT '{READY_DAYS}', 'month', {_MONTH.format("ready_on")}, who.m, who.b, who.f,
                   sum(days), 0
            FROM ready
            WHERE ready_on >= $first::DATE AND ready_on < $after::DATE
            GROUP BY ALL
            """,
            {"first": first, "after": after},
        )
    if READY_PATIENTS in computations:
        for kind, unit, units in (
            ("half", _HALF.format("ready_on"), ranges.halves),
            ("year", "year(ready_on)", ranges.years),
        ):
            _clear(con, READY_PATIENTS, kind, units)
            con.execute(
                f"""
                INSERT INTO parts
                SELECT '{READY_PATIENTS}', '{kind}', unit, last.m, last.b, last.f, count(*), 0
                FROM (
                    SELECT key, {unit} AS unit, arg_max(who, stay_order) AS last
                    FROM ready
                    GROUP BY ALL
                )
                WHERE unit BETWEEN $lo AND $hi
                GROUP BY ALL
                """,
                {"lo": units[0], "hi": units[1]},
            )
    con.execute("DROP TABLE ready")


def _heavy_user_parts(con: duckdb.DuckDBPyConnection, stays: str, ranges: _Ranges) -> None:
    """Patients with at least four inpatient hospital admissions in the window of half-year h
    (h - 1 and h), in the municipality of their last one, for the halves in the range."""
    lo, hi = ranges.halves
    _clear(con, HEAVY_USERS, "half", ranges.halves)
    con.execute(
        f"INSERT INTO parts {_heavy_users_query(stays)}",
        {"first": _half_start(lo - 1), "after": _half_start(hi + 1), "lo": lo, "hi": hi},
    )


def _heavy_users_query(stays: str) -> str:
    """Windows h in [$lo, $hi] are the half-years h - 1 and h. Only patients with at least four
    admissions in all the months read can be heavy users: the rest are dropped after one cheap
    count, and the window sums and the last admission are made for the few left."""
    admissions = f"""
        SELECT * FROM {stays}
        WHERE inpatient AND NOT kad AND admitted_at >= $first AND admitted_at < $after
    """
    return f"""
        WITH candidates AS (
            SELECT key FROM ({admissions}) GROUP BY key HAVING count(*) >= {HEAVY_USE_ADMISSIONS}
        ),
        per_half AS (
            SELECT key, {_HALF.format("admitted_at")} AS half, count(*) AS n,
                   arg_max({_WHO}, {_STAY_ORDER}) AS who
            FROM ({admissions}) SEMI JOIN candidates USING (key)
            GROUP BY ALL
        ),
        windows AS (
            SELECT key, half + shift AS window_half, sum(n) AS n, arg_max(who, half) AS who
            FROM per_half, (VALUES (0), (1)) AS shifts(shift)
            GROUP BY ALL
            HAVING sum(n) >= {HEAVY_USE_ADMISSIONS} AND window_half BETWEEN $lo AND $hi
        )
        SELECT '{HEAVY_USERS}', 'half', window_half, who.m, who.b, who.f, count(*), 0
        FROM windows
        GROUP BY ALL
    """


# --- Assembling the cells ------------------------------------------------------------------------


def _covered_halves(con: duckdb.DuckDBPyConnection, stays: str = "stays") -> set[int]:
    rows = con.execute(f"SELECT DISTINCT {_HALF.format('admitted_at')} FROM {stays}").fetchall()
    return {int(row[0]) for row in rows}


def _assemble(
    con: duckdb.DuckDBPyConnection,
    periods: Sequence[Period],
    covered: set[int],
    population: Iterable[PopulationRow],
    municipalities: Collection[str],
    computations: Collection[str],
) -> list[Cell]:
    """Every cell of the grid (computation x period x municipality x age band x sex), with
    numerators summed from the parts and denominators from the parts or the population."""
    numbers = sorted({int(number) for number in municipalities})
    people = _Population(population)
    found = _summed_parts(con, periods, numbers)
    cells = []
    for computation in (c for c in STANDARD_SET if c in computations):
        for period in periods:
            if computation == HEAVY_USERS and not _heavy_users_computable(period, covered):
                continue
            for number in numbers:
                for band_index, band in enumerate(AGE_BAND_CODES):
                    for sex in SEXES:
                        key = (computation, period.code, number, band_index, sex == "f")
                        numerator, denominator = found.get(key, (0, 0))
                        if computation != READMISSION:
                            denominator = people.count(number, period.year, sex, band)
                        cells.append(
                            Cell(
                                computation=computation,
                                municipality=f"{number:04d}",
                                period=period.code,
                                period_start=period.start,
                                period_kind=period.kind,
                                age_band=band,
                                sex=sex,
                                priority_group="",
                                numerator=numerator,
                                denominator=denominator,
                            )
                        )
    return cells


def _heavy_users_computable(period: Period, covered: set[int]) -> bool:
    return period.half is None or period.halves[0] - 1 in covered


def _summed_parts(
    con: duckdb.DuckDBPyConnection, periods: Sequence[Period], numbers: list[int]
) -> dict[tuple[str, str, int, int, bool], tuple[int, int]]:
    """The parts summed into each period: months into half-years and years; heavy users of a
    year are those of its second half (the same twelve months)."""
    mapping = []
    for period in periods:
        for half in period.halves:
            for month in range(half * 6, half * 6 + 6):
                mapping.append((period.code, "month", month, True))
        if period.half is None:
            mapping.append((period.code, "year", period.year, True))
            mapping.append((period.code, "half", period.year * 2 + 1, False))  # heavy users
        else:
            mapping.append((period.code, "half", period.halves[0], True))
    if not mapping or not numbers:
        return {}
    columns = list(zip(*mapping, strict=True))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE wanted AS SELECT UNNEST($period) AS period, "
        "UNNEST($kind) AS kind, UNNEST($unit)::INTEGER AS unit, UNNEST($own) AS own",
        {
            "period": list(columns[0]),
            "kind": list(columns[1]),
            "unit": list(columns[2]),
            "own": list(columns[3]),
        },
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE wanted_municipalities AS "
        "SELECT UNNEST($numbers)::SMALLINT AS municipality",
        {"numbers": numbers},
    )
    rows = con.execute(
        f"""
        SELECT p.computation, w.period, p.municipality, p.band, p.female,
               coalesce(sum(p.numerator), 0), coalesce(sum(p.denominator), 0)
        FROM parts p
        JOIN wanted w ON p.kind = w.kind AND p.unit = w.unit
        WHERE p.municipality IN (SELECT municipality FROM wanted_municipalities)
          AND (
            (p.kind = 'month' AND p.computation IN {tuple(sorted(_MONTHLY))})
            OR (p.kind = 'half' AND w.own
                AND p.computation IN ('{HEAVY_USERS}', '{READY_PATIENTS}'))
            OR (p.kind = 'half' AND NOT w.own AND p.computation = '{HEAVY_USERS}')
            OR (p.kind = 'year' AND p.computation = '{READY_PATIENTS}')
          )
        GROUP BY ALL
        """
    ).fetchall()
    return {
        (computation, period, int(m), int(band), bool(female)): (int(num), int(den))
        for computation, period, m, band, female, num, den in rows
    }


class _Population:
    """Inhabitants per municipality, year, sex and age band; a year the table lacks is read from
    the nearest one it has (an earlier one first)."""

    def __init__(self, rows: Iterable[PopulationRow]) -> None:
        self._counts: dict[tuple[int, int | None, str, str], int] = {}
        self._years: dict[int, set[int]] = {}
        for row in rows:
            number = int(row.municipality)
            key = (number, int(row.year), row.sex, row.age_band)
            self._counts[key] = self._counts.get(key, 0) + int(row.count)
            self._years.setdefault(number, set()).add(int(row.year))

    def count(self, number: int, year: int, sex: str, band: str) -> int:
        return self._counts.get((number, self._nearest(number, year), sex, band), 0)

    @functools.cache  # noqa: B019 - one table per computation, dropped with it
    def _nearest(self, number: int, year: int) -> int | None:
        years = self._years.get(number)
        if not years:
            return None
        return min(years, key=lambda y: (abs(y - year), y > year))


# --- The event store: incremental loads -----------------------------------------------------------

_STAYS_DDL = """
    CREATE TABLE IF NOT EXISTS stays (
        stay_no BIGINT, stay_id VARCHAR, key UHUGEINT, municipality SMALLINT, band UTINYINT,
        female BOOLEAN, admitted_at TIMESTAMP, discharged_at TIMESTAMP, acute BOOLEAN,
        inpatient BOOLEAN, ready_on DATE, kad BOOLEAN
    )
"""
_STORE_DDL = (
    _STAYS_DDL,
    _PARTS_DDL,
    "CREATE TABLE IF NOT EXISTS halves (half INTEGER PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS pending (period VARCHAR PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS meta (name VARCHAR PRIMARY KEY, value VARCHAR)",
)


class EventStore:
    """The protected DuckDB file of one community's recent stays and the aggregates computed
    from them, so a new half-year is added without the files before it (see the module's
    docstring for what is kept and for how long).

    `append(file)` checks the file, adds its stays (a stay id already in the store is replaced
    by the new row, so loading a file twice changes nothing), computes the figures of every month
    and half-year the new stays touch (a readmission reaches 30 days back, a heavy user's window
    twelve months forward) and deletes what is older than the retention; it returns the periods
    whose figures changed. `compute(periods)` returns their cells from the stored aggregates.
    One process at a time may use a store (DuckDB locks the file)."""

    def __init__(self, path: Path, *, retain_days: int = MIN_RETAIN_DAYS) -> None:
        if retain_days < MIN_RETAIN_DAYS:
            raise ValueError(
                f"Oppbevaringstiden må være minst {MIN_RETAIN_DAYS} dager for at et nytt halvår "
                "kan legges til (tolv måneder for storbrukere og 30 dager for reinnleggelser)."
            )
        self.path = Path(path)
        self.retain_days = retain_days

    @contextmanager
    def _open(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _connection(str(self.path)) as con:
            for statement in _STORE_DDL:
                con.execute(statement)
            yield con

    def append(self, events: Path, *, progress: Progress | None = None) -> list[str]:
        """Add the file's stays; return the codes of the periods whose figures changed."""
        report = progress or _no_progress
        with self._open() as con:
            report(2, "Leser filen")
            _load(con, Path(events), "incoming", report, temporary=True, stable_keys=True)
            con.execute("BEGIN TRANSACTION")
            try:
                report(40, "Legger oppholdene til i lageret")
                ranges = self._merge(con)
                _compute_parts(con, ranges, STANDARD_SET, report, start=50, end=92)
                report(93, "Sletter opphold eldre enn oppbevaringstiden")
                self._purge_old_stays(con)
                affected = self._affected(con, ranges)
                if affected:
                    con.execute(
                        "INSERT OR IGNORE INTO pending SELECT UNNEST($codes)",
                        {"codes": [period.code for period in affected]},
                    )
                _set_meta(con, "appended_at", datetime.datetime.now(datetime.UTC).isoformat())
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        report(100, "Ferdig")
        return [period.code for period in affected]

    def compute(
        self,
        periods: Collection[str] | None = None,
        *,
        population: Iterable[PopulationRow],
        municipalities: Collection[str],
        progress: Progress | None = None,
        computations: Collection[str] = STANDARD_SET,
    ) -> list[Cell]:
        """The cells of `periods` (by default those changed by appends since the last call) from
        the stored aggregates; no stay is read."""
        report = progress or _no_progress
        report(5, "Setter sammen tallene")
        with self._open() as con:
            covered = {int(row[0]) for row in con.execute("SELECT half FROM halves").fetchall()}
            asked = periods
            if asked is None:
                asked = [
                    str(row[0]) for row in con.execute("SELECT period FROM pending").fetchall()
                ]
            wanted = _wanted_periods(covered, asked)
            cells = _assemble(con, wanted, covered, population, municipalities, computations)
            if wanted:
                con.execute(
                    "DELETE FROM pending WHERE period IN (SELECT UNNEST($codes))",
                    {"codes": [period.code for period in wanted]},
                )
        report(100, "Ferdig")
        return cells

    def periods(self) -> list[str]:
        """Every period the store has figures for (to compute them all again, for instance
        after the population table changed)."""
        if not self.path.exists():
            return []
        with self._open() as con:
            covered = {int(row[0]) for row in con.execute("SELECT half FROM halves").fetchall()}
        return [period.code for period in _periods_of_halves(covered)]

    def purge_expired(self, now: datetime.datetime | None = None) -> bool:
        """Delete the whole store when nothing has been appended for `retain_days` days."""
        if not self.path.exists():
            return False
        with self._open() as con:
            appended = _get_meta(con, "appended_at")
        moment = now or datetime.datetime.now(datetime.UTC)
        if appended and moment - datetime.datetime.fromisoformat(appended) < datetime.timedelta(
            days=self.retain_days
        ):
            return False
        self.delete()
        return True

    def delete(self) -> None:
        for path in (self.path, self.path.with_name(self.path.name + ".wal")):
            path.unlink(missing_ok=True)

    def _merge(self, con: duckdb.DuckDBPyConnection) -> _Ranges:
        """Replace stays the file has again, add the rest, and return the units to compute."""
        bounds = _one(con, "SELECT min(stay_no), max(stay_no), count(stay_id) FROM incoming")
        assert bounds is not None
        low, high, texts = bounds
        # Whole-number ids can only match inside the file's range of ids: the range lets DuckDB
        # skip the rest of the store.
        id_filter = "s.stay_no BETWEEN $low AND $high" if not texts else "true"
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE replaced AS
            SELECT s.* FROM stays s
            SEMI JOIN incoming i
              ON s.stay_no IS NOT DISTINCT FROM i.stay_no
             AND s.stay_id IS NOT DISTINCT FROM i.stay_id
            WHERE {id_filter}
            """,
            {"low": low, "high": high} if not texts else {},
        )
        changed = _one(
            con,
            """
            SELECT min(admitted_at), max(greatest(discharged_at, ready_on::TIMESTAMP))
            FROM (SELECT admitted_at, discharged_at, ready_on FROM incoming
                  UNION ALL SELECT admitted_at, discharged_at, ready_on FROM replaced)
            """,
        )
        assert changed is not None and changed[0] is not None
        earliest, latest = changed
        ranges = _Ranges(
            (_month_of(earliest - datetime.timedelta(days=30)), _month_of(latest)),
            (_half_of(earliest), _half_of(latest) + 1),
            (earliest.year, latest.year),
        )
        kept_from = _get_meta(con, "kept_from")
        needed_from = min(
            ranges.month_span[0], _half_start(ranges.halves[0] - 1), ranges.year_span[0]
        )
        if kept_from and needed_from < datetime.datetime.fromisoformat(kept_from):
            raise EventFileError(
                f"Filen har opphold fra {earliest:%d.%m.%Y}, men lageret har bare opphold "
                f"utskrevet etter {datetime.datetime.fromisoformat(kept_from):%d.%m.%Y} "
                f"(oppbevaringstid {self.retain_days} dager). Tall for eldre perioder må beregnes "
                "fra én fil med alle periodens opphold."
            )
        if _one(con, "SELECT count(*) FROM replaced") != (0,):
            con.execute(
                """
                DELETE FROM stays s USING replaced r
                WHERE s.stay_no IS NOT DISTINCT FROM r.stay_no
                  AND s.stay_id IS NOT DISTINCT FROM r.stay_id
                """
            )
        # In admission order: old stays then go by whole row groups, and time ranges skip the rest.
        con.execute("INSERT INTO stays SELECT * FROM incoming ORDER BY admitted_at")
        half = _HALF.format("admitted_at")
        con.execute(f"INSERT OR IGNORE INTO halves SELECT DISTINCT {half} FROM incoming")
        con.execute("DROP TABLE incoming")
        con.execute("DROP TABLE replaced")
        return ranges

    def _purge_old_stays(self, con: duckdb.DuckDBPyConnection) -> None:
        """Keep the stays discharged within `retain_days` of the newest admission: everything a
        later half-year's figures need, and no more."""
        newest = _one(con, "SELECT max(admitted_at) FROM stays")
        if not newest or newest[0] is None:
            return
        kept_from = newest[0] - datetime.timedelta(days=self.retain_days)
        deleted = _one(
            con, "DELETE FROM stays WHERE discharged_at < $kept_from", {"kept_from": kept_from}
        )
        # From here on, figures that need older stays can no longer be made from the store.
        if deleted and deleted[0]:
            _set_meta(con, "kept_from", kept_from.isoformat())

    @staticmethod
    def _affected(con: duckdb.DuckDBPyConnection, ranges: _Ranges) -> list[Period]:
        covered = {int(row[0]) for row in con.execute("SELECT half FROM halves").fetchall()}
        first_half, last_half = ranges.months[0] // 6, ranges.halves[1]
        return [
            period
            for period in _periods_of_halves(covered)
            if any(first_half <= half <= last_half for half in period.halves)
        ]


def _month_of(moment: datetime.datetime) -> int:
    return moment.year * 12 + moment.month - 1


def _half_of(moment: datetime.datetime) -> int:
    return moment.year * 2 + (moment.month > 6)


def _get_meta(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    row = _one(con, "SELECT value FROM meta WHERE name = ?", [name])
    return str(row[0]) if row else None


def _set_meta(con: duckdb.DuckDBPyConnection, name: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [name, value])


# --- Plumbing ------------------------------------------------------------------------------------


@contextmanager
def _connection(database: str) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(database)
    try:
        con.execute("SET TimeZone = 'Europe/Oslo'")
        yield con
    finally:
        con.close()


def _one(con: duckdb.DuckDBPyConnection, query: str, params: object = None) -> tuple[Any, ...]:
    """The row of a one-row query, or () for none (read to the end: DuckDB keeps a result that
    is read only in part open, and refuses other work on the connection until it is closed)."""
    rows = (
        con.execute(query, params).fetchall()
        if params is not None
        else con.execute(query).fetchall()
    )
    return rows[0] if rows else ()


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _no_progress(_percent: int, _text: str) -> None:
    return None
