"""The certificate PDF: fields read back from the PDF, QR payload and drawing, fonts, page and tagging."""

import io
import re
from datetime import date

import pypdf
import pytest

from learnhub.certificates.pdf import (
    CertificateFacts,
    certificate_html,
    qr_code,
    qr_svg_data_uri,
    render_certificate,
)

URL = "http://localhost/verify/7KQ2-M9XD-4TRA-B0CE"


def facts(**overrides: object) -> CertificateFacts:
    values = dict(
        holder_name="Dr Priya Shah",
        course_title="Supervising ARRS roles in primary care",
        completed_on=date(2026, 11, 2),
        cpd_hours=6.5,
        outcomes=["Plan supervision for ARRS roles", "Give a safe daily debrief"],
        hub_name="Northvale Primary Care Training Hub",
        signatory="Dr Helen Marsh, Training Hub Clinical Lead",
        code="7KQ2M9XD4TRAB0CE",
        verify_url=URL,
        valid_until=date(2029, 11, 2),
        eligibilities=["ARRS clinical supervisor until 2 November 2029"],
    )
    values.update(overrides)
    return CertificateFacts(**values)  # type: ignore[arg-type]


def read(pdf: bytes) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_pdf_shows_every_certified_field():
    reader, text = read(render_certificate(facts()))
    assert len(reader.pages) == 1
    for expected in (
        "Dr Priya Shah",
        "Supervising ARRS roles in primary care",
        "2 November 2026",
        "6.5",
        "Plan supervision for ARRS roles",
        "Give a safe daily debrief",
        "Northvale Primary Care Training Hub",
        "Dr Helen Marsh, Training Hub Clinical Lead",
        "7KQ2-M9XD-4TRA-B0CE",
        "2 November 2029",
        "ARRS clinical supervisor",
    ):
        assert expected in text
    assert flat(URL) in flat(text)


def test_pdf_is_a4_landscape_tagged_with_title_and_language():
    pdf = render_certificate(facts())
    reader, _ = read(pdf)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert reader.metadata.title == "Certificate of completion: Supervising ARRS roles in primary care – Dr Priya Shah"
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()


def _modules_drawn_by(svg_data_uri: str) -> list[list[bool]]:
    """Read back which modules segno's single SVG path paints (M/m moves, h strokes one module high)."""
    import re
    import urllib.parse

    svg = urllib.parse.unquote(svg_data_uri.split(",", 1)[1])
    size = int(re.search(r"width=[\"'](\d+)", svg).group(1))
    path = re.search(r" d=[\"']([^\"']+)", svg).group(1)
    grid = [[False] * size for _ in range(size)]
    x = y = 0.0
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            for column in range(int(x), int(x + float(a))):
                grid[int(y)][column] = True
            x += float(a)
    return grid


def test_qr_code_is_a_local_vector_drawing_of_the_verify_url():
    html = certificate_html(facts())
    uri = qr_svg_data_uri(URL)
    assert uri in html
    assert uri.startswith("data:image/svg+xml;")
    code = qr_code(URL)
    # The printed symbol is segno's encoding of exactly this URL (and not of any other) ...
    assert code.mode == "byte"
    assert qr_code(URL + "X").matrix != code.matrix
    # ... and the path paints exactly its dark modules.
    assert _modules_drawn_by(uri) == [[bool(m) for m in row] for row in code.matrix]
    assert 'alt="QR code linking to ' + URL + '"' in html
    # Drawn as vector paths: the PDF holds no raster image.
    reader, _ = read(render_certificate(facts()))
    xobjects = reader.pages[0]["/Resources"].get("/XObject", {})
    assert all(x.get_object().get("/Subtype") != "/Image" for x in xobjects.values())


def test_fonts_are_embedded_from_the_shipped_noto_sans():
    reader, _ = read(render_certificate(facts()))
    fonts = {str(f["/BaseFont"]) for f in _fonts(reader)}
    assert any("NotoSans" in name or "Cert" in name for name in fonts), fonts


def _fonts(reader: pypdf.PdfReader) -> list:
    found = []
    resources = reader.pages[0]["/Resources"]
    for font in resources["/Font"].values():
        found.append(font.get_object())
    return found


@pytest.mark.parametrize(
    "name",
    ["Dr Siân Llŷr Wyn-Jones", "Małgorzata Żółkiewska-Dąbrowska", "د. عائشة الرحمن"],
)
def test_names_outside_latin_1_render(name):
    reader, text = read(render_certificate(facts(holder_name=name)))
    # pypdf returns Arabic in visual order; compare letters, not their order.
    if any("\u0600" <= ch <= "\u06ff" for ch in name):
        assert set(flat(name)) - {"."} <= set(flat(text)) | {"."}
    else:
        assert name in text
    fonts = " ".join(str(f["/BaseFont"]) for f in _fonts(reader))
    assert ".notdef" not in text
    assert fonts


def test_outcomes_and_names_are_escaped_not_run_as_html():
    html = certificate_html(facts(holder_name="<img src=file:///etc/passwd>", outcomes=["<script>x</script>"]))
    assert "<img src=file" not in html
    assert "&lt;script&gt;" in html


def _structure_types(node, found: set[str]) -> set[str]:  # type: ignore[no-untyped-def]
    node = node.get_object()
    if isinstance(node, pypdf.generic.ArrayObject):
        for child in node:
            _structure_types(child, found)
    elif isinstance(node, pypdf.generic.DictionaryObject):
        if "/S" in node:
            found.add(str(node["/S"]))
        if "/K" in node:
            _structure_types(node["/K"], found)
    return found


def test_structure_tags_headings_lists_and_the_qr_figure():
    reader, _ = read(render_certificate(facts()))
    types = _structure_types(reader.trailer["/Root"]["/StructTreeRoot"], set())
    assert {"/H1", "/H2", "/L", "/LI", "/Figure"} <= types, types
