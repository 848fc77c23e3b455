"""Verification codes: unguessable, easy to read aloud and to type back (no Flask).

A code is 16 symbols of Crockford's base 32 (digits and letters without I, L, O and U), i.e.
exactly 80 random bits from :mod:`secrets`, shown in four groups of four: ``7KQ2-M9XD-4TRA-B0CE``.
People may type it in any case, with or without spaces or hyphens, and with the letters that
Crockford's scheme reads as digits (O as 0; I and L as 1).
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: Symbols in a code; 16 × 5 bits = 80 bits of randomness.
LENGTH = 16
GROUP = 4
_READ_AS = {"O": "0", "I": "1", "L": "1"}
_SEPARATORS = " -\u2010\u2011\u2012\u2013\u2014\t"


class CodeProblem(ValueError):
    """A typed code cannot be a verification code; the message says why, for the user."""


def new_code() -> str:
    """A fresh random code in canonical (stored) form: 16 symbols, no separators."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def format_code(code: str) -> str:
    """Show a canonical code in groups of four joined by hyphens."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise_code(typed: str) -> str:
    """Turn what someone typed into the canonical form, or raise CodeProblem saying what is wrong."""
    cleaned = "".join(ch for ch in (typed or "").strip().upper() if ch not in _SEPARATORS)
    if not cleaned:
        raise CodeProblem("Enter the verification code printed on the certificate")
    cleaned = "".join(_READ_AS.get(ch, ch) for ch in cleaned)
    wrong = sorted({ch for ch in cleaned if ch not in ALPHABET})
    if wrong:
        shown = ", ".join(wrong)
        raise CodeProblem(
            f"The verification code can only contain the digits 0 to 9 and letters other than I, L, O and U; "
            f"remove or correct: {shown}"
        )
    if len(cleaned) != LENGTH:
        raise CodeProblem(
            f"The verification code must be {LENGTH} characters long (like 7KQ2-M9XD-4TRA-B0CE); you entered {len(cleaned)}"
        )
    return cleaned
