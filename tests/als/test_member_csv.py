from learnhub.als.member_csv import KnownPerson, check_member_csv

PEOPLE = {
    "a@example.org": KnownPerson(1, "splw"),
    "b@example.org": KnownPerson(2, "hwbc"),
    "gp@example.org": KnownPerson(3, "gp"),
    "c@example.org": KnownPerson(4, "care_coordinator"),
}
ROLES = ["splw", "hwbc", "care_coordinator"]
LABELS = {"gp": "GP"}


def check(text, existing=frozenset()):
    return check_member_csv(text, people=PEOPLE, eligible_roles=ROLES, existing=set(existing), role_labels=LABELS)


def test_valid_file():
    result = check("Email,name\nA@example.org,Ann\nb@example.org,Bo\nc@example.org,\n", existing={4})
    assert result.ok
    assert result.user_ids == [1, 2]
    assert result.already == 1


def test_every_problem_is_reported_with_its_row():
    result = check("email,name\na@example.org,A\nnobody@example.org,N\ngp@example.org,G\n,Blank\na@example.org,A\n")
    assert not result.ok
    assert result.errors == [
        (3, "Nobody in your hub has the email address nobody@example.org: invite them first"),
        (4, "gp@example.org is a GP, which this programme is not open to"),
        (5, "Enter an email address"),
        (6, "a@example.org appears more than once"),
    ]


def test_missing_email_column():
    assert check("name\nAnn\n").file_errors == ["The first row of the file must name an 'email' column"]


def test_empty_file():
    assert check("email\n").file_errors == ["The file has no rows"]
