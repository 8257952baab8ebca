"""Reading and checking aggregate tables: figures (numerator and denominator per indicator,
municipality, period and breakdown) and population (inhabitants per municipality, year, sex and
age band). Nothing here writes: `services` stores what a clean file gives.

Formats (the upload form's help text says the same to the user):

* **CSV** separated by semicolon, comma or tab, in UTF-8 (with or without byte order mark) or
  Windows-1252, or **XLSX** (the first sheet), with a header row. Column names are matched
  without regard to case, spaces or underscores; Norwegian and English names are both known.
* **Our own shape**: `indikator`, `kommune`, `periode`, `teller`, `nevner`, optionally
  `aldersgruppe`, `kjønn`, `prioritert_gruppe`. Population: `kommune`, `år`, `kjønn`,
  `aldersgruppe` (or `alder`), `antall`.
* **The statistics banks' long shape** (SSB's statbank CSV download and API, FHI's
  Kommunehelsa/Norgeshelsa, in CSV or JSON-stat 2.0): one value per row, with the columns
  `region`, `tid` (or `år`), a measure column `statistikkvariabel` (or `måltall`,
  `ContentsCode`), optional `kjønn` and `alder`, and the value in `value`/`verdi` or in the
  last column (SSB names it after the table). The region may be "5001", "K-5001" or
  "5001 Trondheim - Tråante". For figures, the rows whose measure is «teller»/«antall» give
  the numerator and «nevner» the denominator; other measures (rates, shares) are left out,
  because the product computes them itself. The indicator is chosen in the form. Cells the bank
  has suppressed or lacks («..», «.», «:») are skipped and counted; «-» is zero. Population
  tables may give single years of age («0 år» … «105 år eller eldre»): they are added up into
  the five standard age bands. Wide tables (one column per year) are not read.

Rules, one Norwegian message per row and column (at most `MAX_SHOWN` are kept, with a count of
the rest): the indicator must be one of the community's own or a national one; the
municipality must be a municipality party of the community; counts are whole, non-negative
numbers; the denominator is above zero, and for a proportion not below the numerator; the same
cell may not occur twice; the period must be the indicator's frequency or a finer one that
nests in it (a yearly indicator takes years, half-years, tertials and months; a half-year one
half-years and months; a tertial one tertials and months; a monthly one months), so that every
figure adds up to the indicator's own periods without splitting anything."""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from helsefellesskap.actionplan.models import PriorityGroup

from .models import AGE_BAND_CODES, AGE_BANDS, Frequency

MAX_SHOWN = 50  # messages kept and shown; the rest are counted
PROGRESS_EVERY = 2000  # rows between two progress reports

Progress = Callable[[int, str], None]


class FileFormatError(Exception):
    """The file cannot be read as a table at all (the message is for the user)."""


# --- Results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorRef:
    """What checking a row needs of an indicator."""

    pk: int
    code: str
    frequency: str
    is_proportion: bool


@dataclass(frozen=True)
class FigureCell:
    indicator_id: int
    municipality_id: int
    period: str
    period_start: datetime.date
    period_kind: str
    age_band: str
    sex: str
    priority_group: str
    numerator: int
    denominator: int

    @property
    def key(self) -> tuple[int, int, str, str, str, str]:
        return (
            self.indicator_id,
            self.municipality_id,
            self.period,
            self.age_band,
            self.sex,
            self.priority_group,
        )


@dataclass(frozen=True)
class PopulationCell:
    municipality_id: int
    year: int
    sex: str
    age_band: str
    count: int

    @property
    def key(self) -> tuple[int, int, str, str]:
        return (self.municipality_id, self.year, self.sex, self.age_band)


@dataclass
class Problems:
    """Messages per row and column; the first `MAX_SHOWN` kept, all counted."""

    items: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0

    def add(self, row: int, column: str, message: str) -> None:
        self.total += 1
        if len(self.items) < MAX_SHOWN:
            self.items.append({"row": row, "column": column, "message": message})

    def __bool__(self) -> bool:
        return self.total > 0

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass
class Parsed:
    cells: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    problems: Problems = field(default_factory=Problems)
    rows_read: int = 0
    skipped: int = 0  # cells the statistics bank left empty or suppressed


# --- Reading a table -----------------------------------------------------------------------------


def _normal(name: Any) -> str:
    """A column name as it is matched: lower case, no spaces, underscores or hyphens."""
    return re.sub(r"[\s_\-]+", "", str(name or "").strip().strip('"').lower())


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _csv_rows(raw: bytes) -> Iterator[tuple[int, list[Any]]]:
    text = _decode(raw)
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for row in reader:
        yield reader.line_num, row


def _xlsx_rows(raw: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook  # only when a spreadsheet comes

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is no workbook
        raise FileFormatError(_("Filen kan ikke leses som et regneark (.xlsx).")) from error
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        book.close()


def _jsonstat_rows(raw: bytes) -> Iterator[tuple[int, list[Any]]]:
    """JSON-stat 2.0 (one dataset) as the long table: one row per value, the dimensions' codes
    (the label for a measure dimension, which says «teller» or «nevner») and the value."""
    try:
        data = json.loads(_decode(raw))
        if data.get("class") == "collection":
            data = data["link"]["item"][0]
        ids: list[str] = list(data["id"])
        dimensions = data["dimension"]
        values = data["value"]
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
        raise FileFormatError(_("Filen er ikke et JSON-stat 2.0-datasett.")) from error
    categories: list[list[str]] = []
    for dimension_id in ids:
        category = dimensions[dimension_id]["category"]
        index = category.get("index")
        if index is None:
            codes = list(category.get("label", {}))
        elif isinstance(index, list):
            codes = list(index)
        else:
            codes = sorted(index, key=index.get)
        if _normal(dimension_id) in _ALIASES["measure"]:
            labels = category.get("label", {})
            codes = [labels.get(code, code) for code in codes]
        categories.append(codes)
    yield 1, [*ids, "value"]
    for position, combination in enumerate(itertools.product(*categories)):
        value = values.get(str(position)) if isinstance(values, dict) else values[position]
        yield position + 2, [*combination, value]


def read_table(raw: bytes, file_name: str) -> Iterator[tuple[int, list[Any]]]:
    """The file's rows with their row numbers as the user sees them, header first."""
    name = file_name.lower()
    if name.endswith(".xlsx") or raw[:2] == b"PK":
        return _xlsx_rows(raw)
    if name.endswith(".json") or raw.lstrip()[:1] == b"{":
        return _jsonstat_rows(raw)
    return _csv_rows(raw)


# Column roles and the names they are known by (after `_normal`).
_ALIASES: dict[str, set[str]] = {
    "indicator": {"indikator", "indikatorkode", "kode", "indicator", "indicatorcode", "code"},
    "municipality": {
        "kommune",
        "kommunenummer",
        "kommunenr",
        "knr",
        "municipality",
        "municipalitynumber",
        "region",
        "geo",
        "sted",
    },
    "period": {"periode", "period", "tid", "år", "aar", "year", "time"},
    "numerator": {"teller", "numerator"},
    "denominator": {"nevner", "denominator"},
    "age_band": {"aldersgruppe", "alder", "agegroup", "ageband", "age"},
    "sex": {"kjønn", "kjonn", "sex", "gender"},
    "priority_group": {"prioritertgruppe", "prioritertpasientgruppe", "prioritygroup"},
    "count": {"antall", "innbyggere", "befolkning", "personer", "count", "population"},
    "measure": {"statistikkvariabel", "måltall", "maltall", "contentscode", "measuretype"},
    "value": {"value", "verdi", "værdi"},
}


def _columns(header: Sequence[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for position, name in enumerate(header):
        normal = _normal(name)
        for role, names in _ALIASES.items():
            if normal in names and role not in found:
                found[role] = position
    return found


def _value_column(header: Sequence[Any], columns: Mapping[str, int]) -> int | None:
    """The statistics banks' value: a `value` column, or the last one when it has no role."""
    if "value" in columns:
        return columns["value"]
    last = len(header) - 1
    return last if last >= 0 and last not in columns.values() else None


# --- Values --------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_COUNT = re.compile(r"^(-?\d+)(?:[.,]0+)?$")
# SSB and FHI's symbols for a value that is missing, cannot occur, or is suppressed.
_NOT_GIVEN = {"..", ".", ":", "…"}


def parse_count(value: Any) -> int | None:
    """A whole number, or None. Spaces as thousands separators and a zero fraction («12,0»:
    a spreadsheet's way of writing 12) are accepted."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    match = _COUNT.match(re.sub(r"[\s\u00a0\u202f]", "", str(value or "")))
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Period:
    code: str
    kind: str
    start: datetime.date


_PERIODS = (
    (re.compile(r"^(\d{4})$"), Frequency.YEAR),
    (re.compile(r"^(\d{4})[-_ ]?[Hh]([12])$"), Frequency.HALF_YEAR),
    (re.compile(r"^(\d{4})[-_ ]?[Tt]([123])$"), Frequency.TERTIAL),
    (re.compile(r"^(\d{4})[-_ ]?[Mm]?(\d{2})$"), Frequency.MONTH),
)


def parse_period(value: Any) -> Period | None:
    """2025, 2025-H1, 2025-T2, 2025-03 (also SSB's 2025H1, 2025M03, and a spreadsheet date)."""
    if isinstance(value, datetime.date):  # a spreadsheet turns «2025-03» into a date
        return Period(f"{value.year}-{value.month:02d}", Frequency.MONTH.value, _month(value))
    text = _text(value)
    for pattern, frequency in _PERIODS:
        match = pattern.match(text)
        if not match:
            continue
        year = int(match.group(1))
        if not 1900 <= year <= 2999:
            return None
        kind: str = frequency.value
        if kind == Frequency.YEAR:
            return Period(str(year), kind, datetime.date(year, 1, 1))
        part = int(match.group(2))
        if kind == Frequency.HALF_YEAR:
            return Period(f"{year}-H{part}", kind, datetime.date(year, 1 + 6 * (part - 1), 1))
        if kind == Frequency.TERTIAL:
            return Period(f"{year}-T{part}", kind, datetime.date(year, 1 + 4 * (part - 1), 1))
        if 1 <= part <= 12:
            return Period(f"{year}-{part:02d}", kind, datetime.date(year, part, 1))
    return None


def _month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, day.month, 1)


# The period kinds an indicator of each frequency takes: its own and the finer ones that nest in
# it (a tertial does not nest in a half-year: May–August straddles both halves).
NESTING: dict[str, set[str]] = {
    Frequency.YEAR: {Frequency.YEAR, Frequency.HALF_YEAR, Frequency.TERTIAL, Frequency.MONTH},
    Frequency.HALF_YEAR: {Frequency.HALF_YEAR, Frequency.MONTH},
    Frequency.TERTIAL: {Frequency.TERTIAL, Frequency.MONTH},
    Frequency.MONTH: {Frequency.MONTH},
}

_SEXES = {
    "": "",
    "alle": "",
    "begge": "",
    "beggekjønn": "",
    "kjønnsamlet": "",
    "ialt": "",
    "totalt": "",
    "0": "",
    "f": "f",
    "k": "f",
    "kvinne": "f",
    "kvinner": "f",
    "female": "f",
    "2": "f",
    "m": "m",
    "mann": "m",
    "menn": "m",
    "male": "m",
    "1": "m",
}


def parse_sex(value: Any) -> str | None:
    return _SEXES.get(_normal(value))


_ALL_AGES = {"", "alle", "allealdre", "ialt", "totalt"}


def _age_text(value: Any) -> str:
    """An age as matched: «0–17 år» → 0-17, «80 år og eldre» → 80+, «000» → 000."""
    text = re.sub(r"\s+", "", _text(value).lower()).replace("–", "-").replace("år", "")
    for suffix in ("ellereldre", "ogeldre", "ogover", "+"):
        if text.endswith(suffix):
            text = text[: -len(suffix)] + "+"
    return text


def _band_of(age: int) -> str:
    for code, low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return code
    return AGE_BAND_CODES[-1]


def parse_age_band(value: Any, *, single_ages: bool = False) -> str | None:
    """One of the five standard bands ("" for all ages), or None. With `single_ages` (population
    tables), a year of age or a range inside one band gives that band."""
    text = _age_text(value)
    if text in _ALL_AGES:
        return ""
    if text in AGE_BAND_CODES:
        return text
    if not single_ages:
        return None
    single = re.match(r"^(\d+)\+?$", text)
    if single:
        return _band_of(int(single.group(1)))
    span = re.match(r"^(\d+)-(\d+)$", text)
    if span and _band_of(int(span.group(1))) == _band_of(int(span.group(2))):
        return _band_of(int(span.group(1)))
    return None


_PRIORITY = {
    **{_normal(value): value for value in PriorityGroup.values},
    **{_normal(label): value for value, label in PriorityGroup.choices},
}


def parse_priority_group(value: Any) -> str | None:
    normal = _normal(value)
    return "" if normal in {"", "alle"} else _PRIORITY.get(normal)


def parse_municipality(value: Any, municipalities: Mapping[str, int]) -> int | None:
    """The party id of a municipality number: "5001", 301 (Excel dropped the zero), "K-5001",
    "5001 Trondheim - Tråante"."""
    text = _text(value)
    match = re.match(r"^(?:K-?)?(\d{3,4})(?:\D.*)?$", text, flags=re.IGNORECASE)
    if not match:
        return None
    return municipalities.get(match.group(1).zfill(4))


# --- Messages ------------------------------------------------------------------------------------


def _period_message(value: Any) -> str:
    return _("«%(value)s» er ikke en periode. Bruk 2025, 2025-H1, 2025-T2 eller 2025-03.") % {
        "value": value
    }


def _nesting_message(period: Period, indicator: IndicatorRef) -> str:
    return _(
        "Perioden %(period)s passer ikke med indikatoren %(code)s, som har tall per "
        "%(frequency)s. Bruk %(frequency)s eller en kortere periode som går opp i den."
    ) % {
        "period": period.code,
        "code": indicator.code,
        "frequency": Frequency(indicator.frequency).label.lower(),
    }


def _count_message(value: Any) -> str:
    return _("«%(value)s» er ikke et helt tall.") % {"value": value}


def _missing_columns(needed: Sequence[str], columns: Mapping[str, int]) -> list[str]:
    names = {
        "indicator": _("indikator"),
        "municipality": _("kommune"),
        "period": _("periode"),
        "numerator": _("teller"),
        "denominator": _("nevner"),
        "count": _("antall"),
        "sex": _("kjønn"),
        "age_band": _("aldersgruppe"),
    }
    return [names[role] for role in needed if role not in columns]


# --- Checking one row ---------------------------------------------------------------------------


class _Row:
    """One row's values by role, whichever shape they came in, and where each came from (row and
    column as the user sees them), so every problem names its row and column."""

    def __init__(self, context: _Context, line: int, names: Mapping[str, str]):
        self.context, self.line, self.names = context, line, names
        self.values: dict[str, Any] = {}
        self.lines: dict[str, int] = {}
        self.failed = False

    def raw(self, role: str) -> Any:
        return self.values.get(role)

    def problem(self, role: str, message: str) -> None:
        self.failed = True
        line = self.lines.get(role, self.line)
        self.context.parsed.problems.add(line, self.names.get(role, ""), message)

    def municipality(self) -> int | None:
        value = self.raw("municipality")
        found = parse_municipality(value, self.context.municipalities)
        if found is None:
            if not _text(value):
                self.problem("municipality", _("Kommunenummeret mangler."))
            else:
                self.problem(
                    "municipality",
                    _("«%(value)s» er ikke en kommune i helsefellesskapet.")
                    % {"value": _text(value)},
                )
        return found

    def count(self, role: str, missing: str) -> int | None:
        value = self.raw(role)
        if _text(value) == "-":  # the statistics banks' zero
            return 0
        if not _text(value):
            self.problem(role, missing)
            return None
        number = parse_count(value)
        if number is None:
            self.problem(role, _count_message(_text(value)))
        elif number < 0:
            self.problem(role, _("Tallet kan ikke være negativt (%(n)s).") % {"n": number})
            return None
        return number

    def sex(self) -> str:
        value = self.raw("sex")
        sex = parse_sex(value)
        if sex is None:
            self.problem(
                "sex",
                _("«%(value)s» er ikke et kjønn. Bruk k eller m (tomt: begge).")
                % {"value": _text(value)},
            )
            return ""
        return sex

    def age_band(self, *, single_ages: bool = False) -> str:
        value = self.raw("age_band")
        band = parse_age_band(value, single_ages=single_ages)
        if band is None:
            self.problem(
                "age_band",
                _("«%(value)s» er ikke en aldersgruppe. Bruk %(bands)s (tomt: alle aldre).")
                % {"value": _text(value), "bands": ", ".join(AGE_BAND_CODES)},
            )
            return ""
        return band

    def priority_group(self) -> str:
        value = self.raw("priority_group")
        group = parse_priority_group(value)
        if group is None:
            self.problem(
                "priority_group",
                _("«%(value)s» er ikke en prioritert pasientgruppe. Bruk %(groups)s.")
                % {"value": _text(value), "groups": ", ".join(PriorityGroup.values)},
            )
            return ""
        return group

    def indicator(self) -> IndicatorRef | None:
        code = _text(self.raw("indicator"))
        found = self.context.indicators.get(code.lower())
        if found is None and not code:
            self.problem("indicator", _("Indikatorkoden mangler."))
        elif found is None:
            self.problem(
                "indicator",
                _(
                    "Ukjent indikator «%(code)s». Bruk koden til en av fellesskapets egne "
                    "indikatorer eller en nasjonal indikator."
                )
                % {"code": code},
            )
        return found

    def period(self, indicator: IndicatorRef | None) -> Period | None:
        period = parse_period(self.raw("period"))
        if period is None:
            self.problem("period", _period_message(_text(self.raw("period"))))
        elif indicator and period.kind not in NESTING[indicator.frequency]:
            self.problem("period", _nesting_message(period, indicator))
            return None
        return period


def _check_counts(row: _Row, indicator: IndicatorRef | None, numerator: int, denominator: int):
    if denominator == 0:
        row.problem("denominator", _("Nevneren må være større enn 0."))
    elif indicator and indicator.is_proportion and numerator > denominator:
        row.problem(
            "numerator",
            _(
                "Telleren (%(numerator)s) er større enn nevneren (%(denominator)s), men "
                "%(code)s er en andel."
            )
            % {"numerator": numerator, "denominator": denominator, "code": indicator.code},
        )


def _figure(row: _Row, indicator: IndicatorRef | None) -> FigureCell | None:
    """Check a row of figures (its indicator already read); the cell, or None."""
    municipality = row.municipality()
    period = row.period(indicator)
    numerator = row.count("numerator", _("Telleren mangler."))
    denominator = row.count("denominator", _("Nevneren mangler."))
    if numerator is not None and denominator is not None:
        _check_counts(row, indicator, numerator, denominator)
    age_band = row.age_band()
    sex = row.sex()
    priority_group = row.priority_group()
    if row.failed or indicator is None or municipality is None or period is None:
        return None
    assert numerator is not None and denominator is not None
    return FigureCell(
        indicator_id=indicator.pk,
        municipality_id=municipality,
        period=period.code,
        period_start=period.start,
        period_kind=period.kind,
        age_band=age_band,
        sex=sex,
        priority_group=priority_group,
        numerator=numerator,
        denominator=denominator,
    )


# --- Figures -------------------------------------------------------------------------------------


@dataclass
class _Context:
    indicators: Mapping[str, IndicatorRef]
    municipalities: Mapping[str, int]
    parsed: Parsed
    progress: Progress | None
    first_line: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def counted(self) -> None:
        self.parsed.rows_read += 1
        if self.progress and self.parsed.rows_read % PROGRESS_EVERY == 0:
            self.progress(0, _("Har lest %(n)s rader") % {"n": self.parsed.rows_read})

    def first(self, key: tuple[Any, ...], line: int) -> int | None:
        """The row where this key was first seen, if it was seen before."""
        first = self.first_line.setdefault(key, line)
        return first if first != line else None

    def duplicate(self, key: tuple[Any, ...], line: int) -> bool:
        first = self.first(key, line)
        if first is not None:
            self.parsed.problems.add(line, "", _duplicate_message(first))
        return first is not None


def _duplicate_message(first: int) -> str:
    return _("Samme celle som rad %(first)s (samme kommune, periode og fordeling).") % {
        "first": first
    }


def _names(header: Sequence[Any], columns: Mapping[str, int]) -> dict[str, str]:
    return {role: _text(header[position]) for role, position in columns.items()}


def _by_role(values: Sequence[Any], columns: Mapping[str, int]) -> dict[str, Any]:
    return {
        role: values[position] if position < len(values) else None
        for role, position in columns.items()
    }


def _blank(values: Sequence[Any]) -> bool:
    return not any(_text(value) for value in values)


Rows = Iterator[tuple[int, list[Any]]]


def _read(parsed: Parsed, raw: bytes, file_name: str, reader: Callable[[Rows, list[Any]], None]):
    """Run `reader` on the file's rows after its header; a file that cannot be read is one
    problem, on row 0 (the file)."""
    try:
        rows = read_table(raw, file_name)
        header = _header(rows)
        reader(rows, header)
    except FileFormatError as error:
        parsed.problems.add(0, "", str(error))
    except (csv.Error, UnicodeError) as error:
        parsed.problems.add(
            0, "", _("Filen kan ikke leses som CSV (%(error)s).") % {"error": error}
        )


def _header(rows: Rows) -> list[Any]:
    for _number, row in rows:
        if not _blank(row):
            return row
    raise FileFormatError(_("Filen er tom."))


def parse_figures(
    raw: bytes,
    file_name: str,
    *,
    indicators: Mapping[str, IndicatorRef],
    municipalities: Mapping[str, int],
    indicator: IndicatorRef | None = None,
    progress: Progress | None = None,
) -> Parsed:
    """Read and check a table of figures. `indicators` by lower-cased code; `municipalities`
    number → party id; `indicator`: the one a statistics-bank table (without an indicator
    column) is about."""
    parsed = Parsed()
    context = _Context(indicators, municipalities, parsed, progress)

    def reader(rows: Rows, header: list[Any]) -> None:
        columns = _columns(header)
        if "measure" in columns and "numerator" not in columns:
            _statbank_figures(context, rows, header, columns, indicator)
        else:
            _own_figures(context, rows, header, columns)

    _read(parsed, raw, file_name, reader)
    return parsed


def _missing_message(missing: Sequence[str]) -> str:
    return _(
        "Filen mangler kolonnen eller kolonnene %(columns)s. Se hvilke kolonner som kan brukes "
        "under skjemaet."
    ) % {"columns": ", ".join(f"«{name}»" for name in missing)}


def _own_figures(context: _Context, rows: Rows, header: list[Any], columns: dict[str, int]):
    needed = ["indicator", "municipality", "period", "numerator", "denominator"]
    missing = _missing_columns(needed, columns)
    if missing:
        context.parsed.problems.add(0, "", _missing_message(missing))
        return
    names = _names(header, columns)
    for line, values in rows:
        if _blank(values):
            continue
        context.counted()
        row = _Row(context, line, names)
        row.values = _by_role(values, columns)
        cell = _figure(row, row.indicator())
        if cell is not None and not context.duplicate(cell.key, line):
            context.parsed.cells[cell.key] = cell


_NUMERATOR_MEASURES = ("teller", "antall", "numerator")
_DENOMINATOR_MEASURES = ("nevner", "denominator")
_CELL_ROLES = ("municipality", "period", "sex", "age_band", "priority_group")


def _measure_role(value: Any) -> str | None:
    normal = _normal(value)
    if normal.startswith(_NUMERATOR_MEASURES):
        return "numerator"
    if normal.startswith(_DENOMINATOR_MEASURES):
        return "denominator"
    return None


def _statbank_figures(
    context: _Context,
    rows: Rows,
    header: list[Any],
    columns: dict[str, int],
    indicator: IndicatorRef | None,
) -> None:
    """The long shape: a numerator row and a denominator row per cell, paired here."""
    value_column = _value_column(header, columns)
    missing = _missing_columns(["municipality", "period"], columns)
    if value_column is None:
        missing.append(_("verdi"))
    if missing:
        context.parsed.problems.add(0, "", _missing_message(missing))
        return
    if indicator is None:
        context.parsed.problems.add(
            0,
            "",
            _(
                "Tabellen har ingen indikatorkolonne: velg i skjemaet hvilken indikator "
                "den gjelder."
            ),
        )
        return
    assert value_column is not None
    names = _names(header, columns)
    value_name = _text(header[value_column])
    cells: dict[tuple[Any, ...], _Row] = {}
    suppressed: set[tuple[Any, ...]] = set()
    for line, values in rows:
        if _blank(values):
            continue
        context.counted()
        by_role = _by_role(values, columns)
        role = _measure_role(by_role.get("measure"))
        if role is None:
            continue  # a rate or a share: the product computes its own
        key = tuple(_text(by_role.get(name)) for name in _CELL_ROLES)
        value = values[value_column] if value_column < len(values) else None
        if _text(value) in _NOT_GIVEN:
            suppressed.add(key)
            continue
        row = cells.get(key)
        if row is None:
            row = cells[key] = _Row(context, line, {**names, "numerator": value_name,
                                                   "denominator": value_name})  # fmt: skip
            row.values = {name: by_role.get(name) for name in _CELL_ROLES}
        if role in row.lines:
            context.parsed.problems.add(line, value_name, _duplicate_message(row.lines[role]))
            continue
        row.values[role], row.lines[role] = value, line
    context.parsed.skipped = len(suppressed)
    for key, row in cells.items():
        if key in suppressed:
            continue
        if "denominator" not in row.lines:
            row.problem("measure", _("Tabellen har teller, men ikke nevner, for denne cellen."))
        elif "numerator" not in row.lines:
            row.problem("measure", _("Tabellen har nevner, men ikke teller, for denne cellen."))
        else:
            cell = _figure(row, indicator)
            if cell is not None and not context.duplicate(cell.key, row.line):
                context.parsed.cells[cell.key] = cell


# --- Population ----------------------------------------------------------------------------------


def parse_population(
    raw: bytes,
    file_name: str,
    *,
    municipalities: Mapping[str, int],
    progress: Progress | None = None,
) -> Parsed:
    """Read and check a population table; single years of age are added up into the bands."""
    parsed = Parsed()
    context = _Context({}, municipalities, parsed, progress)
    _read(parsed, raw, file_name, lambda rows, header: _population(context, rows, header))
    return parsed


def _population(context: _Context, rows: Rows, header: list[Any]) -> None:
    columns = _columns(header)
    if "count" not in columns:
        value_column = _value_column(header, columns)
        if value_column is not None:
            columns["count"] = value_column
    missing = _missing_columns(["municipality", "period", "sex", "age_band", "count"], columns)
    if missing:
        context.parsed.problems.add(0, "", _missing_message(missing))
        return
    names = _names(header, columns)
    totals: dict[tuple[int, int, str, str], int] = {}
    for line, values in rows:
        if _blank(values):
            continue
        context.counted()
        row = _Row(context, line, names)
        row.values = _by_role(values, columns)
        if _text(row.raw("count")) in _NOT_GIVEN:
            context.parsed.skipped += 1
            continue
        municipality = row.municipality()
        year = _year(row)
        sex = row.sex()
        if not sex and not row.failed:
            row.problem("sex", _("Befolkningstall må være fordelt på kvinner og menn."))
        band = row.age_band(single_ages=True)
        if not band and not row.failed:
            row.problem("age_band", _("Befolkningstall må være fordelt på aldersgrupper."))
        count = row.count("count", _("Antallet mangler."))
        if row.failed or municipality is None or year is None or count is None:
            continue
        if context.duplicate((municipality, year, sex, _age_text(row.raw("age_band"))), line):
            continue
        key = (municipality, year, sex, band)
        totals[key] = totals.get(key, 0) + count
    for (municipality, year, sex, band), count in totals.items():
        cell = PopulationCell(municipality, year, sex, band, count)
        context.parsed.cells[cell.key] = cell


def _year(row: _Row) -> int | None:
    text = _text(row.raw("period"))
    if re.match(r"^\d{4}$", text) and 1900 <= int(text) <= 2999:
        return int(text)
    row.problem("period", _("«%(value)s» er ikke et årstall.") % {"value": text})
    return None
