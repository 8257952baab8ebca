"""Files out and in: the status report for ASU as PDF and spreadsheet, the plan as spreadsheet
and JSON, the spreadsheet template, and the import of either format."""

import io
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from helsefellesskap.actionplan import policies
from helsefellesskap.core import access
from helsefellesskap.core.pages import community_context, submit
from helsefellesskap.organisation.policies import community_or_deny

from . import planfile, selectors, services, spreadsheet
from .forms import ImportForm
from .views import chosen_version, plan_context, plan_crumbs

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_FILLS = {
    "completed": "C6EFCE",
    "in_progress": "DDEBF7",
    "started": "DDEBF7",
    "postponed": "FFEB9C",
    "cancelled": "E7E6E6",
}


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _status_plan(request, slug, plan_slug):
    community = community_or_deny(request.user, slug)
    plan = policies.plan_or_deny(request.user, community, plan_slug)
    if not policies.can_view_plan_status(request.user, plan):
        access.deny(request.user, community)
    return plan, chosen_version(request, plan)


def status_report_rows(version):
    measures = selectors.measures_with_status(version)
    return timezone.localdate(), measures, selectors.progress(version, measures)


def status_report_pdf(request, slug, plan_slug):
    from weasyprint import HTML

    plan, version = _status_plan(request, slug, plan_slug)
    today, measures, progress = status_report_rows(version)
    html = render_to_string(
        "actionplan/status_report_pdf.html",
        {
            "plan": plan,
            "version": version,
            "today": today,
            "measures": measures,
            "progress": progress,
            "status_labels": selectors.STATUS_LABELS,
        },
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    name = f"statusrapport-{slugify(plan.title)}-{today:%Y-%m-%d}.pdf"
    return _download(pdf, name, "application/pdf")


def status_report_xlsx(request, slug, plan_slug):
    plan, version = _status_plan(request, slug, plan_slug)
    today, measures, progress = status_report_rows(version)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Status")
    sheet.append(
        [plan.title, f"{version.label}", _("Status per %(date)s") % {"date": f"{today:%d.%m.%Y}"}]
    )
    sheet.append([])
    header = [
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
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for m in measures:
        owners = ", ".join(str(b) for b in m.responsible_bodies.all()) or m.responsible_text
        sheet.append(
            [
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
        )
        fill = STATUS_FILLS.get(m.status)
        if fill:
            sheet.cell(row=sheet.max_row, column=7).fill = PatternFill("solid", fgColor=fill)
        sheet.cell(row=sheet.max_row, column=8).number_format = "DD.MM.YYYY"
    for column, width in zip("ABCDEFGHIJ", [28, 36, 9, 60, 22, 12, 14, 12, 40, 10], strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A4"
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
            summary.append(
                [
                    row.label,
                    row.total,
                    *[row.counts.get(s, 0) for s in selectors.STATUS_ORDER],
                    row.overdue,
                ]
            )
    summary.column_dimensions["A"].width = 50
    out = io.BytesIO()
    book.save(out)
    name = f"statusrapport-{slugify(plan.title)}-{today:%Y-%m-%d}.xlsx"
    return _download(out.getvalue(), name, XLSX)


def plan_export(request, slug, plan_slug, fmt):
    community = community_or_deny(request.user, slug)
    plan = policies.plan_or_deny(request.user, community, plan_slug)
    version = chosen_version(request, plan)
    data = planfile.version_to_data(version)
    name = f"{slugify(plan.title)}-v{version.number}"
    if fmt == "json":
        content = json.dumps(data, ensure_ascii=False, indent=2).encode()
        return _download(content, f"{name}.json", "application/json")
    return _download(spreadsheet.data_to_workbook(data), f"{name}.xlsx", XLSX)


def template_xlsx(request, slug):
    """An empty plan spreadsheet with one example row, for secretariats starting from scratch."""
    community_or_deny(request.user, slug)
    year = timezone.localdate().year
    example = {
        "format": planfile.FORMAT,
        "title": _("Handlingsplan for helsefellesskapet"),
        "motto": "",
        "period_start": year,
        "period_end": year + 3,
        "source": "",
        "version": {"label": _("Utkast"), "status": "draft", "note": ""},
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
                                "priority_groups": ["frail_elderly"],
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
    return _download(spreadsheet.data_to_workbook(example), "handlingsplan-mal.xlsx", XLSX)


def read_upload(upload) -> tuple[dict | None, planfile.PlanFileErrors]:
    raw = upload.read()
    if upload.name.lower().endswith(".json"):
        return planfile.parse_json(raw)
    return spreadsheet.workbook_to_data(raw)


@login_required
@require_http_methods(["GET", "POST"])
def plan_import(request, slug, plan_slug=None):
    """Import a new plan, or (with `plan_slug`) a new draft version of a plan."""
    community = community_or_deny(request.user, slug, admin=True)
    plan = None
    if plan_slug:
        plan = policies.plan_or_deny(request.user, community, plan_slug, edit=True)
    form = ImportForm(request.POST or None, request.FILES or None)

    def save(data):
        parsed, problems = read_upload(data["file"])
        if not problems:
            try:
                return services.plan_import(
                    actor=request.user, community=community, data=parsed, plan=plan
                )
            except services.PlanImportError as error:
                problems = error.errors
        # One message per row; the form's error summary lists them and nothing was stored.
        raise ValidationError(problems.as_text())

    version = submit(request, form, save, _("%(name)s er importert."))
    if version:
        return redirect(f"{version.plan.get_absolute_url()}?versjon={version.number}")
    if plan:
        title = _("Importer ny versjon av %(plan)s") % {"plan": plan.title}
    else:
        title = _("Importer handlingsplan")
    if plan:
        context = plan_context(request, plan, None, "versions", plan_crumbs(plan, (title, None)))
    else:
        context = community_context(request, community, "plans", [(title, None)])
    context.update(form=form, title=title)
    return render(request, "actionplan/import.html", context)
