"""Read query-string parameters safely: every view parses them through these helpers.

A bad value (``?page=²``, ``?page=99999999999999999999``, ``?to=9999-12-31``, NUL bytes, 10 kB
of text) is never an exception: the helper returns the default, or a
:class:`Param` with an NHS.UK-style error message the page shows. ``str.isdigit`` is not used
because it accepts superscripts and other Unicode digits that ``int()`` rejects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from flask import request

T = TypeVar("T")

_ASCII_INT = re.compile(r"[+-]?[0-9]{1,18}")
#: Dates a filter may use: anything outside is refused (and ``date + 1 day`` never overflows).
MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)
MAX_TEXT = 200


@dataclass(frozen=True)
class Param(Generic[T]):
    """A parsed parameter: its value (or the default) and the error to show, if any."""

    value: T
    error: str | None = None


def parse_int(raw: str | None, *, default: int, minimum: int = 1, maximum: int = 1_000_000) -> Param[int]:
    """A whole number in [minimum, maximum]; the default (with an error) otherwise."""
    if raw is None or raw == "":
        return Param(default)
    raw = raw.strip()
    if not _ASCII_INT.fullmatch(raw):
        return Param(default, "Enter a whole number")
    value = int(raw)
    if not minimum <= value <= maximum:
        return Param(default, f"Enter a number from {minimum} to {maximum}")
    return Param(value)


def parse_date(raw: str | None, *, minimum: date = MIN_DATE, maximum: date = MAX_DATE) -> Param[date | None]:
    """An ISO date (YYYY-MM-DD) within range; None (with an error) otherwise."""
    if raw is None or not raw.strip():
        return Param(None)
    raw = raw.strip()
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
        return Param(None, "Enter a real date, for example 2026-11-23")
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        return Param(None, "Enter a real date, for example 2026-11-23")
    if not minimum <= value <= maximum:
        return Param(None, f"Enter a date between {minimum:%Y} and {maximum:%Y}")
    return Param(value)


def parse_choice(raw: str | None, choices: Iterable[str], *, default: str = "") -> Param[str]:
    """One of ``choices``; the default otherwise (unknown values are ignored, not an error)."""
    if raw is None:
        return Param(default)
    allowed = set(choices)
    return Param(raw if raw in allowed else default)


def parse_text(raw: str | None, *, max_length: int = MAX_TEXT) -> Param[str]:
    """Trimmed text without control characters, cut to ``max_length``."""
    if raw is None:
        return Param("")
    cleaned = "".join(c for c in raw if c.isprintable()).strip()
    return Param(cleaned[:max_length])


def arg_int(name: str, *, default: int, minimum: int = 1, maximum: int = 1_000_000) -> Param[int]:
    """:func:`parse_int` on ``request.args[name]``."""
    return parse_int(request.args.get(name), default=default, minimum=minimum, maximum=maximum)


def arg_date(name: str, **limits: date) -> Param[date | None]:
    """:func:`parse_date` on ``request.args[name]``."""
    return parse_date(request.args.get(name), **limits)


def arg_choice(name: str, choices: Iterable[str], *, default: str = "") -> Param[str]:
    """:func:`parse_choice` on ``request.args[name]``."""
    return parse_choice(request.args.get(name), choices, default=default)


def arg_text(name: str, *, max_length: int = MAX_TEXT) -> Param[str]:
    """:func:`parse_text` on ``request.args[name]``."""
    return parse_text(request.args.get(name), max_length=max_length)
