"""Formula injection (issue 12): every cell of every export is neutralised, in one helper.

A survey or module title starting with ``=`` reached CSV row 1 and an XLSX formula cell. The
helper (``learnhub.spreadsheet.safe_cell`` through ``learnhub.exports``) is unit-tested in
``tests/core``; these tests send hostile titles, section names and questions through the real
download routes, and check that no other module writes CSV or XLSX by itself.
"""

import csv
import io
import pathlib
import re

from openpyxl import load_workbook

from learnhub.evaluation import services
from learnhub.evaluation.models import AGREEMENT, POST, PRE
from learnhub.extensions import db
from learnhub.roles import HubRole
from learnhub.timeutil import utcnow

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = [
    {
        "title": "+Section cmd|' /C calc'!A0",
        "items": [
            {"kind": AGREEMENT, "text": "-2+3 I feel confident", "core": True, "asked_at": "pre,post"},
            {"kind": AGREEMENT, "text": "@SUM(1,2) I feel supported", "core": True, "asked_at": "pre,post"},
        ],
    }
]


def _unsafe(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def test_hostile_titles_reach_no_export_cell_as_a_formula(client, auth, app, make_hub, make_user):
    from datetime import timedelta

    hub = make_hub()
    admin = make_user(hub_id=hub, hub_role=HubRole.HUB_ADMIN.value)
    with app.app_context():
        now = utcnow()
        window = (now - timedelta(days=1), now + timedelta(days=10))
        instrument = services.create_instrument(hub, '=HYPERLINK("http://attacker.example","Survey")', "", HOSTILE)
        services.attach(instrument, "hub", hub, "=Attachment", {PRE: window, POST: window})
        db.session.commit()
        instrument_id = instrument.id
    auth.login_as(admin)
    url = f"/evaluation/instruments/{instrument_id}/results"
    response = client.get(f"{url}.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    cells = [c for row in rows for c in row]
    assert any("HYPERLINK" in c for c in cells)  # the title is there ...
    assert any("I feel confident" in c for c in cells)
    assert [c for c in cells if _unsafe(c)] == []  # ... but never as a formula
    response = client.get(f"{url}.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    seen = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                seen.append(cell.value)
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                assert not _unsafe(cell.value), (sheet.title, cell.coordinate, cell.value)
    assert any(isinstance(v, str) and "I feel confident" in v for v in seen)


def test_no_module_writes_csv_or_xlsx_except_the_export_helper():
    """One helper for every export: a new download cannot forget to neutralise its cells."""
    root = pathlib.Path(__file__).resolve().parents[2] / "learnhub"
    writers = re.compile(r"csv\.writer\(|csv\.DictWriter\(|\bopenpyxl\b|\bxlsxwriter\b|text/csv")
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "exports.py" and writers.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
