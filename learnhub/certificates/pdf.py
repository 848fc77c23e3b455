"""Certificate PDFs: a pure function from the certified facts to PDF bytes (no Flask).

The template and its stylesheet live in ``templates/certificates/pdf/``; rendering goes
through :func:`learnhub.pdf.render_pdf`, whose URL fetcher serves only our static files (the
fonts copied from npm by ``scripts/build-frontend.mjs``) and ``data:`` URLs (the QR code).

Speed (``benchmarks/certificates.py``; figures in ``benchmarks/README.md``): the stylesheet and
fonts are parsed once per process, the template is compiled once, the layout is flat (few
boxes, no floats) and the QR code is one SVG path (vector, so it prints sharp at any size and
scanners read it from paper or screen). A certificate takes about 3× WeasyPrint's
one-paragraph floor (2026-12-02: 33.5 ms vs 11.4 ms, CPU time). The 2× goal is not reachable
with what the certificate must keep: with the stylesheet and fonts ready, an empty page costs
~5 ms and each line of text ~1 ms to lay out and draw (about 22 lines), the vector QR code
~4 ms to draw, segno's standard mask selection ~3 ms, PDF/UA tagging ~1 ms. Font subsetting is
not the cost here: the shipped Noto Sans files are already split per script (Latin is 28 KB
decoded), subsetting them is cheaper than embedding them whole (``full_fonts``), and WOFF is
decoded once per process, so TTF files would only shorten start-up. ``uncompressed_pdf`` saves
0–3 ms depending on the run for a PDF 2.6× larger (PDFs are stored in the database) and
``hinting`` saves nothing, so WeasyPrint's defaults stay.
"""

import atexit
import threading
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import segno
from jinja2 import Environment, FileSystemLoader, Template, select_autoescape

from learnhub.pdf import render_pdf

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: PDF/UA-1: a tagged PDF with title, language and alternative text.
PDF_VARIANT = "pdf/ua-1"


@dataclass(frozen=True)
class CertificateFacts:
    """Everything printed on a certificate."""

    holder_name: str
    course_title: str
    completed_on: date
    cpd_hours: Decimal | float
    outcomes: list[str]
    hub_name: str
    signatory: str | None
    code: str
    verify_url: str
    version: int = 1
    valid_until: date | None = None
    eligibilities: list[str] = field(default_factory=list)
    #: Printed across the top when the holder downloads a certificate that no longer stands
    #: ("REVOKED", "SUPERSEDED"); None on the certificate as issued.
    mark: str | None = None


#: The certificate's layout rules (no @font-face: those depend on the scripts a name needs).
STYLESHEET = TEMPLATES / "certificates" / "pdf" / "certificate.css"


@cache
def _font_stylesheet(faces: tuple[tuple[str, str, int], ...]):  # type: ignore[no-untyped-def]
    """The certificate's stylesheet for these faces, parsed once per process with its own font configuration.

    Loading fonts (decompressing WOFF, registering them with fontconfig) and parsing the CSS
    are a large part of rendering one certificate; both are done once per set of faces and
    reused. The layout rules come from ``certificate.css``; the font family list follows the
    faces. Fonts are still fetched through the restricted fetcher.
    """
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from learnhub.pdf import PDF_BASE_URL, safe_url_fetcher

    families = list(dict.fromkeys(family for family, _file, _weight in faces))
    rules = "\n".join(
        f'@font-face {{ font-family: "{family}"; src: url("fonts/{file}"); font-weight: {weight}; }}'
        for family, file, weight in faces
    )
    rules += "\nhtml { font-family: " + "".join(f'"{family}", ' for family in families) + "sans-serif; }\n"
    rules += STYLESHEET.read_text(encoding="utf-8")
    font_config = FontConfiguration()
    css = CSS(string=rules, base_url=PDF_BASE_URL, url_fetcher=safe_url_fetcher(), font_config=font_config)
    return css, font_config


# Release the fonts before interpreter shutdown (WeasyPrint's cleanup needs its modules alive).
atexit.register(_font_stylesheet.cache_clear)

#: WeasyPrint's font configuration is shared between renders, so renders in one process take turns.
_RENDER_LOCK = threading.Lock()


@cache
def _template() -> Template:
    """The certificate's Jinja template, compiled once per process (no file checks per render)."""
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), auto_reload=False)
    return environment.get_template("certificates/pdf/certificate.html")


def qr_svg_data_uri(url: str) -> str:
    """The QR code for a URL as a vector SVG data URI, made locally by segno.

    One ``<path>`` draws every dark module (runs of modules as single strokes), which is the
    cheapest vector form for WeasyPrint: a PNG renders ~4 ms faster but would make the
    certificate's QR code a raster image, and a path per module is slower still.
    """
    return qr_code(url).svg_data_uri(scale=1, border=0, dark="#212b32", xmldecl=False, nl=False)


def qr_code(url: str) -> segno.QRCode:
    """The QR code printed on a certificate for this URL."""
    return segno.make_qr(url, error="m")


def format_hours(hours: Decimal | float) -> str:
    """CPD hours without trailing zeros: 6, 6.5, 0.25."""
    text = f"{Decimal(str(hours)).normalize():f}"
    return text


def long_date(day: date) -> str:
    """23 November 2026."""
    return f"{day.day} {day:%B %Y}"


#: (family, file stem, first code point, last code point) for each script's Noto Sans files.
_FONT_FILES = [
    ("Cert Latin", "noto-sans-latin", 0x0000, 0x00FF),
    ("Cert Latin Ext", "noto-sans-latin-ext", 0x0100, 0x024F),
    ("Cert Arabic", "noto-sans-arabic-arabic", 0x0600, 0x06FF),
]


def font_faces(*texts: str) -> tuple[list[tuple[str, str, int]], list[str]]:
    """The @font-face rules and families a certificate needs for the characters in its texts.

    Latin is always loaded; Latin Extended (Welsh ŵ ŷ, Polish ą ł ś …) and Arabic only when a
    name or title uses them. Other scripts fall back to the system's fonts.
    """
    used = {ord(ch) for text in texts for ch in text}
    faces, families = [], []
    for index, (family, stem, first, last) in enumerate(_FONT_FILES):
        if index == 0 or any(first <= point <= last for point in used) or (index == 2 and _arabic_extra(used)):
            families.append(family)
            faces += [(family, f"{stem}-{weight}-normal.woff", weight) for weight in (400, 700)]
    return faces, families


def _arabic_extra(used: set[int]) -> bool:
    return any(0x0750 <= p <= 0x077F or 0xFB50 <= p <= 0xFDFF or 0xFE70 <= p <= 0xFEFF for p in used)


def certificate_html(facts: CertificateFacts) -> str:
    """The certificate as HTML (used by the PDF and by tests); styles and fonts come from ``_font_stylesheet``."""
    from learnhub.certificates.codes import format_code

    return _template().render(
        f=facts,
        code=format_code(facts.code),
        hours=format_hours(facts.cpd_hours),
        completed=long_date(facts.completed_on),
        valid_until=long_date(facts.valid_until) if facts.valid_until else None,
        qr=qr_svg_data_uri(facts.verify_url),
    )


def render_certificate(facts: CertificateFacts) -> bytes:
    """Render a certificate to PDF bytes (A4 landscape, tagged PDF/UA-1)."""
    faces, _families = font_faces(
        facts.holder_name,
        facts.course_title,
        facts.hub_name,
        facts.signatory or "",
        facts.verify_url,
        *facts.outcomes,
        *facts.eligibilities,
    )
    css, font_config = _font_stylesheet(tuple(faces))
    with _RENDER_LOCK:
        return render_pdf(certificate_html(facts), pdf_variant=PDF_VARIANT, stylesheets=[css], font_config=font_config)


def render_document(html: str, *texts: str) -> bytes:
    """Another tagged PDF/UA-1 document of this feature (the record of learning), in the certificate's fonts.

    ``texts`` are the names and titles it prints, so the fonts their characters need are loaded.
    The layout comes from the document's own ``<style>``.
    """
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from learnhub.pdf import PDF_BASE_URL, safe_url_fetcher

    faces, families = font_faces(*texts)
    rules = "\n".join(
        f'@font-face {{ font-family: "{family}"; src: url("fonts/{file}"); font-weight: {weight}; }}'
        for family, file, weight in faces
    )
    rules += "\nhtml { font-family: " + "".join(f'"{family}", ' for family in families) + "sans-serif; }\n"
    font_config = FontConfiguration()
    css = CSS(string=rules, base_url=PDF_BASE_URL, url_fetcher=safe_url_fetcher(), font_config=font_config)
    with _RENDER_LOCK:
        return render_pdf(html, pdf_variant=PDF_VARIANT, stylesheets=[css], font_config=font_config)
