"""Session dates for an ALS programme. Plain functions, no Flask.

Dates follow a cadence from a start date; a date falling on a weekend or an England and Wales
bank holiday moves to the next working day. Dates past the programme's end are an error, so
an administrator sees the problem before anything is saved.
"""

from collections.abc import Container
from dataclasses import dataclass
from datetime import date, timedelta

import holidays


class ScheduleError(ValueError):
    """The schedule cannot be made as asked; ``dates`` lists the offending dates."""

    def __init__(self, message: str, dates: list[date] | None = None) -> None:
        super().__init__(message)
        self.dates = dates or []


def bank_holidays(years: range | list[int]) -> Container[date]:
    """England and Wales bank holidays for the given years (from the offline ``holidays`` data)."""
    return holidays.UK(subdiv="ENG", years=list(years))


def date_warnings(day: date) -> list[str]:
    """Why a session on ``day`` may be a mistake: a weekend or an England and Wales bank holiday."""
    warnings = []
    when = day.strftime("%A %-d %B %Y")
    if day.weekday() >= 5:
        warnings.append(f"{when} is a weekend")
    holiday = bank_holidays([day.year]).get(day)  # type: ignore[attr-defined]
    if holiday:
        warnings.append(f"{when} is a bank holiday ({holiday})")
    return warnings


def is_working_day(day: date, closed: Container[date]) -> bool:
    """True on a weekday that is not a bank holiday."""
    return day.weekday() < 5 and day not in closed


def next_working_day(day: date, closed: Container[date]) -> date:
    """The day itself if it is a working day, otherwise the next one."""
    while not is_working_day(day, closed):
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class PlannedDate:
    """One session date; ``nominal`` is the cadence date before any move."""

    nominal: date
    actual: date

    @property
    def moved(self) -> bool:
        """True when a weekend or bank holiday moved the session."""
        return self.nominal != self.actual


def session_dates(
    start: date,
    cadence_weeks: int,
    count: int,
    *,
    end: date | None = None,
    closed: Container[date] | None = None,
) -> list[PlannedDate]:
    """Dates of ``count`` sessions every ``cadence_weeks`` weeks from ``start``.

    :param end: last day of the programme; any session after it raises ``ScheduleError``.
    :param closed: non-working days; England and Wales bank holidays by default.
    """
    if cadence_weeks < 1:
        raise ScheduleError("The cadence must be at least 1 week")
    if count < 1:
        raise ScheduleError("The number of sessions must be at least 1")
    if closed is None:
        closed = bank_holidays(range(start.year, start.year + 2 + (cadence_weeks * count) // 52))
    planned = []
    for i in range(count):
        nominal = start + timedelta(weeks=cadence_weeks * i)
        planned.append(PlannedDate(nominal, next_working_day(nominal, closed)))
    if end is not None:
        late = [p.actual for p in planned if p.actual > end]
        if late:
            listed = ", ".join(d.strftime("%-d %B %Y") for d in late)
            raise ScheduleError(
                f"{len(late)} session{'s' if len(late) > 1 else ''} would fall after the programme ends on "
                f"{end.strftime('%-d %B %Y')} ({listed}). Start earlier, meet more often or plan fewer sessions.",
                late,
            )
    return planned
