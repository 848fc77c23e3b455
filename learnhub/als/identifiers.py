"""Find patient identifiers in free text before it is saved. Plain functions, no Flask.

ALS notes and actions must stay anonymous: what is said in the set stays in the set. We look
for valid NHS numbers (modulus 11 check), dates that look like dates of birth and full UK
postcodes, and report what we found so the writer can remove it.
"""

import re
from dataclasses import dataclass
from datetime import date

_NHS_CANDIDATE = re.compile(r"(?<![\d-])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d-])")
_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_NUMERIC_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?![\d/.-])")
_TEXT_DATE = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTHS})\.?,?\s+(\d{{4}})\b", re.IGNORECASE)
_DOB_MARKER = re.compile(r"\b(?:d\.?\s?o\.?\s?b\.?|date of birth|born(?: on)?)\s*[:\-]?\s*", re.IGNORECASE)
#: A full date at least this many years ago reads as somebody's date of birth.
_BIRTH_YEARS_AGO = 16


@dataclass(frozen=True)
class Finding:
    """One identifier found: its kind and the text that matched."""

    kind: str
    text: str

    @property
    def label(self) -> str:
        """Readable name of the kind."""
        return {"nhs_number": "an NHS number", "date_of_birth": "a date of birth", "postcode": "a full postcode"}[self.kind]


def nhs_number_is_valid(digits: str) -> bool:
    """True if 10 digits pass the NHS number modulus 11 check."""
    digits = re.sub(r"[ -]", "", digits)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _valid_date(day: int, month: int, year: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def find_identifiers(text: str, *, today: date | None = None) -> list[Finding]:
    """Every patient identifier in ``text``, in the order found."""
    today = today or date.today()
    text = text or ""
    found: list[tuple[int, Finding]] = []
    for m in _NHS_CANDIDATE.finditer(text):
        if nhs_number_is_valid(m.group(0)):
            found.append((m.start(), Finding("nhs_number", m.group(0))))
    for m in _POSTCODE.finditer(text):
        found.append((m.start(), Finding("postcode", m.group(0))))
    marker_ends = {m.end() for m in _DOB_MARKER.finditer(text)}
    for m in _NUMERIC_DATE.finditer(text):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if len(m.group(3)) == 2:
            year += 1900 if year > today.year % 100 else 2000
        if not _valid_date(day, month, year):
            continue
        if m.start() in marker_ends or year <= today.year - _BIRTH_YEARS_AGO:
            found.append((m.start(), Finding("date_of_birth", m.group(0))))
    for m in _TEXT_DATE.finditer(text):
        if m.start() in marker_ends or int(m.group(3)) <= today.year - _BIRTH_YEARS_AGO:
            found.append((m.start(), Finding("date_of_birth", m.group(0))))
    return [f for _, f in sorted(found, key=lambda pair: pair[0])]


def anonymise_message(findings: list[Finding]) -> str:
    """The message shown when text must be anonymised before it can be saved."""
    kinds = []
    for f in findings:
        if f.label not in kinds:
            kinds.append(f.label)
    listed = " and ".join(kinds) if len(kinds) < 3 else ", ".join(kinds[:-1]) + " and " + kinds[-1]
    return (
        f"This looks like it contains {listed} ({', '.join(repr(f.text) for f in findings[:3])}). "
        "Remove anything that could identify a patient, then save again"
    )
