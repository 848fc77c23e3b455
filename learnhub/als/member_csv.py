"""Check a CSV of programme members before anyone is added. Plain functions, no Flask.

Only an ``email`` column is needed. Every row is checked and every problem reported with its
row number; nobody is added unless every row is valid.
"""

from dataclasses import dataclass, field

from learnhub.csvread import CsvProblem, read_table

MAX_ROWS = 1000


@dataclass(frozen=True)
class KnownPerson:
    """Someone in the hub: their user id and professional role code."""

    user_id: int
    role: str
    #: A hub or site administrator: never an ALS member of their own hub's programmes.
    admin: bool = False


@dataclass
class MemberCsvResult:
    """User ids to add, per-row errors and whole-file errors."""

    user_ids: list[int] = field(default_factory=list)
    already: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the whole file can be applied."""
        return not self.errors and not self.file_errors


def check_member_csv(
    data: bytes | str,
    *,
    people: dict[str, KnownPerson],
    eligible_roles: list[str],
    existing: set[int],
    role_labels: dict[str, str],
) -> MemberCsvResult:
    """Check every row against the hub's people (by lower-case email).

    ``data`` is the uploaded file (any encoding Excel writes) or its text.
    """
    result = MemberCsvResult()
    try:
        table = read_table(data, max_rows=MAX_ROWS)
    except CsvProblem as problem:
        result.file_errors.append(str(problem))
        return result
    if "email" not in table.columns:
        result.file_errors.append("The first row of the file must name an 'email' column")
        return result
    seen: set[str] = set()
    for line, row in table.rows:
        email = (row.get("email") or "").strip().lower()
        if not email:
            result.errors.append((line, "Enter an email address"))
            continue
        if email in seen:
            result.errors.append((line, f"{email} appears more than once"))
            continue
        seen.add(email)
        person = people.get(email)
        if person is None:
            result.errors.append((line, f"Nobody in your hub has the email address {email}: invite them first"))
        elif person.admin:
            result.errors.append((line, f"{email} is an administrator of your hub, who cannot be a member of its sets"))
        elif person.role not in eligible_roles:
            label = role_labels.get(person.role, person.role)
            result.errors.append((line, f"{email} is a {label}, which this programme is not open to"))
        elif person.user_id in existing:
            result.already += 1
        else:
            result.user_ids.append(person.user_id)
    if not seen and not result.errors:
        result.file_errors.append("The file has no rows")
    return result
