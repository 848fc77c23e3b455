"""Verification codes: randomness, readable form and forgiving input."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from learnhub.certificates.codes import ALPHABET, LENGTH, CodeProblem, format_code, new_code, normalise_code


def test_codes_carry_at_least_80_bits_from_an_unambiguous_alphabet():
    assert len(ALPHABET) == 32
    assert LENGTH * 5 >= 80
    assert not set("ILOU") & set(ALPHABET)
    codes = {new_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(c) == LENGTH and set(c) <= set(ALPHABET) for c in codes)


def test_codes_are_shown_in_groups_of_four():
    assert format_code("7KQ2M9XD4TRAB0CE") == "7KQ2-M9XD-4TRA-B0CE"


@pytest.mark.parametrize(
    "typed",
    ["7KQ2-M9XD-4TRA-B0CE", "7kq2 m9xd 4tra b0ce", " 7KQ2M9XD4TRAB0CE ", "7KQ2–M9XD–4TRA–BOCE", "7kq2m9xd4trab0ce"],
)
def test_typed_codes_are_normalised(typed):
    assert normalise_code(typed) == "7KQ2M9XD4TRAB0CE"


def test_letters_read_as_digits():
    assert normalise_code("IL00-0000-0000-0000") == "1100000000000000"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the verification code"),
        ("7KQ2-M9XD-4TRA", "must be 16 characters long"),
        ("7KQ2-M9XD-4TRA-B0CEX", "must be 16 characters long"),
        ("7KQ2-M9XD-4TRA-B0C!", "remove or correct: !"),
        ("UKQ2-M9XD-4TRA-B0CE", "remove or correct: U"),
        ("7KQ2-M9XD-4TRA-B0Cé", "remove or correct: É"),
    ],
)
def test_wrong_codes_are_refused_with_a_reason(typed, message):
    with pytest.raises(CodeProblem, match=message):
        normalise_code(typed)


@given(st.text(max_size=40))
def test_normalising_either_gives_a_valid_code_or_says_why(text):
    message = ""
    code = ""
    try:
        code = normalise_code(text)
    except CodeProblem as problem:
        message = str(problem)
    assert message or (len(code) == LENGTH and set(code) <= set(ALPHABET))


@given(st.text(alphabet=ALPHABET, min_size=LENGTH, max_size=LENGTH))
def test_formatted_codes_read_back_as_themselves(code):
    assert normalise_code(format_code(code).lower()) == code
