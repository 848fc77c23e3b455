"""Time helpers: LearnHub stores timezone-aware UTC timestamps."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

#: Where every LearnHub hub is: times are entered and shown as UK time (GMT or BST).
UK = ZoneInfo("Europe/London")


def uk_time(moment: datetime | None, fmt: str = "%-d %B %Y, %H:%M") -> str:
    """A stored UTC moment as people in England read it: UK time, BST or GMT as it was then."""
    if moment is None:
        return ""
    return moment.astimezone(UK).strftime(fmt)


def to_uk(moment: datetime) -> datetime:
    """A stored UTC moment on the UK clock."""
    return moment.astimezone(UK)


def from_uk(day: date, at: time) -> datetime:
    """A UK wall-clock date and time as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=UK).astimezone(UTC)


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python, whatever the database keeps.

    SQLite has no timezone type and hands back naive datetimes; this puts UTC back on.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:  # type: ignore[no-untyped-def]
        """Store in UTC; refuse naive datetimes, which are ambiguous."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("LearnHub stores timezone-aware datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:  # type: ignore[no-untyped-def]
        """Attach UTC to values SQLite returns naive."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
