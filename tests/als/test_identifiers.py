from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learnhub.als.identifiers import anonymise_message, find_identifiers, nhs_number_is_valid

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize("number", ["9434765919", "943 476 5919", "943-476-5919", "4010232137", "9999999999"])
def test_valid_nhs_numbers(number):
    assert nhs_number_is_valid(number)


@pytest.mark.parametrize(
    "number",
    [
        "9434765918",  # wrong check digit
        "4010232138",
        "1234567890",  # check digit would be 10: never issued
        "943476591",  # 9 digits
        "94347659190",  # 11 digits
        "94347A5919",
    ],
)
def test_invalid_nhs_numbers(number):
    assert not nhs_number_is_valid(number)


def _kinds(text):
    return [f.kind for f in find_identifiers(text, today=TODAY)]


def test_finds_nhs_number_with_spaces_in_text():
    found = find_identifiers("Discussed patient 943 476 5919 today", today=TODAY)
    assert [(f.kind, f.text) for f in found] == [("nhs_number", "943 476 5919")]


def test_ignores_ten_digit_numbers_that_fail_the_check():
    assert _kinds("Call 0123456780 or ref 943 476 5918") == []


def test_finds_dates_of_birth():
    assert _kinds("Mrs X, DOB 03/04/1956, lives alone") == ["date_of_birth"]
    assert _kinds("born on 12 March 1949") == ["date_of_birth"]
    assert _kinds("dob: 1/2/2019") == ["date_of_birth"]
    assert _kinds("a man, 14.07.1962, referred") == ["date_of_birth"]


def test_recent_meeting_dates_are_not_dates_of_birth():
    assert _kinds("Next session 12/01/2027; last met 3 November 2026") == []
    assert _kinds("Impossible date 31/02/1950") == []


def test_finds_full_postcodes_not_districts():
    assert _kinds("Visited a house at LS1 4AP yesterday") == ["postcode"]
    assert _kinds("lives near sw1a1aa") == ["postcode"]
    assert _kinds("Works across the LS1 area and M1") == []


def test_clean_reflective_text_passes():
    text = "We explored role clarity and how to ask the practice manager for diary control. 6 people attended."
    assert find_identifiers(text, today=TODAY) == []


def test_message_asks_to_anonymise():
    message = anonymise_message(find_identifiers("943 476 5919 at LS1 4AP", today=TODAY))
    assert "an NHS number and a full postcode" in message
    assert "Remove anything that could identify a patient" in message


def _with_check_digit(nine: str) -> str | None:
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return None if check == 10 else nine + str(check)


@settings(deadline=None)
@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.sampled_from(["", " ", "-"]))
def test_any_valid_number_is_found_however_it_is_spaced(nine, sep):
    number = _with_check_digit(nine)
    if number is None:
        return
    written = sep.join([number[:3], number[3:6], number[6:]])
    assert nhs_number_is_valid(written)
    assert "nhs_number" in _kinds(f"note {written} end")
    wrong = number[:9] + str((int(number[9]) + 1) % 10)
    assert not nhs_number_is_valid(wrong)
