"""Certification dates and status, after Totara's model."""

from datetime import date

import pytest

from learnhub.eligibility.certification import Base, Renewal, Status, add_months, new_expiry, status_on, window_opens


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 2, 29), 36) == date(2031, 2, 28)
    assert add_months(date(2026, 11, 23), 36) == date(2029, 11, 23)


def test_status_moves_from_active_to_due_to_expired():
    expires = date(2029, 11, 23)
    assert window_opens(expires, 90) == date(2029, 8, 25)
    assert status_on(date(2029, 8, 24), expires_on=expires, window_days=90) is Status.ACTIVE
    assert status_on(date(2029, 8, 25), expires_on=expires, window_days=90) is Status.DUE
    assert status_on(date(2029, 11, 22), expires_on=expires, window_days=90) is Status.DUE
    assert status_on(date(2029, 11, 23), expires_on=expires, window_days=90) is Status.EXPIRED
    assert status_on(date(2027, 1, 1), expires_on=expires, window_days=90, revoked=True) is Status.REVOKED


def test_first_grant_counts_from_completion():
    assert new_expiry(date(2026, 11, 23), 36, 90) == Renewal(date(2029, 11, 23), Base.COMPLETION)


def test_renewal_inside_the_window_counts_from_the_previous_expiry():
    renewal = new_expiry(date(2029, 10, 1), 36, 90, previous_expires_on=date(2029, 11, 23))
    assert renewal.expires_on == date(2032, 11, 23)
    assert renewal.base is Base.EXPIRY


def test_renewal_after_expiry_starts_a_new_cycle_from_completion():
    renewal = new_expiry(date(2030, 3, 1), 36, 90, previous_expires_on=date(2029, 11, 23))
    assert renewal == Renewal(date(2033, 3, 1), Base.COMPLETION)


def test_retaking_before_the_window_opens_counts_from_completion_and_never_shortens():
    previous = date(2029, 11, 23)
    renewal = new_expiry(date(2027, 1, 10), 36, 90, previous_expires_on=previous)
    assert renewal == Renewal(date(2030, 1, 10), Base.COMPLETION)
    assert renewal.expires_on > previous


def test_an_eligibility_needs_a_validity_period():
    with pytest.raises(ValueError, match="validity period"):
        new_expiry(date(2026, 1, 1), 0, 90)
