"""What every ALS service shares: the refusal error and the UK clock."""

from datetime import UTC, date, datetime, time

from learnhub.timeutil import UK as LONDON


class AlsError(ValueError):
    """A change that cannot be made; the message is shown to the user."""


def local_start(day: date, at: time) -> datetime:
    """A UK wall-clock date and time as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    """A stored UTC time on the UK clock, for display."""
    return moment.astimezone(LONDON)
