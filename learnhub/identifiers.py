"""Find identifiers in free text before it is saved. Pure functions: no Flask, no database.

One guard for every place where people type free text that must not identify anyone: ALS
session notes, actions, action reflections and themes, and free-text survey answers (a future
supervision log will use it too). It finds

- NHS numbers (10 digits passing the modulus 11 check, however they are grouped or separated),
- dates of birth (a date after "DOB", "born", "date of birth"…, or an unlabelled full date at
  least 16 years ago that is not introduced as the date of an event: "published on 01/09/2008"
  passes, "a man, 14.07.1962, referred" does not),
- full UK postcodes (outward and inward code),
- UK phone numbers and email addresses.

Text is normalised before matching, so that what a person sees as the same number is the same
number here: Unicode NFKC (full-width "ＳＷ１Ａ" becomes "SW1A", a no-break space a space),
zero-width characters removed, and every dash, dot, slash, bracket, no-break space, line break
and run of spaces treated as one separator. "943.476.5919", "943–476–5919", "943\u200b4765919"
and an NHS number split over two lines are all found.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

NHS_NUMBER = "nhs_number"
DATE_OF_BIRTH = "date_of_birth"
POSTCODE = "postcode"
PHONE_NUMBER = "phone_number"
EMAIL = "email"

LABELS = {
    NHS_NUMBER: "an NHS number",
    DATE_OF_BIRTH: "a date of birth",
    POSTCODE: "a full postcode",
    PHONE_NUMBER: "a phone number",
    EMAIL: "an email address",
}

#: Invisible characters that may sit inside a number without showing: removed outright.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u00ad\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"))
#: Characters read as "a separator" (after NFKC): dots, slashes, brackets and every kind of dash.
_SEPARATOR_CHARS = ".·/\\()[]_-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d"
#: One or more separators or whitespace characters (line breaks included): one separator.
_SEPARATORS = re.compile(rf"(?:[{re.escape(_SEPARATOR_CHARS)}]|\s)+")

_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MONTH_NUMBER = {name: i for i, name in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_ORDINAL = "(?:st|nd|rd|th)?"
#: Dates as they look after normalisation (every separator is one space).
_DATES = [
    # 12 03 1980, 12 3 80 (day month year)
    ("dmy", re.compile(r"(?<![\d])(\d{1,2}) (\d{1,2}) (\d{4}|\d{2})(?![\d])")),
    # 1980 03 12 (ISO order)
    ("ymd", re.compile(r"(?<![\d])(\d{4}) (\d{1,2}) (\d{1,2})(?![\d])")),
    # 12 Mar 1980, 12th of March, 1980, 12Mar1980
    ("dMy", re.compile(rf"(?<![\d])(\d{{1,2}}){_ORDINAL} ?(?:of )?({_MONTHS}),? ?(\d{{4}}|\d{{2}})(?![\d])", re.IGNORECASE)),
    # March 12, 1980
    ("Mdy", re.compile(rf"\b({_MONTHS}) (\d{{1,2}}){_ORDINAL},? ?(\d{{4}})(?![\d])", re.IGNORECASE)),
]
#: Words that label a date as somebody's date of birth ("d.o.b." is "d o b" once normalised).
_DOB_MARKER = re.compile(
    r"\b(?:d ?o ?b|date of birth|birth ?date|birthday|born(?: on| in)?)\b ?:? ?$",
    re.IGNORECASE,
)
#: A date introduced by one of these words is the date of an event, not of a birth.
_EVENT_WORD = re.compile(
    r"\b(?:on|since|from|until|till|to|by|before|after|dated|published|issued|updated|qualified|"
    r"registered|started|ended|met|meeting|session|between|and|in)\b ?:? ?$",
    re.IGNORECASE,
)
#: An unlabelled full date at least this many years ago reads as somebody's date of birth.
_BIRTH_YEARS_AGO = 16

_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
#: A run of digit groups, each group separated from the next by one separator.
_DIGIT_RUN = re.compile(r"\d+(?: \d+)*")
_EMAIL = re.compile(r"[\w.+'-]+ ?@ ?[\w-]+(?:\.[\w-]+)+", re.UNICODE)


@dataclass(frozen=True)
class Finding:
    """One identifier found: its kind and the text that matched (as normalised)."""

    kind: str
    text: str

    @property
    def label(self) -> str:
        """Readable name of the kind ("an NHS number")."""
        return LABELS[self.kind]


def normalise(text: str) -> str:
    """Text as the guard reads it: NFKC, no zero-width characters, every separator one space."""
    cleaned = unicodedata.normalize("NFKC", text or "").translate(_ZERO_WIDTH)
    return _SEPARATORS.sub(" ", cleaned)


def nhs_number_is_valid(digits: str) -> bool:
    """True if the text is 10 digits (separators aside) passing the NHS number modulus 11 check."""
    digits = normalise(digits).replace(" ", "")
    if not re.fullmatch(r"[0-9]{10}", digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _year(text: str, today: date) -> int:
    year = int(text)
    if len(text) == 2:
        year += 1900 if year > today.year % 100 else 2000
    return year


def _as_date(kind: str, groups: tuple[str, ...], today: date) -> date | None:
    try:
        if kind == "dmy":
            return date(_year(groups[2], today), int(groups[1]), int(groups[0]))
        if kind == "ymd":
            return date(int(groups[0]), int(groups[1]), int(groups[2]))
        if kind == "dMy":
            return date(_year(groups[2], today), _MONTH_NUMBER[groups[1][:3].lower()], int(groups[0]))
        return date(int(groups[2]), _MONTH_NUMBER[groups[0][:3].lower()], int(groups[1]))
    except ValueError:
        return None


def _nhs_numbers(flat: str) -> list[tuple[int, int, str]]:
    """Consecutive digit groups holding exactly 10 digits that pass the check: (start, end, text)."""
    found = []
    for run in _DIGIT_RUN.finditer(flat):
        groups = run.group(0).split(" ")
        starts = []
        position = run.start()
        for g in groups:
            starts.append(position)
            position += len(g) + 1
        for i in range(len(groups)):
            digits = ""
            for j in range(i, len(groups)):
                digits += groups[j]
                if len(digits) >= 10:
                    break
            if len(digits) == 10 and nhs_number_is_valid(digits):
                end = starts[j] + len(groups[j])
                found.append((starts[i], end, flat[starts[i] : end]))
    return found


def _phone_numbers(flat: str) -> list[tuple[int, int, str]]:
    """UK phone numbers: 0 then 9 or 10 more digits, or +44 then 9 or 10 digits, in any grouping."""
    found = []
    for run in _DIGIT_RUN.finditer(flat):
        digits = run.group(0).replace(" ", "")
        start = run.start()
        if flat[max(0, start - 2) : start].strip().endswith("+") and digits.startswith("44"):
            national = digits[2:]
            national = national[1:] if national.startswith("0") and len(national) == 11 else national
            if len(national) in (9, 10):
                start = flat.rindex("+", 0, start)
                found.append((start, run.end(), flat[start : run.end()]))
        elif digits.startswith("0") and not digits.startswith("00") and len(digits) in (10, 11):
            found.append((start, run.end(), run.group(0)))
    return found


def _dates_of_birth(flat: str, today: date) -> list[tuple[int, int, str]]:
    found = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _DATES:
        for m in pattern.finditer(flat):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            when = _as_date(kind, m.groups(), today)
            if when is None:
                continue
            before = flat[max(0, m.start() - 20) : m.start()]
            labelled = _DOB_MARKER.search(before) is not None
            event = _EVENT_WORD.search(before) is not None
            # An unlabelled date needs a four-digit year ("4.5.10" is more likely a version or a score).
            if labelled or (re.search(r"\d{4}", m.group(0)) and not event and when.year <= today.year - _BIRTH_YEARS_AGO):
                found.append((m.start(), m.end(), m.group(0)))
            taken.append((m.start(), m.end()))
    return found


def find_identifiers(text: str, *, today: date | None = None) -> list[Finding]:
    """Every identifier in ``text``, in the order found (overlapping matches reported once)."""
    today = today or date.today()
    cleaned = unicodedata.normalize("NFKC", text or "").translate(_ZERO_WIDTH)
    flat = _SEPARATORS.sub(" ", cleaned)
    spans: list[tuple[int, int, str, str]] = []  # start, end, kind, text (positions in ``flat``)
    for start, end, found in _nhs_numbers(flat):
        spans.append((start, end, NHS_NUMBER, found))
    for start, end, found in _dates_of_birth(flat, today):
        spans.append((start, end, DATE_OF_BIRTH, found))
    for m in _POSTCODE.finditer(flat):
        spans.append((m.start(), m.end(), POSTCODE, m.group(0)))
    for start, end, found in _phone_numbers(flat):
        spans.append((start, end, PHONE_NUMBER, found))
    kept: list[tuple[int, int, str, str]] = []
    for span in spans:  # earlier kinds win where two overlap (an NHS number is not also a phone number)
        if not any(s < span[1] and span[0] < e for s, e, _, _ in kept):
            kept.append(span)
    findings = [(start, Finding(kind, found)) for start, _, kind, found in kept]
    # Email addresses are matched before dots become separators (their positions sort last).
    findings += [(len(flat) + m.start(), Finding(EMAIL, m.group(0))) for m in _EMAIL.finditer(cleaned)]
    return [f for _, f in sorted(findings, key=lambda pair: pair[0])]


def _listed(findings: list[Finding]) -> tuple[str, str]:
    kinds: list[str] = []
    for f in findings:
        if f.label not in kinds:
            kinds.append(f.label)
    listed = " and ".join(kinds) if len(kinds) < 3 else ", ".join(kinds[:-1]) + " and " + kinds[-1]
    examples = ", ".join(f"'{f.text}'" for f in findings[:3])
    return listed, examples


def anonymise_message(findings: list[Finding]) -> str:
    """The message shown when ALS text must be anonymised before it can be saved."""
    listed, examples = _listed(findings)
    return f"This looks like it contains {listed} ({examples}). Remove anything that could identify a patient, then save again"


def survey_answer_message(findings: list[Finding]) -> str:
    """The message shown when a free-text survey answer contains personal details."""
    listed, examples = _listed(findings)
    return (
        f"Your answer looks like it contains {listed} ({examples}). "
        "Remove it so that your answer cannot identify you or anyone else, then try again"
    )
