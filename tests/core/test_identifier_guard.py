"""The identifier guard (``learnhub.identifiers``): the corpus of texts it must refuse and accept.

The same guard screens ALS notes, actions, reflections and themes and free-text survey answers.
Add a case here whenever a new way of writing an identifier (or a new false positive) is found.
"""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learnhub.identifiers import anonymise_message, find_identifiers, nhs_number_is_valid, normalise, survey_answer_message

TODAY = date(2026, 11, 23)

#: (text, the kind that must be found)
MUST_REFUSE = [
    # NHS numbers, however they are written
    ("943 476 5919", "nhs_number"),
    ("9434765919", "nhs_number"),
    ("943-476-5919", "nhs_number"),
    ("943.476.5919", "nhs_number"),
    ("943/476/5919", "nhs_number"),
    ("943  476  5919", "nhs_number"),
    ("943\u00a0476\u00a05919", "nhs_number"),
    ("9434 765 919", "nhs_number"),
    ("943\u2013476\u20135919", "nhs_number"),  # en dash
    ("943\u2014476\u20145919", "nhs_number"),  # em dash
    ("943\u2212476\u22125919", "nhs_number"),  # minus sign
    ("Seen with 943 476\n5919 in clinic", "nhs_number"),  # split across two lines
    ("943476\r\n5919", "nhs_number"),
    ("943\u200b4765919", "nhs_number"),  # zero-width space
    ("9\u200c4\u200d3\u20604765919", "nhs_number"),
    ("\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19", "nhs_number"),  # full-width digits
    ("Room 12 943 476 5919", "nhs_number"),
    ("401 023 2137", "nhs_number"),
    # dates of birth
    ("DOB 12-Mar-1980", "date_of_birth"),
    ("born 1980-03-12", "date_of_birth"),
    ("date of birth: March 12, 1980", "date_of_birth"),
    ("d.o.b. 1980/03/12", "date_of_birth"),
    ("Mrs X, DOB 03/04/1956, lives alone", "date_of_birth"),
    ("born on 12 March 1949", "date_of_birth"),
    ("dob: 1/2/2019", "date_of_birth"),
    ("a man, 14.07.1962, referred", "date_of_birth"),
    ("D.O.B 12th of March 1980", "date_of_birth"),
    ("DOB 12\u2011Mar\u20111980", "date_of_birth"),  # non-breaking hyphens
    # postcodes
    ("Visited a house at LS1 4AP yesterday", "postcode"),
    ("lives near sw1a1aa", "postcode"),
    ("SW1A  1AA", "postcode"),
    ("SW1A-1AA", "postcode"),
    ("\uff33\uff37\uff11\uff21 \uff11\uff21\uff21", "postcode"),  # full-width SW1A 1AA
    ("LS1\u00a04AP", "postcode"),
    ("(M1 1AE)", "postcode"),
    # phone numbers and email addresses (refused everywhere the guard is used)
    ("Call her on 0113 496 0000", "phone_number"),
    ("mobile 07700 900123", "phone_number"),
    ("07700-900-123", "phone_number"),
    ("+44 (0)113 496 0000", "phone_number"),
    ("+44 7700 900123", "phone_number"),
    ("email jane.smith@nhs.net please", "email"),
    ("jane\u200b.smith@nhs.net", "email"),
]

MUST_ACCEPT = [
    "guidance published on 01/09/2008",
    "qualified on 15.07.2005",
    "meeting on 12/03/2026",
    "1234567890",  # ten digits failing the modulus 11 check
    "ref 943 476 5918",  # wrong check digit
    "We explored role clarity and how to ask the practice manager for diary control. 6 people attended.",
    "Next session 12/01/2027; last met 3 November 2026",
    "Impossible date 31/02/1950",
    "Works across the LS1 area and M1",
    "Plan b 12/03/2026",
    "Scored 4.5.10 in the quiz",
    "The 2019/20 contract, 10-15 minutes, 3.5 hours",
    "Between 2008 and 2012 the practice grew from 4 to 9 partners",
    "Read NICE NG12 and chapter 3.2",
    "Updated on 1 April 2001 and again in 2019",
]


@pytest.mark.parametrize(("text", "kind"), MUST_REFUSE)
def test_must_refuse(text, kind):
    assert kind in [f.kind for f in find_identifiers(text, today=TODAY)]


@pytest.mark.parametrize("text", MUST_ACCEPT)
def test_must_accept(text):
    assert find_identifiers(text, today=TODAY) == []


def test_normalisation_makes_every_separator_one_space():
    assert normalise("943.\u2013/\u00a0 476\n\n5919") == "943 476 5919"
    assert normalise("\uff33\uff37\uff11\uff21") == "SW1A"
    assert normalise("94\u200b3") == "943"


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


def test_findings_name_what_was_found():
    found = find_identifiers("Patient 943 476 5919 (SW1A 1AA)", today=TODAY)
    assert [(f.kind, f.text) for f in found] == [("nhs_number", "943 476 5919"), ("postcode", "SW1A 1AA")]


def test_als_message_asks_to_anonymise():
    message = anonymise_message(find_identifiers("943 476 5919 at LS1 4AP", today=TODAY))
    assert "an NHS number and a full postcode" in message
    assert "Remove anything that could identify a patient" in message


def test_survey_message_names_what_was_found():
    message = survey_answer_message(find_identifiers("ring me on 07700 900123 or jo@example.org", today=TODAY))
    assert "a phone number and an email address" in message
    assert "'07700 900123'" in message


def _with_check_digit(nine: str) -> str | None:
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return None if check == 10 else nine + str(check)


#: Anything a person (or a paste from another system) might put between two digits.
SEPARATORS = st.text(
    alphabet=[" ", "-", ".", "/", "\u00a0", "\u2013", "\u2014", "\u2212", "\n", "\r", "\t", "\u200b", "\u2060", "\u3000"],
    max_size=3,
)


@settings(deadline=None, max_examples=300)
@given(
    st.text(alphabet="0123456789", min_size=9, max_size=9),
    st.lists(SEPARATORS, min_size=9, max_size=9),
    st.sampled_from(["", "Patient ", "seen (", "note:\n", "ref "]),
    st.sampled_from(["", " today", ") at clinic", ".\nNext", ", then"]),
)
def test_any_valid_nhs_number_is_found_however_it_is_separated(nine, separators, before, after):
    number = _with_check_digit(nine)
    if number is None:
        return
    written = number[0] + "".join(sep + digit for sep, digit in zip(separators, number[1:], strict=True))
    assert nhs_number_is_valid(written)
    assert "nhs_number" in [f.kind for f in find_identifiers(f"{before}{written}{after}", today=TODAY)]
    wrong = number[:9] + str((int(number[9]) + 1) % 10)
    assert not nhs_number_is_valid(wrong)


@settings(deadline=None, max_examples=200)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200))
def test_any_text_is_screened_without_error(text):
    for finding in find_identifiers(text, today=TODAY):
        assert finding.label
