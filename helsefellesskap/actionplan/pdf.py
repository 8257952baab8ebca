"""The status report for ASU as a PDF, rendered from its HTML template by WeasyPrint."""

from django.template.loader import render_to_string

from . import selectors
from .models import StatusReport


def status_pdf(summary: selectors.StatusSummary, *, base_url: str) -> bytes:
    from weasyprint import HTML  # heavy, and only needed here

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
    pdf: bytes = HTML(string=html, base_url=base_url).write_pdf()
    return pdf
