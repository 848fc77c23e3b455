"""Calendar files (.ics) for ALS sessions. No Flask: the caller passes the URLs."""

from collections.abc import Callable, Iterable
from datetime import timedelta

from icalendar import Calendar, Event

from learnhub.als.models import AlsSession
from learnhub.timeutil import utcnow


def session_uid(session: AlsSession, host: str) -> str:
    """The event's UID: the same for every version of the session (``als-session-3@learnhub.example.org``)."""
    return f"als-session-{session.id}@{host}"


def sessions_calendar(
    sessions: Iterable[AlsSession],
    *,
    name: str,
    url_for_session: Callable[[AlsSession], str],
    host: str = "learnhub",
    method: str | None = None,
) -> bytes:
    """An iCalendar file with one event per session (times in UTC; no confidential content).

    ``method`` makes it an iTIP message (``REQUEST`` for a new or moved session, ``CANCEL``):
    same UID, higher SEQUENCE, so a calendar updates the event it already has.
    """
    cal = Calendar()
    cal.add("prodid", "-//LearnHub//Action Learning Sets//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    if method:
        cal.add("method", method)
    stamp = utcnow()
    for s in sessions:
        programme = s.group.programme
        event = Event()
        event.add("uid", session_uid(s, host))
        event.add("sequence", s.ical_sequence or 0)
        if s.changed_at:
            event.add("last-modified", s.changed_at)
        event.add("dtstamp", stamp)
        event.add("dtstart", s.starts_at)
        event.add("dtend", s.starts_at + timedelta(minutes=s.minutes))
        event.add("summary", f"Action learning set: {s.group.name}, {programme.name} (session {s.sequence})")
        event.add("location", programme.venue if programme.mode == "venue" and programme.venue else "Online")
        event.add("description", f"{programme.name}. Details: {url_for_session(s)}")
        event.add("url", url_for_session(s))
        cancelled = s.status == AlsSession.CANCELLED or method == "CANCEL"
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
