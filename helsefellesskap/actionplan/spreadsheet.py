"""The spreadsheets. A plan as a spreadsheet, for secretariats who work in Excel: three sheets
(Plan, Innsatsområder, Mål og tiltak) that hold exactly what the JSON format holds, so export →
import loses nothing. Reading gives the same dict as the JSON format, validated by
`planfile.validate`. Also the empty template to start from, and the status report for ASU."""

import io
import zipfile
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from . import planfile, selectors
from .models import Measure, PlanVersion, PriorityGroup, StatusReport
from .selectors import ProgressRow

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PLAN_SHEET, AREA_SHEET, ROW_SHEET = "Plan", "Innsatsområder", "Mål og tiltak"
PLAN_KEYS = [
    ("title", "Tittel"),
    ("motto", "Visjon"),
    ("period_start", "Fra år"),
    ("period_end", "Til år"),
    ("source", "Kilde"),
    ("version.label", "Versjon"),
    ("version.status", "Status (draft, recommended, adopted)"),
    ("version.recommended_on", "Innstilt dato"),
    ("version.recommended_by", "Innstilt av"),
    ("version.adopted_on", "Vedtatt dato"),
    ("version.adopted_by", "Vedtatt av"),
    ("version.note", "Merknad"),
]
AREA_COLUMNS = ["Nr", "Innsatsområde", "Beskrivelse"]
FIXED_COLUMNS = [
    "Innsatsområde",
    "Mål nr",
    "Mål",
    "Tiltak nr",
    "Tiltak",
    "Ansvarlige organer",
    "Ansvarlig (fritekst)",
]
TAIL_COLUMNS = ["Prioriterte pasientgrupper", "Henvisninger", "Merknad", "Dokumenter"]
LIST_SEPARATOR = ";"
GROUP_LABELS = {code: str(label) for code, label in PriorityGroup.choices}
GROUP_CODES = {label.lower(): code for code, label in GROUP_LABELS.items()}


def _split(value) -> list[str]:
    return [part.strip() for part in str(value or "").split(LIST_SEPARATOR) if part.strip()]


def data_to_workbook(data: dict) -> bytes:
    """Write a plan (the JSON format) as an .xlsx file."""
    years = sorted(
        {
            int(y)
            for a in data["focus_areas"]
            for g in a["goals"]
            for m in g["measures"]
            for y in m["years"]
        }
        | set(range(int(data["period_start"]), int(data["period_end"]) + 1))
    )
    book = Workbook()
    sheet = book.active
    sheet.title = PLAN_SHEET
    version = data.get("version", {})
    for key, label in PLAN_KEYS:
        value = version.get(key[8:], "") if key.startswith("version.") else data.get(key, "")
        sheet.append([label, value])
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 80

    areas = book.create_sheet(AREA_SHEET)
    areas.append(AREA_COLUMNS)
    for area in data["focus_areas"]:
        areas.append([area["code"], area["title"], area.get("description", "")])

    rows = book.create_sheet(ROW_SHEET)
    rows.append(FIXED_COLUMNS + [str(y) for y in years] + TAIL_COLUMNS)
    for area in data["focus_areas"]:
        for goal in area["goals"]:
            if not goal["measures"]:
                rows.append([area["code"], goal["code"], goal["title"]])
            for m in goal["measures"]:
                year_cells = [
                    (m["years"].get(str(y), m["years"].get(y)) or "x")
                    if (str(y) in m["years"] or y in m["years"])
                    else ""
                    for y in years
                ]
                rows.append(
                    [
                        area["code"],
                        goal["code"],
                        goal["title"],
                        m["code"],
                        m["text"],
                        f"{LIST_SEPARATOR} ".join(m["responsible"]),
                        m["responsible_text"],
                        *year_cells,
                        f"{LIST_SEPARATOR} ".join(GROUP_LABELS[g] for g in m["priority_groups"]),
                        f"{LIST_SEPARATOR} ".join(m["references"]),
                        m["note"],
                        f"{LIST_SEPARATOR} ".join(
                            f"{d['title']} | {d['url']}" for d in m["documents"]
                        ),
                    ]
                )
    for sheet in (areas, rows):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFG", [8, 8, 40, 10, 70, 24, 24], strict=True):
        rows.column_dimensions[column].width = width
    for row in rows.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return _bytes(book)


def _bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_workbook(year: int) -> bytes:
    """An empty plan spreadsheet with one example row, for secretariats starting from scratch."""
    example = {
        "format": planfile.FORMAT,
        "title": _("Handlingsplan for helsefellesskapet"),
        "motto": "",
        "period_start": year,
        "period_end": year + 3,
        "source": "",
        "version": {"label": _("Utkast"), "status": PlanVersion.Status.DRAFT.value, "note": ""},
        "focus_areas": [
            {
                "code": "1",
                "title": _("Helhetlige og sammenhengende pasientforløp"),
                "description": "",
                "goals": [
                    {
                        "code": "1",
                        "title": _("Pasienten opplever en sømløs og sammenhengende helsetjeneste"),
                        "measures": [
                            {
                                "code": "1 a)",
                                "text": _("Prioritere oppstart av pasientgruppen skrøpelige eldre"),
                                "responsible": ["ASU"],
                                "responsible_text": "",
                                "years": {str(year): ""},
                                "priority_groups": [PriorityGroup.FRAIL_ELDERLY.value],
                                "references": [],
                                "note": "",
                                "documents": [],
                            }
                        ],
                    }
                ],
            }
        ],
    }
    return data_to_workbook(example)


# --- The status report for ASU -------------------------------------------------------------------

Status = StatusReport.Status
STATUS_FILLS: dict[str, str] = {
    Status.COMPLETED: "C6EFCE",
    Status.IN_PROGRESS: "DDEBF7",
    Status.STARTED: "DDEBF7",
    Status.POSTPONED: "FFEB9C",
    Status.CANCELLED: "E7E6E6",
}
STATUS_COLUMN, DATE_COLUMN = 7, 8
STATUS_WIDTHS = [28, 36, 9, 60, 22, 12, 14, 12, 40, 10]


def status_workbook(summary: selectors.StatusSummary) -> bytes:
    """The status of every measure (sheet Status) and the counts (sheet Oppsummering)."""
    plan, version, today = summary.plan, summary.version, summary.today
    book = Workbook()
    sheet = book.active
    sheet.title = _("Status")
    sheet.append(
        [plan.title, f"{version.label}", _("Status per %(date)s") % {"date": f"{today:%d.%m.%Y}"}]
    )
    sheet.append([])
    sheet.append(
        [
            _("Innsatsområde"),
            _("Mål"),
            _("Tiltak nr"),
            _("Tiltak"),
            _("Ansvarlig"),
            _("År"),
            _("Status"),
            _("Statusdato"),
            _("Kommentar"),
            _("Forsinket"),
        ]
    )
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for m in summary.measures:
        sheet.append(_status_row(m))
        fill = STATUS_FILLS.get(m.status)
        if fill:
            sheet.cell(row=sheet.max_row, column=STATUS_COLUMN).fill = PatternFill(
                "solid", fgColor=fill
            )
        sheet.cell(row=sheet.max_row, column=DATE_COLUMN).number_format = "DD.MM.YYYY"
    for column, width in zip("ABCDEFGHIJ", STATUS_WIDTHS, strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A4"
    _summary_sheet(book, summary.progress)
    return _bytes(book)


def _status_row(m: Measure) -> list[Any]:
    owners = ", ".join(str(b) for b in m.responsible_bodies.all()) or m.responsible_text
    return [
        f"{m.goal.focus_area.code} {m.goal.focus_area.title}",
        f"{m.goal.code} {m.goal.title}",
        m.code,
        m.text,
        owners,
        ", ".join(str(y) for y in m.year_list),
        str(selectors.STATUS_LABELS[m.status]),
        m.report.reported_on if m.report else None,
        m.report.text if m.report else "",
        _("Ja") if m.is_overdue else "",
    ]


def _summary_sheet(book: Workbook, progress: dict[str, list[ProgressRow]]) -> None:
    summary = book.create_sheet(_("Oppsummering"))
    summary.append(
        [
            _("Gruppe"),
            _("Tiltak"),
            *[str(selectors.STATUS_LABELS[s]) for s in selectors.STATUS_ORDER],
            _("Forsinket"),
        ]
    )
    for cell in summary[1]:
        cell.font = Font(bold=True)
    for title, rows in [
        (_("Innsatsområde"), progress["areas"]),
        (_("Organ"), progress["bodies"]),
        (_("År"), progress["years"]),
    ]:
        summary.append([title])
        summary.cell(row=summary.max_row, column=1).font = Font(bold=True)
        for row in rows:
            summary.append([row.label, row.total, *row.cells(), row.overdue])
    summary.column_dimensions["A"].width = 50


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def workbook_to_data(raw: bytes) -> tuple[dict | None, planfile.PlanFileErrors]:
    """Read an .xlsx file into the JSON format. Structural problems are reported row by row."""
    errors = planfile.PlanFileErrors()
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError):
        errors.add(_("Filen"), _("Filen er ikke et regneark (.xlsx)."))
        return None, errors
    missing = [name for name in (PLAN_SHEET, AREA_SHEET, ROW_SHEET) if name not in book.sheetnames]
    if missing:
        errors.add(
            _("Filen"),
            _("Regnearket mangler arket «%(sheet)s». Bruk malen.") % {"sheet": missing[0]},
        )
        return None, errors

    labels = {label: key for key, label in PLAN_KEYS}
    data: dict = {"format": planfile.FORMAT, "version": {}, "focus_areas": []}
    for row in book[PLAN_SHEET].iter_rows(values_only=True):
        if not row or row[0] is None:
            continue
        key = labels.get(_cell(row[0]))
        value = row[1] if len(row) > 1 else None
        if key is None:
            continue
        if key.startswith("version."):
            data["version"][key[8:]] = (
                value.isoformat()[:10]
                if value is not None and hasattr(value, "isoformat")
                else _cell(value)
            )
        elif key in ("period_start", "period_end") and _cell(value).isdigit():
            data[key] = int(_cell(value))
        else:
            data[key] = _cell(value)

    areas: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(book[AREA_SHEET].iter_rows(values_only=True), start=1):
        if number == 1 or not row or all(v is None for v in row):
            continue
        code = _cell(row[0])
        area: dict[str, Any] = {
            "code": code,
            "title": _cell(row[1] if len(row) > 1 else ""),
            "description": _cell(row[2] if len(row) > 2 else ""),
            "goals": [],
        }
        areas[code] = area
        data["focus_areas"].append(area)

    sheet_rows = book[ROW_SHEET].iter_rows(values_only=True)
    header = [_cell(v) for v in next(sheet_rows, [])]
    if header[: len(FIXED_COLUMNS)] != FIXED_COLUMNS:
        errors.add(ROW_SHEET, _("Kolonnene stemmer ikke med malen."))
        return None, errors
    year_columns = []
    for index in range(len(FIXED_COLUMNS), len(header)):
        if header[index].isdigit():
            year_columns.append((index, header[index]))
    tail_start = len(FIXED_COLUMNS) + len(year_columns)
    goals: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(sheet_rows, start=2):
        row = [_cell(v) for v in row] + [""] * (len(header) - len(row))
        if not any(row):
            continue
        where = _("Rad %(n)s") % {"n": number}
        row_area = areas.get(row[0])
        if row_area is None:
            errors.add(where, _("Innsatsområdet «%(code)s» finnes ikke.") % {"code": row[0]})
            continue
        goal: dict[str, Any] | None = goals.get(row[1])
        if goal is None:
            goal = {"code": row[1], "title": row[2], "measures": []}
            goals[row[1]] = goal
            row_area["goals"].append(goal)
        if not row[3] and not row[4]:
            continue
        groups = []
        for label in _split(row[tail_start]):
            code = GROUP_CODES.get(label.lower(), label)
            groups.append(code)
        documents = []
        for item in _split(row[tail_start + 3]):
            title, _sep, url = item.partition("|")
            documents.append({"title": title.strip(), "url": url.strip()})
        goal["measures"].append(
            {
                "code": row[3],
                "text": row[4],
                "responsible": _split(row[5]),
                "responsible_text": row[6],
                "years": {
                    year: ("" if row[index].lower() == "x" else row[index])
                    for index, year in year_columns
                    if row[index]
                },
                "priority_groups": groups,
                "references": _split(row[tail_start + 1]),
                "note": row[tail_start + 2],
                "documents": documents,
            }
        )
    return (None if errors else data), errors
