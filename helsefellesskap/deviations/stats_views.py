"""Statistics of the deviation routine: the page for the secretariat and ASU, the annual report
to ASU as PDF, and the de-identified rows as CSV for the secretariat."""

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from helsefellesskap.audit.models import AuditEntry
from helsefellesskap.audit.services import audit_record
from helsefellesskap.core import access
from helsefellesskap.core.pages import community_context
from helsefellesskap.core.pdf import html_to_pdf
from helsefellesskap.core.periods import check_year, chosen_year
from helsefellesskap.deviations import policies
from helsefellesskap.organisation.policies import community_or_deny

from . import statistics as figures


def _statistics_community(request, slug):
    community = community_or_deny(request.user, slug)
    if not policies.can_view_deviation_statistics(request.user, community):
        access.deny(request.user, community)
    return community


def _last_year() -> int:
    """Next year is the last one offered: a report may be prepared before New Year."""
    return timezone.localdate().year + 1


class _Echo:
    """A file-like object whose write returns the line, for streaming the CSV writer."""

    def write(self, value):
        return value


@login_required
@require_safe
def statistics(request, slug):
    community = _statistics_community(request, slug)
    year = chosen_year(request, last=_last_year())
    suppress = not policies.sees_small_numbers(request.user, community)
    stats = figures.year_statistics(community, year, suppress=suppress)
    first = figures.first_year(community) or year
    this_year = timezone.localdate().year
    years = list(range(max(this_year, year), min(first, year) - 1, -1))
    context = community_context(
        request,
        community,
        "deviations",
        [
            (_("Samhandlingsavvik"), reverse("deviations:home", args=[community.slug])),
            (_("Statistikk"), None),
        ],
        stats=stats,
        year=year,
        years=years,
        can_export=policies.can_export_deviations(request.user, community),
    )
    return render(request, "deviations/statistics.html", context)


@login_required
@require_safe
def annual_report_pdf(request, slug, year):
    community = _statistics_community(request, slug)
    check_year(year, last=_last_year())
    suppress = not policies.sees_small_numbers(request.user, community, annual_report=True)
    stats = figures.year_statistics(community, year, suppress=suppress)
    html = render_to_string(
        "deviations/annual_report_pdf.html",
        {"community": community, "stats": stats, "today": timezone.localdate()},
        request=request,
    )
    pdf = html_to_pdf(html, base_url=request.build_absolute_uri("/"))
    name = f"arsrapport-samhandlingsavvik-{slugify(community.short_name)}-{year}.pdf"
    return FileResponse(
        io.BytesIO(pdf), as_attachment=True, filename=name, content_type="application/pdf"
    )


@login_required
@require_safe
def export_csv(request, slug):
    community = community_or_deny(request.user, slug)
    if not policies.can_export_deviations(request.user, community):
        access.deny(request.user, community)
    year = chosen_year(request, last=_last_year())
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.VIEW,
        obj=community,
        community=community,
        changes={"export": ["", f"deviations {year} (csv)"]},
    )
    writer = csv.writer(_Echo(), delimiter=";")
    lines = (
        writer.writerow([_cell(value) for value in row])
        for row in figures.export_rows(community, year)
    )
    # A byte order mark, so that spreadsheet programs read æ, ø and å as UTF-8. Streamed: a
    # year of a large community is many rows, and FileResponse wants a file, not a generator.
    name = f"samhandlingsavvik-{slugify(community.short_name)}-{year}.csv"
    return StreamingHttpResponse(
        _with_bom(lines),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition_header(True, name)},
    )


def _cell(value):
    """Text that a spreadsheet would take for a formula (a theme called "=…") is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _with_bom(lines):
    yield "\ufeff"
    yield from lines
