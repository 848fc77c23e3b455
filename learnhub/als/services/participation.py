"""What members and facilitators do and see: their sets, sessions, bids, apologies and calendar."""

import secrets
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload

from learnhub.accounts.models import User
from learnhub.als.models import (
    AlsAction,
    AlsAttendance,
    AlsBid,
    AlsCalendarFeed,
    AlsFacilitation,
    AlsGroup,
    AlsMember,
    AlsSession,
)
from learnhub.als.services.common import AlsError
from learnhub.audit import Action, audit
from learnhub.extensions import db
from learnhub.idempotent import insert_or_get
from learnhub.timeutil import utcnow


def memberships(user: User, with_groups: bool = False) -> list[AlsMember]:
    """The user's programme memberships that have a group (``with_groups``: and each group's members, loaded at once)."""
    query = select(AlsMember).where(AlsMember.user_id == user.id, AlsMember.group_id.is_not(None))
    if with_groups:
        query = query.options(
            joinedload(AlsMember.group).selectinload(AlsGroup.members).joinedload(AlsMember.user),
            joinedload(AlsMember.programme),
        )
    return list(db.session.scalars(query))


def facilitated_sessions(user: User) -> list[AlsSession]:
    """Sessions the user facilitates, across every group, in time order."""
    return list(
        db.session.scalars(
            select(AlsSession)
            .join(AlsFacilitation)
            .where(AlsFacilitation.user_id == user.id)
            .order_by(AlsSession.starts_at)
            .options(joinedload(AlsSession.group).joinedload(AlsGroup.programme))
        )
    )


def upcoming_sessions_for(user: User, now: datetime | None = None) -> list[AlsSession]:
    """Future sessions the user attends as member or facilitator (cancelled ones excluded)."""
    now = now or utcnow()
    group_ids = [m.group_id for m in memberships(user)]
    member_sessions = (
        db.session.scalars(
            select(AlsSession)
            .where(AlsSession.group_id.in_(group_ids))
            .options(joinedload(AlsSession.group).joinedload(AlsGroup.programme))
        ).all()
        if group_ids
        else []
    )
    sessions = {s.id: s for s in [*member_sessions, *facilitated_sessions(user)]}
    return sorted(
        (s for s in sessions.values() if s.starts_at > now and s.is_open),
        key=lambda s: s.starts_at,
    )


def past_sessions_for(user: User, now: datetime | None = None) -> list[AlsSession]:
    """Sessions of the user's groups that have happened or been cancelled, newest first.

    A late joiner's list starts at their join (access.member_may_see is the rule).
    """
    now = now or utcnow()
    sees_from = {m.group_id: m.sees_from for m in memberships(user)}
    if not sees_from:
        return []
    sessions = db.session.scalars(
        select(AlsSession)
        .where(AlsSession.group_id.in_(sees_from))
        .options(joinedload(AlsSession.group).joinedload(AlsGroup.programme))
    ).all()
    return sorted(
        (
            s
            for s in sessions
            if (s.status == AlsSession.HELD or s.starts_at <= now or s.status == AlsSession.CANCELLED)
            and (sees_from[s.group_id] is None or s.starts_at >= sees_from[s.group_id])
        ),
        key=lambda s: s.starts_at,
        reverse=True,
    )


def own_actions(user: User) -> list[AlsAction]:
    """The user's own actions, newest first (only the owner sees their private ones)."""
    return list(db.session.scalars(select(AlsAction).where(AlsAction.owner_id == user.id).order_by(AlsAction.created_at.desc())))


def own_bids(user: User) -> list[AlsBid]:
    """The user's bids for coming sessions."""
    return list(db.session.scalars(select(AlsBid).where(AlsBid.user_id == user.id).order_by(AlsBid.created_at)))


def cpd_minutes(user: User) -> int:
    """Minutes of ALS sessions the user attended (they count towards CPD)."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(AlsSession.minutes), 0))
            .join(AlsAttendance)
            .where(AlsAttendance.user_id == user.id, AlsAttendance.status == "present", AlsSession.status == AlsSession.HELD)
        )
        or 0
    )


#: What a member can say about a coming session: "I would like time to present" or "I can't come".
BID = "bid"
APOLOGIES = "apologies"


def set_participation(user: User, session: AlsSession, kind: str, wanted: bool, now: datetime | None = None) -> bool:
    """Make the member's bid (``BID``) or apologies (``APOLOGIES``) for a coming session be ``wanted``.

    Idempotent: the form says what the member wants, not "toggle", so a double click or two
    tabs end in the same state; twin inserts meet the unique constraint through an upsert.
    Returns True if this call changed anything (only then is it audited). Sending apologies
    withdraws a bid. Call only after ``access.get_session_for(user, id, access.PARTICIPATE)``.
    """
    now = now or utcnow()
    if kind == BID:
        if not session.is_open:
            raise AlsError("Bids can only be made for sessions that have not happened yet")
        model, values = AlsBid, {}
    elif kind == APOLOGIES:
        if not session.is_open or session.starts_at <= now:
            raise AlsError("Apologies can only be sent before a session")
        model, values = AlsAttendance, {"status": "apologies"}
    else:
        raise ValueError(kind)
    key = {"session_id": session.id, "user_id": user.id}
    if wanted:
        _row, changed = insert_or_get(model, key=key, values=values)
        if changed and kind == APOLOGIES:
            db.session.execute(delete(AlsBid).filter_by(**key))
    else:
        rows = delete(model).filter_by(**key)
        if kind == APOLOGIES:
            rows = rows.where(AlsAttendance.status == "apologies")
        changed = bool(db.session.execute(rows.execution_options(synchronize_session=False)).rowcount)
    db.session.expire(session)
    if changed:
        action = Action.ALS_BID if kind == BID else Action.ALS_APOLOGIES
        audit(user, action, session=session.id, **({"bidding": wanted} if kind == BID else {"sent": wanted}))
    return changed


def calendar_token(user: User) -> str:
    """The user's secret calendar feed token, made on first use with an upsert (twin first visits share one)."""
    feed, _created = insert_or_get(AlsCalendarFeed, key={"user_id": user.id}, values={"token": secrets.token_urlsafe(32)})
    return feed.token


def reset_calendar_token(user: User) -> str:
    """Replace the feed token so an old address stops working."""
    db.session.execute(delete(AlsCalendarFeed).where(AlsCalendarFeed.user_id == user.id))
    audit(user, Action.ALS_CALENDAR_RESET)
    return calendar_token(user)


def user_for_calendar_token(token: str) -> User | None:
    """Whose feed a token opens."""
    if not token or len(token) > 64 or "\x00" in token:  # PostgreSQL refuses NUL in text: no such feed
        return None
    feed = db.session.scalar(select(AlsCalendarFeed).where(AlsCalendarFeed.token == token))
    return db.session.get(User, feed.user_id) if feed else None
