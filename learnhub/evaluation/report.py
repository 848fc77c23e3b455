"""The evaluation report as a tagged PDF (PDF/UA-1), like certificates. No Flask.

The HTML comes from ``templates/evaluation/pdf/report.html`` (rendered by the view with the
results); this module turns it into PDF bytes through :func:`learnhub.pdf.render_pdf` (the
restricted URL fetcher) with ``pdf_variant="pdf/ua-1"``. WeasyPrint then writes a structure
tree from the HTML: ``<html lang="en-GB">`` becomes the document's ``/Lang``, ``<title>`` its
title (shown instead of the file name), headings H1–H4, tables with TH/TD cells, captions, and
each chart (an inline ``<svg>``) a Figure whose alternative text is the chart's ``<title>``
(see :mod:`learnhub.evaluation.charts`, which writes what the chart shows there).

The stylesheet and the embedded Noto Sans fonts (PDF/UA needs every font embedded) are parsed
once per process; :func:`warm` does it when a worker starts, so no request pays for it.
"""

import atexit
import threading
from functools import cache
from pathlib import Path

from learnhub.pdf import render_pdf

#: PDF/UA-1: a tagged PDF with title, language and alternative text.
PDF_VARIANT = "pdf/ua-1"
STYLESHEET = Path(__file__).resolve().parent / "templates" / "evaluation" / "pdf" / "report.css"
#: (font file, weight) for the report's one family: Latin and Latin Extended (Welsh, Polish … names of questions).
_FACES = [
    ("noto-sans-latin-400-normal.woff", 400),
    ("noto-sans-latin-700-normal.woff", 700),
    ("noto-sans-latin-ext-400-normal.woff", 400),
    ("noto-sans-latin-ext-700-normal.woff", 700),
]


@cache
def _stylesheet():  # type: ignore[no-untyped-def]
    """The report's stylesheet and its font configuration, made once per process."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from learnhub.pdf import PDF_BASE_URL, safe_url_fetcher

    latin_ext = "U+0100-024F, U+1E00-1EFF"
    rules = "\n".join(
        f'@font-face {{ font-family: "Report Sans"; src: url("fonts/{file}"); font-weight: {weight};'
        + (f" unicode-range: {latin_ext};" if "-ext-" in file else "")
        + " }"
        for file, weight in _FACES
    )
    rules += '\nhtml { font-family: "Report Sans", sans-serif; }\n' + STYLESHEET.read_text(encoding="utf-8")
    font_config = FontConfiguration()
    css = CSS(string=rules, base_url=PDF_BASE_URL, url_fetcher=safe_url_fetcher(), font_config=font_config)
    return css, font_config


# Release the fonts before interpreter shutdown (WeasyPrint's cleanup needs its modules alive).
atexit.register(_stylesheet.cache_clear)

#: The font configuration is shared between renders, so renders in one process take turns.
_RENDER_LOCK = threading.Lock()


def warm() -> None:
    """Import WeasyPrint and load the report's fonts and stylesheet now (a worker starting)."""
    _stylesheet()


def render_report(html: str) -> bytes:
    """The report's HTML as a tagged PDF/UA-1 document (A4 portrait)."""
    css, font_config = _stylesheet()
    with _RENDER_LOCK:
        return render_pdf(html, pdf_variant=PDF_VARIANT, stylesheets=[css], font_config=font_config)
