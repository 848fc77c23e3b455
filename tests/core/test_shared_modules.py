"""Shared plain modules: small-number suppression, safe PDF fetching, password rules, roles."""

import pytest

from learnhub import suppression
from learnhub.passwords import password_problem
from learnhub.pdf import BlockedURL, _static_response, render_pdf
from learnhub.roles import registration_number_problem


@pytest.mark.parametrize(("count", "shown"), [(0, 0), (1, "*"), (7, "*"), (8, 8), (120, 120)])
def test_mask_count(count, shown):
    assert suppression.mask_count(count) == shown


def test_threshold_cannot_go_below_five():
    with pytest.raises(ValueError, match="below 5"):
        suppression.mask_count(3, threshold=4)
    assert suppression.mask_count(5, threshold=5) == 5
    assert suppression.mask_count(9, threshold=10) == "*"


def test_single_suppressed_cell_gets_a_secondary_suppression():
    # 3 alone would be recoverable from the total 34: the next-smallest (9) is hidden too.
    assert suppression.suppress_row([10, 3, 12, 0, 9]) == [10, "*", 12, 0, "*"]


def test_two_suppressed_cells_need_no_secondary():
    assert suppression.suppress_row([10, 3, 2, 20]) == [10, "*", "*", 20]


def test_zero_is_never_used_as_the_secondary_cell():
    assert suppression.suppress_row([0, 4, 30]) == [0, "*", "*"]


def test_no_secondary_when_total_is_hidden():
    assert suppression.suppress_row([10, 3, 12], total_shown=False) == [10, "*", 12]


def test_pdf_fetcher_refuses_local_files_and_other_hosts():
    with pytest.raises(BlockedURL):
        _static_response("file:///etc/passwd")
    with pytest.raises(BlockedURL):
        _static_response("https://evil.example/static/x.png")
    with pytest.raises(BlockedURL):
        _static_response("https://learnhub.invalid/static/../../../etc/passwd")


def test_pdf_renders_and_leaves_out_blocked_resources():
    pdf = render_pdf('<html lang="en"><title>T</title><p>Hello</p><img src="file:///etc/passwd"></html>')
    assert pdf.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("password", "ok"),
    [("kettle-orchard-lantern", True), ("short", False), ("qwertyuiop123", False), ("1111111111111", False)],
)
def test_password_rules(password, ok):
    assert (password_problem(password) is None) is ok


@pytest.mark.parametrize(
    ("body", "number", "ok"),
    [
        ("GMC", "1234567", True),
        ("GMC", "123456", False),
        ("NMC", "12a3456e", True),
        ("NMC", "1234567", False),
        ("HCPC", "PA 123456", True),
        ("GPhC", "2012345", True),
        ("XYZ", "1", False),
    ],
)
def test_registration_numbers(body, number, ok):
    assert (registration_number_problem(body, number) is None) is ok


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+44 7700", "'+44 7700"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("Dr A", "Dr A"),
        (3, 3),
    ],
)
def test_spreadsheet_cells_cannot_start_a_formula(value, expected):
    from learnhub.spreadsheet import safe_cell

    assert safe_cell(value) == expected


def test_uk_time_shows_bst_in_summer_and_gmt_in_winter() -> None:
    from datetime import UTC, datetime

    from learnhub.timeutil import uk_time

    assert uk_time(datetime(2026, 7, 1, 8, 30, tzinfo=UTC)) == "1 July 2026, 09:30"
    assert uk_time(datetime(2026, 12, 1, 8, 30, tzinfo=UTC)) == "1 December 2026, 08:30"
    assert uk_time(None) == ""


def test_whole_number_field_gives_one_plain_message() -> None:
    from flask import Flask
    from flask_wtf import FlaskForm
    from wtforms.validators import InputRequired, NumberRange

    from learnhub.formfields import WholeNumberField

    class Form(FlaskForm):
        places = WholeNumberField(
            "Places",
            not_a_number="Enter places as a whole number",
            validators=[InputRequired("Enter places"), NumberRange(min=1, message="Places must be 1 or more")],
        )

    app = Flask(__name__)
    app.config.update(SECRET_KEY="x", WTF_CSRF_ENABLED=False)
    for raw, errors, value in (
        ("12", [], 12),
        (" 3 ", [], 3),
        ("twelve", ["Enter places as a whole number"], None),
        ("1.5", ["Enter places as a whole number"], None),
        ("0", ["Places must be 1 or more"], 0),
        ("", ["Enter places"], None),
    ):
        with app.test_request_context(method="POST", data={"places": raw}):
            form = Form()
            form.validate()
            assert (form.places.errors, form.places.data) == (errors, value), raw
