"""Check a CSV of people before anyone is invited. Plain functions, no Flask.

Every row is checked and every problem reported with its row number, so an administrator
can fix the file in one go. Nothing is imported unless every row is valid.
"""

from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

from learnhub.csvread import CsvProblem, read_table
from learnhub.roles import HUB_ROLE_LABELS, PROFESSIONAL_ROLES, HubRole

REQUIRED_COLUMNS = ("name", "email")
KNOWN_COLUMNS = ("name", "email", "professional_role", "pcn", "practice", "permission")
MAX_ROWS = 2000

_ROLE_LOOKUP = {
    **{code: code for code in PROFESSIONAL_ROLES},
    **{label.lower(): code for code, label in PROFESSIONAL_ROLES.items()},
}
_PERMISSION_LOOKUP = {
    **{role.value: role.value for role in HubRole},
    **{label.lower(): role.value for role, label in HUB_ROLE_LABELS.items()},
    "admin": HubRole.HUB_ADMIN.value,
}


@dataclass
class ImportRow:
    """A valid row, ready to invite."""

    line: int
    name: str
    email: str
    professional_role: str
    hub_role: str
    pcn_id: int | None = None
    practice_id: int | None = None


@dataclass
class ImportResult:
    """Valid rows and per-row errors; ``file_errors`` are problems with the file as a whole."""

    rows: list[ImportRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the whole file can be imported."""
        return not self.errors and not self.file_errors and bool(self.rows)


@dataclass
class PcnInfo:
    """What the checker needs to know about a PCN: its id and its practices by lower-case name."""

    id: int
    practices: dict[str, int]


def check_table(data: bytes | str, *, existing_emails: set[str], pcns: dict[str, PcnInfo]) -> ImportResult:
    """Validate every row of a CSV of people to invite (bytes as uploaded, or text).

    The file is read by :func:`learnhub.csvread.read_table` (every encoding and line ending
    Excel writes); a file that cannot be read at all is one ``file_errors`` message.
    """
    result = ImportResult()
    try:
        table = read_table(data, max_rows=MAX_ROWS)
    except CsvProblem as problem:
        result.file_errors.append(str(problem))
        return result
    headers = table.columns
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if missing:
        result.file_errors.append(
            "The file must have a header row with the columns "
            + ", ".join(REQUIRED_COLUMNS)
            + f" (missing: {', '.join(missing)})"
        )
        return result
    seen: dict[str, int] = {}
    for line, raw in table.rows:  # line numbers count the header as line 1
        row = {k: (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        problems = []
        name = row.get("name", "")
        if not name:
            problems.append("enter a name")
        elif len(name) > 200:
            problems.append("name must be 200 characters or fewer")
        email = row.get("email", "").lower()
        if not email:
            problems.append("enter an email address")
        else:
            try:
                email = validate_email(email, check_deliverability=False).normalized.lower()
            except EmailNotValidError:
                problems.append(f"'{email}' is not a valid email address")
            else:
                if email in existing_emails:
                    problems.append(f"an account already exists for {email}")
                elif email in seen:
                    problems.append(f"the email {email} is also on row {seen[email]} of the file")
                else:
                    seen[email] = line
        role_text = row.get("professional_role", "")
        role = _ROLE_LOOKUP.get(role_text.lower(), None) if role_text else "other"
        if role is None:
            problems.append(f"unknown professional role '{role_text}'")
        permission_text = row.get("permission", "")
        permission = _PERMISSION_LOOKUP.get(permission_text.lower()) if permission_text else HubRole.LEARNER.value
        if permission is None:
            problems.append(f"unknown permission '{permission_text}' (use learner, facilitator or hub administrator)")
        pcn_id = practice_id = None
        pcn_text, practice_text = row.get("pcn", ""), row.get("practice", "")
        if pcn_text:
            pcn = pcns.get(pcn_text.lower())
            if pcn is None:
                problems.append(f"no PCN called '{pcn_text}' in this hub")
            else:
                pcn_id = pcn.id
                if practice_text:
                    practice_id = pcn.practices.get(practice_text.lower())
                    if practice_id is None:
                        problems.append(f"no practice called '{practice_text}' in {pcn_text}")
        elif practice_text:
            problems.append("give the PCN of the practice")
        if problems:
            message = "; ".join(problems)
            result.errors.append((line, message[0].upper() + message[1:]))
        else:
            result.rows.append(ImportRow(line, name, email, role or "other", permission or "learner", pcn_id, practice_id))
    if not result.rows and not result.errors and not result.file_errors:
        result.file_errors.append("The file has no rows of people")
    return result


#: The old name (it took decoded text; it takes bytes too now).
check_rows = check_table
