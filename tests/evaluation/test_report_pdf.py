"""The evaluation report PDF is tagged PDF/UA-1: language, title, headings, table headers, chart alt text."""

import io

import pypdf

from learnhub.evaluation.models import Instrument
from learnhub.extensions import db
from tests.evaluation.test_results import CONFIDENT, _seed, admin_hub  # noqa: F401 (fixture)


def _elements(node, found: list) -> list:  # type: ignore[no-untyped-def]
    """Every structure element under ``node`` (depth first)."""
    node = node.get_object()
    if isinstance(node, pypdf.generic.ArrayObject):
        for child in node:
            _elements(child, found)
    elif isinstance(node, pypdf.generic.DictionaryObject):
        if "/S" in node:
            found.append(node)
        if "/K" in node:
            _elements(node["/K"], found)
    return found


def test_report_pdf_is_tagged_with_language_title_headings_table_headers_and_chart_alt_text(
    client,
    auth,
    app,
    make_user,
    make_survey,
    course_invitees,
    admin_hub,  # noqa: F811
):
    hub, admin = admin_hub
    survey = make_survey(hub)
    _seed(app, make_user, hub, survey, course_invitees)
    auth.login_as(admin)
    response = client.get(f"/evaluation/instruments/{survey['instrument_id']}/report.pdf")
    assert response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"]
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()
    with app.app_context():
        title = db.session.get(Instrument, survey["instrument_id"]).title
    assert reader.metadata.title == f"Evaluation report: {title}"
    elements = _elements(root["/StructTreeRoot"], [])
    types = {str(e["/S"]) for e in elements}
    assert {"/H1", "/H2", "/H3", "/Table", "/TH", "/TD", "/Caption", "/Figure"} <= types, types
    headings = [str(e["/S"]) for e in elements if str(e["/S"]) in ("/H1", "/H2", "/H3", "/H4")]
    assert headings[0] == "/H1"
    assert headings.count("/H1") == 1
    # Every chart is a Figure with alternative text saying what it shows.
    figures = [e for e in elements if e["/S"] == "/Figure"]
    assert len(figures) >= 2
    alts = [str(f.get("/Alt", "")) for f in figures]
    assert all(alts), alts
    assert any(alt.startswith("Response numbers") for alt in alts), alts
    assert any(CONFIDENT in alt for alt in alts), alts
