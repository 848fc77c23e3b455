"""Eligibility as a certification state, after Totara's certification model (no Flask).

An eligibility is **active** from completion until its renewal window opens, then **due for
renewal** until it expires, then **expired**; a revoked certificate makes it **revoked**.

New expiry on renewal (Totara's ``recertifydatetype``). We use the *expiry-date base* for a
renewal completed inside the window, and the *completion-date base* otherwise:

* renewed while the window is open (due, not yet expired): new expiry = previous expiry +
  validity. Renewing early, as hubs ask people to, then costs nothing, and the register keeps a
  continuous cycle, as supervisor re-approval does;
* renewed before the window opens: completion + validity. Retaking a course a month after
  passing it must not stack a second full period on top of the first, and never shortens the
  current one (completion + validity is later than the previous expiry);
* first grant, or renewed after expiry: completion + validity, because the eligibility lapsed
  and a new cycle starts (Totara does the same for overdue users).
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Status(StrEnum):
    """State of an eligibility record on a given day."""

    ACTIVE = "active"
    DUE = "due"
    EXPIRED = "expired"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        """Readable status."""
        return {"active": "Active", "due": "Due for renewal", "expired": "Expired", "revoked": "Revoked"}[self.value]


class Base(StrEnum):
    """Which date a new expiry was counted from."""

    COMPLETION = "completion"
    EXPIRY = "expiry"


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def window_opens(expires_on: date, window_days: int) -> date:
    """First day of the renewal window."""
    return expires_on - timedelta(days=window_days)


def status_on(today: date, *, expires_on: date, window_days: int, revoked: bool = False) -> Status:
    """The status of an eligibility on a day."""
    if revoked:
        return Status.REVOKED
    if today >= expires_on:
        return Status.EXPIRED
    if today >= window_opens(expires_on, window_days):
        return Status.DUE
    return Status.ACTIVE


@dataclass(frozen=True)
class Renewal:
    """A newly computed certification period."""

    expires_on: date
    base: Base


def new_expiry(
    completed_on: date,
    validity_months: int,
    window_days: int,
    previous_expires_on: date | None = None,
) -> Renewal:
    """Expiry after a completion, given the previous expiry if the person already held it."""
    if validity_months <= 0:
        raise ValueError("An eligibility needs a validity period of at least one month")
    if previous_expires_on is not None and window_opens(previous_expires_on, window_days) <= completed_on < previous_expires_on:
        return Renewal(add_months(previous_expires_on, validity_months), Base.EXPIRY)
    return Renewal(add_months(completed_on, validity_months), Base.COMPLETION)
