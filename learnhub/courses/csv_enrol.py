"""Check a CSV of people to enrol on a cohort. Plain functions, no Flask.

The file is read by ``learnhub.csvread`` (every encoding and line ending Excel writes); every
row is checked and every problem reported with its row number; nobody is enrolled unless
every row is valid.
"""

from dataclasses import dataclass, field

from learnhub.csvread import CsvProblem, read_table

MAX_ROWS = 2000


@dataclass
class EnrolResult:
    """User ids to enrol and per-row problems."""

    user_ids: list[int] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when everyone in the file can be enrolled."""
        return not self.errors and not self.file_errors and bool(self.user_ids)


def check_enrol_rows(data: bytes | str, *, hub_users: dict[str, int]) -> EnrolResult:
    """Match each row's email to a person in the hub.

    :param data: the uploaded file (bytes in any encoding ``read_table`` accepts) or its text.
    :param hub_users: lower-case email → user id for the hub's active people.
    """
    result = EnrolResult()
    try:
        table = read_table(data, max_rows=MAX_ROWS)
    except CsvProblem as problem:
        message = str(problem)
        if "more than" in message and "rows" in message:
            message = f"The file has more than {MAX_ROWS} rows. Split it into smaller files"
        result.file_errors.append(message)
        return result
    if "email" not in table.columns:
        result.file_errors.append("The file must have a header row with an email column")
        return result
    seen: dict[str, int] = {}
    for line, row in table.rows:
        email = (row.get("email") or "").strip().lower()
        if not email:
            result.errors.append((line, "Enter an email address"))
        elif email in seen:
            result.errors.append((line, f"{email} is also on row {seen[email]}"))
        elif email not in hub_users:
            result.errors.append((line, f"Nobody in this hub has the email address {email}"))
        else:
            seen[email] = line
            result.user_ids.append(hub_users[email])
    if not result.user_ids and not result.errors and not result.file_errors:
        result.file_errors.append("The file has no rows of people")
    return result
