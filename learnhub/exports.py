"""Every CSV and XLSX download goes through here: safe cells, Excel-friendly encoding, audit.

* Each cell is made safe (:func:`learnhub.spreadsheet.safe_cell`): text that a spreadsheet
  would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR) gets a leading apostrophe —
  titles and headings included, not only people's names.
* CSV is UTF-8 with a byte-order mark, so Excel (Windows and Mac) keeps accents ("Siân").
* Numbers stay numbers, at full precision (no rounding to 0 for a tiny p-value).
* The download is audited with the action given (the request commits the audit row).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flask import Response
from flask_login import current_user

from learnhub.audit import Action, audit
from learnhub.spreadsheet import safe_cell

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Sheet:
    """One table of an export: a title (the XLSX sheet name), a header row and data rows."""

    title: str
    header: Sequence[object]
    rows: Iterable[Sequence[object]] = field(default_factory=list)
    #: Excel number format per column index (e.g. ``{3: "0.00E+00"}``); others are General.
    number_formats: dict[int, str] = field(default_factory=dict)


def _cells(row: Sequence[object]) -> list[object]:
    return [safe_cell(value) for value in row]


def _disposition(filename: str) -> dict[str, str]:
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in filename)
    return {"Content-Disposition": f'attachment; filename="{safe}"', "Cache-Control": "private, no-store"}


def csv_bytes(header: Sequence[object] | None, rows: Iterable[Sequence[object]]) -> bytes:
    """A CSV file's bytes: UTF-8 with BOM, CRLF line ends, every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header is not None:
        writer.writerow(_cells(header))
    for row in rows:
        writer.writerow(_cells(row))
    return buffer.getvalue().encode("utf-8-sig")


def csv_response(
    filename: str, header: Sequence[object] | None, rows: Iterable[Sequence[object]], *, action: Action, **details: object
) -> Response:
    """A CSV download, audited as ``action`` with ``details``."""
    body = csv_bytes(header, rows)
    audit(current_user._get_current_object(), action, format="csv", **details)  # type: ignore[attr-defined]
    return Response(body, mimetype="text/csv; charset=utf-8", headers=_disposition(filename))


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An XLSX workbook: one sheet per table, frozen bold header, column widths, number formats."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(title=_sheet_title(sheet.title, book.sheetnames))
        ws.append(_cells(sheet.header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        widths = [len(str(h)) for h in sheet.header]
        for row in sheet.rows:
            cells = _cells(row)
            ws.append(cells)
            for i, value in enumerate(cells):
                length = len(str(value)) if value is not None else 0
                if i < len(widths):
                    widths[i] = max(widths[i], length)
                else:
                    widths.append(length)
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
        for index, number_format in sheet.number_formats.items():
            for (cell,) in ws.iter_rows(min_row=2, min_col=index + 1, max_col=index + 1):
                if isinstance(cell.value, int | float):
                    cell.number_format = number_format
    if not book.sheetnames:
        book.create_sheet("Empty")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str, taken: list[str]) -> str:
    cleaned = "".join(c for c in title if c not in "[]:*?/\\").strip()[:31] or "Sheet"
    name, n = cleaned, 2
    while name in taken:
        suffix = f" ({n})"
        name, n = cleaned[: 31 - len(suffix)] + suffix, n + 1
    return name


def xlsx_response(filename: str, sheets: Sequence[Sheet], *, action: Action, **details: object) -> Response:
    """An XLSX download, audited as ``action`` with ``details``."""
    body = xlsx_bytes(sheets)
    audit(current_user._get_current_object(), action, format="xlsx", **details)  # type: ignore[attr-defined]
    return Response(body, mimetype=XLSX_MIMETYPE, headers=_disposition(filename))
