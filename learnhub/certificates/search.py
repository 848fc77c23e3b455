"""Searching issued certificates the way administrators type (no Flask).

Names and course titles are matched without regard to accents or case ("sian" finds "Siân"),
and a verification code matches from any four or more of its symbols in a row, typed with or
without hyphens ("Z4KD", "z4kd-9m").
"""

import unicodedata

from learnhub.certificates.codes import ALPHABET

_READ_AS = {"O": "0", "I": "1", "L": "1"}
_SEPARATORS = " -\u2010\u2011\u2012\u2013\u2014\t"
MIN_CODE_PART = 4


def fold(text: str | None) -> str:
    """Lower case without accents: "Siân Ó Dónaill" → "sian o donaill"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def code_fragment(typed: str) -> str | None:
    """What a typed query would be as part of a canonical code, or None if it cannot be one."""
    cleaned = "".join(c for c in typed.strip().upper() if c not in _SEPARATORS)
    cleaned = "".join(_READ_AS.get(c, c) for c in cleaned)
    if len(cleaned) < MIN_CODE_PART or any(c not in ALPHABET for c in cleaned):
        return None
    return cleaned


def matches(query: str, *, holder: str | None, course: str, code: str) -> bool:
    """True if the query finds this certificate by holder, course or (part of the) code."""
    wanted = fold(query).strip()
    if not wanted:
        return True
    if wanted in fold(holder) or wanted in fold(course):
        return True
    fragment = code_fragment(query)
    return fragment is not None and fragment in code
