"""HTML to PDF with WeasyPrint, cached by the HTML it was made from.

Rendering a page's HTML is cheap; turning it into a PDF takes WeasyPrint a second or two of CPU.
The key is the HTML itself, so a PDF is reused exactly until the data it shows (and who may see
them: a member's page holds more than the public's) change, with nothing to invalidate."""

import hashlib

from django.core.cache import caches

CACHE_SECONDS = 7 * 24 * 3600


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    key = "pdf:" + hashlib.sha256(f"{base_url}\n{html}".encode()).hexdigest()
    cache = caches["default"]
    cached = cache.get(key)
    if isinstance(cached, bytes):
        return cached
    # Imported here: WeasyPrint takes a while to load, and most processes never make a PDF.
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, base_url=base_url).write_pdf()
    cache.set(key, pdf, CACHE_SECONDS)
    return pdf
