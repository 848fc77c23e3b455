"""Read an uploaded CSV the way people actually save them. Plain functions, no Flask.

Excel writes UTF-8 with or without a byte-order mark ("CSV UTF-8"), UTF-16 ("Unicode
text"), Windows-1252 ("CSV" on Windows) and, on a Mac, "CSV (Macintosh)" with bare carriage
returns between rows. All of these are accepted; anything else gets one clear message, never
an exception. The three imports (people, cohort enrolment, ALS members) use this one reader.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

#: Largest upload accepted, and largest single field (csv's own limit raises csv.Error).
MAX_BYTES = 2 * 1024 * 1024
MAX_FIELD = 10_000
MAX_ROWS = 5000


class CsvProblem(ValueError):
    """The file as a whole cannot be read; the message is shown to the person uploading."""


@dataclass
class CsvTable:
    """Rows of a CSV as dicts keyed by lower-case, trimmed column names, with their line numbers."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def decode(data: bytes) -> str:
    """Text of an uploaded file in any encoding Excel writes; CsvProblem otherwise."""
    if len(data) > MAX_BYTES:
        raise CsvProblem(f"The file must be smaller than {MAX_BYTES // (1024 * 1024)} MB")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    elif data.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    else:
        encodings = ["utf-8", "cp1252"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            continue
        return text
    raise CsvProblem("The file must be a CSV saved as UTF-8 or from Excel (CSV, CSV UTF-8 or Unicode text)")


def read_table(data: bytes | str, *, max_rows: int = MAX_ROWS) -> CsvTable:
    """Parse a CSV (bytes or text) into rows; CsvProblem with a clear message for a bad file."""
    text = decode(data) if isinstance(data, bytes) else data
    text = text.lstrip("\ufeff")
    # Excel for Mac separates rows with a bare CR; unify line ends (CR inside a quoted field
    # becomes LF, which is what it means there too).
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise CsvProblem("The file is empty")
    sample = text[:4096]
    delimiter = ","
    if "\t" in sample.splitlines()[0] and "," not in sample.splitlines()[0]:
        delimiter = "\t"  # "Unicode text" from Excel is tab-separated
    elif ";" in sample.splitlines()[0] and "," not in sample.splitlines()[0]:
        delimiter = ";"  # Excel in locales with a decimal comma
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        header = next(reader)
    except (csv.Error, StopIteration) as error:
        raise CsvProblem(f"The first row could not be read: {error}") from None
    columns = [h.strip().lower() for h in header]
    if any(len(c) > 200 for c in columns):
        raise CsvProblem("The first row must be the column names")
    table = CsvTable(columns=columns)
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise CsvProblem(f"Row {reader.line_num} has a value longer than {MAX_FIELD:,} characters") from None
            raise CsvProblem(f"Row {reader.line_num} could not be read: {error}") from None
        if not any(v.strip() for v in values):
            continue
        if any(len(v) > MAX_FIELD for v in values):
            raise CsvProblem(f"Row {reader.line_num} has a value longer than {MAX_FIELD:,} characters")
        if len(table.rows) >= max_rows:
            raise CsvProblem(f"The file has more than {max_rows:,} rows: split it into smaller files")
        row = {columns[i]: v.strip() for i, v in enumerate(values) if i < len(columns)}
        table.rows.append((reader.line_num, row))
    return table
