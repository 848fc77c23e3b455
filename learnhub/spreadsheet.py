"""Cells for CSV and XLSX exports that a spreadsheet will not run as formulas. Plain functions.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return can be executed
by Excel or LibreOffice (CSV injection); a leading apostrophe makes it plain text.
"""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Text that could start a formula gets a leading apostrophe; other values pass through."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
