"""Emails to ALS members and facilitators: a session moved or cancelled, a facilitator added or withdrawn.

Each session email carries an iTIP ``.ics`` (``icalendar``): ``METHOD:REQUEST`` with the
session's new time, or ``METHOD:CANCEL``, always with the same UID and a higher SEQUENCE, so a
calendar that has the event updates it. Nothing confidential: no notes, actions, themes or
presenters — only the programme, the set, the time, the place and a link.
"""

from learnhub.accounts.models import User
from learnhub.als.calendar import sessions_calendar
from learnhub.als.models import AlsFacilitator, AlsSession
from learnhub.als.services.common import to_local
from learnhub.als.services.records import group_members
from learnhub.notifications.categories import ALS
from learnhub.notifications.services import notify
from learnhub.urls import external_url, public_host


def _when(session: AlsSession) -> str:
    start = to_local(session.starts_at)
    return f"{start:%A} {start.day} {start:%B %Y} at {start:%H:%M}"


def _people(session: AlsSession, extra: list[User] = ()) -> list[User]:  # type: ignore[assignment]
    people = {u.id: u for u in group_members(session.group)}
    for booking in session.facilitations:
        people[booking.user_id] = booking.user
    for user in extra:
        people[user.id] = user
    return sorted(people.values(), key=lambda u: u.id)


def _session_mail(session: AlsSession, template: str, method: str, people: list[User], kind: str) -> None:
    link = external_url("als.session_detail", session_id=session.id)
    ics = sessions_calendar(
        [session], name="Action learning set", url_for_session=lambda s: link, host=public_host(), method=method
    )
    programme = session.group.programme
    context = {
        "programme": programme.name,
        "group": session.group.name,
        "number": session.sequence,
        "when": _when(session),
        "where": programme.venue if programme.mode == "venue" and programme.venue else "Online",
        "link": link,
    }
    for user in people:
        notify(
            f"als-session-{kind}:{session.id}:seq-{session.ical_sequence}:user-{user.id}",
            category=ALS,
            user=user,
            template=template,
            context=context,
            ics=ics,
            ics_method=method,
        )


def session_moved(session: AlsSession, unassigned: list[User]) -> None:
    """Members and facilitators get the new time (REQUEST); facilitators taken off get a CANCEL."""
    _session_mail(session, "als_session_moved", "REQUEST", _people(session), "moved")
    if unassigned:
        _session_mail(session, "als_session_unassigned", "CANCEL", unassigned, "unassigned")


def session_cancelled(session: AlsSession) -> None:
    _session_mail(session, "als_session_cancelled", "CANCEL", _people(session), "cancelled")


def facilitator_added(entry: AlsFacilitator, stamp: str) -> None:
    programme = entry.programme
    notify(
        f"als-facilitator-added:{entry.id}:{stamp}",
        category=ALS,
        user=entry.user,
        template="als_facilitator_added",
        context={"programme": programme.name, "link": external_url("als.facilitating")},
    )


def facilitator_withdrawn(entry: AlsFacilitator, stamp: str, sessions: int) -> None:
    programme = entry.programme
    notify(
        f"als-facilitator-withdrawn:{entry.id}:{stamp}",
        category=ALS,
        user=entry.user,
        template="als_facilitator_withdrawn",
        context={"programme": programme.name, "sessions": sessions, "link": external_url("als.facilitating")},
    )
