"""Statistics of the deviation routine: the page for the secretariat and ASU, the annual report
to ASU as PDF, and the de-identified rows as CSV for the secretariat."""

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from helsefellesskap.audit.models import AuditEntry
from helsefellesskap.audit.services import audit_record
from helsefellesskap.core import access
from helsefellesskap.core.pages import community_context
from helsefellesskap.deviations import policies
from helsefellesskap.organisation.policies import community_or_deny

from . import statistics as figures

FIRST_YEAR = 2000


def _statistics_community(request, slug):
    community = community_or_deny(request.user, slug)
    if not policies.can_view_deviation_statistics(request.user, community):
        access.deny(request.user, community)
    return community


def _chosen_year(request) -> int:
    """`?ar=YYYY`, or this year when it is missing or makes no sense."""
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("ar", this_year))
    except (TypeError, ValueError):
        return this_year
    return year if FIRST_YEAR <= year <= this_year + 1 else this_year


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= timezone.localdate().year + 1:
        raise Http404


class _Echo:
    """A file-like object whose write returns the line, for streaming the CSV writer."""

    def write(self, value):
        return value


@login_required
@require_GET
def statistics(request, slug):
    community = _statistics_community(request, slug)
    year = _chosen_year(request)
    # The secretariat sees every figure; ASU (and anyone it is shown to) sees small numbers
    # for a single municipality as «under 5».
    is_secretariat = access.can_administer(request.user, community)
    stats = figures.year_statistics(community, year, suppress=not is_secretariat)
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
        can_export=is_secretariat,
    )
    return render(request, "deviations/statistics.html", context)


@login_required
@require_GET
def annual_report_pdf(request, slug, year):
    from weasyprint import HTML

    community = _statistics_community(request, slug)
    _check_year(year)
    # The report goes to ASU and further: always with small numbers suppressed.
    stats = figures.year_statistics(community, year, suppress=True)
    html = render_to_string(
        "deviations/annual_report_pdf.html",
        {"community": community, "stats": stats, "today": timezone.localdate()},
        request=request,
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"arsrapport-samhandlingsavvik-{slugify(community.short_name)}-{year}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def export_csv(request, slug):
    community = community_or_deny(request.user, slug, admin=True)
    year = _chosen_year(request)
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
    # A byte order mark, so that spreadsheet programs read æ, ø and å as UTF-8.
    response = StreamingHttpResponse(_with_bom(lines), content_type="text/csv; charset=utf-8")
    name = f"samhandlingsavvik-{slugify(community.short_name)}-{year}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _cell(value):
    """Text that a spreadsheet would take for a formula (a theme called "=…") is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _with_bom(lines):
    yield "\ufeff"
    yield from lines
