"""PDF rendering with WeasyPrint, fetching nothing from outside the application.

WeasyPrint would otherwise follow any URL in the HTML (``file:`` paths, other hosts). The
fetcher here serves only our own static files, read from disk, and ``data:`` URLs.
"""

from pathlib import Path
from urllib.parse import unquote, urlsplit

STATIC_ROOT = Path(__file__).resolve().parent / "static"
#: Base URL used for PDF documents: relative URLs resolve under it and map to STATIC_ROOT.
PDF_BASE_URL = "https://learnhub.invalid/static/"


class BlockedURL(ValueError):
    """A PDF asked for a resource it may not fetch."""


def _static_response(url: str):  # type: ignore[no-untyped-def]
    """Read one of our static files for a PDF, or refuse."""
    from weasyprint.urls import URLFetcherResponse

    parts = urlsplit(url)
    base = urlsplit(PDF_BASE_URL)
    if parts.scheme != base.scheme or parts.netloc != base.netloc or not parts.path.startswith(base.path):
        raise BlockedURL(f"PDF resource not allowed: {url}")
    relative = unquote(parts.path[len(base.path) :])
    path = (STATIC_ROOT / relative).resolve()
    if not path.is_relative_to(STATIC_ROOT) or not path.is_file():
        raise BlockedURL(f"PDF resource not found: {url}")
    mime = {
        ".css": "text/css",
        ".svg": "image/svg+xml",
        ".png": "image/png",
        ".ttf": "font/ttf",
        ".otf": "font/otf",
        ".woff": "font/woff",
        ".woff2": "font/woff2",
    }.get(path.suffix.lower(), "application/octet-stream")
    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})


def safe_url_fetcher():  # type: ignore[no-untyped-def]
    """A WeasyPrint URL fetcher that serves ``data:`` URLs and files under ``learnhub/static``.

    Anything else (``file:``, ``http(s):`` to any host) is refused and the resource is left out.
    """
    from weasyprint.urls import URLFetcher

    class SafeFetcher(URLFetcher):
        def fetch(self, url, headers=None):  # type: ignore[no-untyped-def]
            if url.startswith("data:"):
                return super().fetch(url, headers)
            return _static_response(url)

    return SafeFetcher(allowed_protocols=("data", "https"), allow_redirects=False)


def render_pdf(html: str, **write_options: object) -> bytes:
    """Render an HTML string to PDF bytes with the safe fetcher.

    :param write_options: passed to ``HTML.write_pdf`` (e.g. ``pdf_variant="pdf/ua-1"``).
    """
    from weasyprint import HTML

    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=safe_url_fetcher()).write_pdf(**write_options)
