"""Files out and in: the status report for ASU as PDF and spreadsheet, the plan as spreadsheet
and JSON, the spreadsheet template, and the import of either format."""

import io
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from helsefellesskap.actionplan import policies
from helsefellesskap.core.pages import community_context, submit
from helsefellesskap.organisation.policies import community_or_deny

from . import pdf, planfile, selectors, services, spreadsheet
from .forms import ImportForm
from .views import chosen_version, plan_context, plan_crumbs, status_plan


def _download(content: bytes, filename: str, content_type: str) -> FileResponse:
    return FileResponse(
        io.BytesIO(content), as_attachment=True, filename=filename, content_type=content_type
    )


def _status_name(summary: selectors.StatusSummary, extension: str) -> str:
    return f"statusrapport-{slugify(summary.plan.title)}-{summary.today:%Y-%m-%d}.{extension}"


@require_safe
def status_report_pdf(request, slug, plan_slug):
    _plan, version = status_plan(request, slug, plan_slug)
    summary = selectors.status_summary(request.user, version)
    content = pdf.status_pdf(summary, base_url=request.build_absolute_uri("/"))
    return _download(content, _status_name(summary, "pdf"), "application/pdf")


@require_safe
def status_report_xlsx(request, slug, plan_slug):
    _plan, version = status_plan(request, slug, plan_slug)
    summary = selectors.status_summary(request.user, version)
    content = spreadsheet.status_workbook(summary)
    return _download(content, _status_name(summary, "xlsx"), spreadsheet.CONTENT_TYPE)


@require_safe
def plan_export(request, slug, plan_slug, fmt):
    community = community_or_deny(request.user, slug)
    plan = policies.plan_or_deny(request.user, community, plan_slug)
    version = chosen_version(request, plan)
    data = planfile.version_to_data(version)
    name = f"{slugify(plan.title)}-v{version.number}"
    if fmt == "json":
        content = json.dumps(data, ensure_ascii=False, indent=2).encode()
        return _download(content, f"{name}.json", "application/json")
    return _download(spreadsheet.data_to_workbook(data), f"{name}.xlsx", spreadsheet.CONTENT_TYPE)


@require_safe
def template_xlsx(request, slug):
    """An empty plan spreadsheet with one example row, for secretariats starting from scratch."""
    community_or_deny(request.user, slug)
    content = spreadsheet.template_workbook(timezone.localdate().year)
    return _download(content, "handlingsplan-mal.xlsx", spreadsheet.CONTENT_TYPE)


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
