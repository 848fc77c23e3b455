"""Calendar files (.ics) for ALS sessions. No Flask: the caller passes the URLs."""

from collections.abc import Callable, Iterable
from datetime import timedelta

from icalendar import Calendar, Event

from learnhub.als.models import AlsSession
from learnhub.timeutil import utcnow


def sessions_calendar(sessions: Iterable[AlsSession], *, name: str, url_for_session: Callable[[AlsSession], str]) -> bytes:
    """An iCalendar file with one event per session (times in UTC; no confidential content)."""
    cal = Calendar()
    cal.add("prodid", "-//LearnHub//Action Learning Sets//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    stamp = utcnow()
    for s in sessions:
        programme = s.group.programme
        event = Event()
        event.add("uid", f"als-session-{s.id}@learnhub")
        event.add("dtstamp", stamp)
        event.add("dtstart", s.starts_at)
        event.add("dtend", s.starts_at + timedelta(minutes=s.minutes))
        event.add("summary", f"Action learning set: {s.group.name}, {programme.name} (session {s.sequence})")
        event.add("location", programme.venue if programme.mode == "venue" and programme.venue else "Online")
        event.add("description", f"{programme.name}. Details: {url_for_session(s)}")
        event.add("url", url_for_session(s))
        event.add("status", "CANCELLED" if s.status == AlsSession.CANCELLED else "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
