"""The status report for ASU as a PDF, rendered from its HTML template by WeasyPrint."""

from django.template.loader import render_to_string

from helsefellesskap.core.pdf import html_to_pdf

from . import selectors
from .models import StatusReport


def status_pdf(summary: selectors.StatusSummary, *, base_url: str) -> bytes:
    html = render_to_string(
        "actionplan/status_report_pdf.html",
        {
            "plan": summary.plan,
            "version": summary.version,
            "today": summary.today,
            "measures": summary.measures,
            "progress": summary.progress,
            "status_labels": selectors.STATUS_LABELS,
            "completed": StatusReport.Status.COMPLETED,
        },
    )
    return html_to_pdf(html, base_url=base_url)
