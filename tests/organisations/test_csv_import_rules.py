"""The CSV checker on its own: every bad row reported, nothing accepted unless all are good."""

from learnhub.csvread import decode
from learnhub.organisations.csv_import import PcnInfo, check_rows

PCNS = {"north pcn": PcnInfo(1, {"riverside surgery": 10})}


def check(text: str, existing: set[str] | None = None):  # type: ignore[no-untyped-def]
    return check_rows(text, existing_emails=existing or set(), pcns=PCNS)


def test_good_file_gives_rows_with_defaults_and_lookups():
    result = check(
        "name,email,professional_role,pcn,practice,permission\n"
        "Dr A Patel,A.Patel@Example.org,GP,North PCN,Riverside Surgery,learner\n"
        "Jo Bloggs,jo@example.org,,,,\n"
        "Kim Lee,kim@example.org,Social prescribing link worker,north pcn,,Facilitator\n"
    )
    assert result.ok
    first, second, third = result.rows
    assert (first.email, first.professional_role, first.pcn_id, first.practice_id) == ("a.patel@example.org", "gp", 1, 10)
    assert (second.professional_role, second.hub_role) == ("other", "learner")
    assert (third.professional_role, third.hub_role, third.pcn_id) == ("splw", "facilitator", 1)


def test_every_bad_row_is_reported_with_its_line_number():
    result = check(
        "name,email,professional_role,pcn,practice,permission\n"
        ",nobody@example.org,gp,,,\n"
        "Bad Email,not-an-email,gp,,,\n"
        "Taken,taken@example.org,gp,,,\n"
        "Role,role@example.org,astronaut,,,\n"
        "Pcn,pcn@example.org,gp,South PCN,,\n"
        "Practice,practice@example.org,gp,North PCN,Nowhere,\n"
        "Orphan,orphan@example.org,gp,,Riverside Surgery,\n"
        "Perm,perm@example.org,gp,,,king\n"
        "Dup One,dup@example.org,gp,,,\n"
        "Dup Two,DUP@example.org,gp,,,\n",
        existing={"taken@example.org"},
    )
    assert not result.ok
    errors = dict(result.errors)
    assert errors[2] == "Enter a name"
    assert "'not-an-email' is not a valid email address" in errors[3]
    assert "An account already exists for taken@example.org" in errors[4]
    assert errors[5] == "Unknown professional role 'astronaut'"
    assert errors[6] == "No PCN called 'South PCN' in this hub"
    assert errors[7] == "No practice called 'Nowhere' in North PCN"
    assert errors[8] == "Give the PCN of the practice"
    assert errors[9].startswith("Unknown permission 'king'")
    assert errors[11] == "The email dup@example.org is also on row 10 of the file"
    assert 10 not in errors


def test_missing_columns_is_a_file_error():
    result = check("full name,mail\nA,b@example.org\n")
    assert not result.ok
    assert "missing: name, email" in result.file_errors[0]


def test_empty_file_is_an_error():
    result = check("name,email\n")
    assert not result.ok
    assert result.file_errors == ["The file has no rows of people"]


def test_blank_lines_are_ignored():
    result = check("name,email\n\nA Person,a@example.org\n,\n")
    assert result.ok
    assert len(result.rows) == 1


def test_excel_encodings_are_decoded():
    assert decode("\ufeffname,email\n".encode()) == "name,email\n"
    assert decode("name\nSiân\n".encode("cp1252")) == "name\nSiân\n"
