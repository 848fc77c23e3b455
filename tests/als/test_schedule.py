from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learnhub.als.schedule import ScheduleError, bank_holidays, is_working_day, session_dates


def test_monthly_dates_skip_easter_monday_and_may_day():
    # Mondays every 4 weeks from 9 March 2026: 6 April is Easter Monday, 4 May is May Day.
    dates = [p.actual for p in session_dates(date(2026, 3, 9), 4, 4)]
    assert dates == [date(2026, 3, 9), date(2026, 4, 7), date(2026, 5, 5), date(2026, 6, 1)]


def test_weekend_start_moves_to_monday():
    planned = session_dates(date(2026, 1, 10), 2, 2)  # a Saturday
    assert planned[0].actual == date(2026, 1, 12)
    assert planned[0].moved
    assert planned[1].actual == date(2026, 1, 26)


def test_christmas_moves_past_boxing_day_observed():
    # 25 December 2026 is a Friday; 28 December is Boxing Day (substitute day).
    assert session_dates(date(2026, 12, 25), 1, 1)[0].actual == date(2026, 12, 29)


def test_dates_past_programme_end_are_reported():
    with pytest.raises(ScheduleError) as info:
        session_dates(date(2026, 1, 5), 4, 6, end=date(2026, 4, 30))
    assert info.value.dates == [date(2026, 5, 26)]
    assert "after the programme ends on 30 April 2026" in str(info.value)


def test_bad_cadence_is_refused():
    with pytest.raises(ScheduleError):
        session_dates(date(2026, 1, 5), 0, 3)


HOLIDAYS = bank_holidays(range(2024, 2034))


@settings(deadline=None)
@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    cadence=st.integers(1, 8),
    count=st.integers(1, 12),
)
def test_every_date_is_a_working_day_in_order_and_close_to_its_cadence_date(start, cadence, count):
    planned = session_dates(start, cadence, count, closed=HOLIDAYS)
    assert len(planned) == count
    for i, p in enumerate(planned):
        assert is_working_day(p.actual, HOLIDAYS)
        assert p.nominal == start + timedelta(weeks=cadence * i)
        assert timedelta(0) <= p.actual - p.nominal < timedelta(days=7)
    assert all(a.actual < b.actual for a, b in zip(planned, planned[1:], strict=False))


@settings(deadline=None)
@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    cadence=st.integers(1, 8),
    count=st.integers(1, 12),
    days=st.integers(0, 800),
)
def test_end_date_either_holds_every_session_or_raises(start, cadence, count, days):
    end = start + timedelta(days=days)
    unbounded = session_dates(start, cadence, count, closed=HOLIDAYS)
    late = [p.actual for p in unbounded if p.actual > end]
    if late:
        with pytest.raises(ScheduleError) as info:
            session_dates(start, cadence, count, end=end, closed=HOLIDAYS)
        assert info.value.dates == late
    else:
        assert session_dates(start, cadence, count, end=end, closed=HOLIDAYS) == unbounded
