"""Who may see or change which ALS object. One helper per object type.

404 when the user may not even know the object exists (another hub's programme, another
group's session); 403 when they may know it exists but not do this (a hub administrator and
a session's confidential notes).
"""

from flask import abort
from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.als.models import AlsFacilitation, AlsFacilitator, AlsGroup, AlsMember, AlsProgramme, AlsSession
from learnhub.extensions import db

VIEW = "view"
#: Bid for time or send apologies: the set's members only.
PARTICIPATE = "participate"
RECORD = "record"
MANAGE = "manage"


def get_programme_for_admin(user: User, programme_id: int) -> AlsProgramme:
    """A programme of the user's hub, for its administrators."""
    programme = db.session.get(AlsProgramme, programme_id)
    if programme is None or programme.hub_id != user.hub_id:
        abort(404)
    if not user.administers(programme.hub_id):
        abort(403)
    return programme


def is_group_member(user: User, group_id: int) -> bool:
    """True if the user belongs to the group (whatever the session: see ``member_may_see``)."""
    return db.session.scalar(select(AlsMember.id).where(AlsMember.group_id == group_id, AlsMember.user_id == user.id)) is not None


def administers_own_hub(user: User, hub_id: int) -> bool:
    """A hub administrator of ``hub_id``, or a site administrator whose hub it is.

    They are never ALS members of that hub's sets (services refuse to add them); should a
    membership exist anyway (someone promoted while a member), it opens nothing.
    """
    return user.hub_id == hub_id and (user.is_site_admin or user.is_hub_admin)


def member_may_see(user: User, session: AlsSession) -> bool:
    """True if the user is a member of the session's set who may see this session.

    A late joiner (``AlsMember.sees_from``) sees only sessions from their join on: never the
    notes, presenters or actions of meetings held before they came. Administrators of the
    hub never count as members.
    """
    sees_from = db.session.execute(
        select(AlsMember.sees_from).where(AlsMember.group_id == session.group_id, AlsMember.user_id == user.id)
    ).first()
    if sees_from is None or administers_own_hub(user, session.group.programme.hub_id):
        return False
    return sees_from[0] is None or session.starts_at >= sees_from[0]


def facilitates(user: User, session_id: int) -> bool:
    """True if the user is booked to facilitate this session.

    Administrators of the hub never count as facilitators (the pool refuses them; a booking
    made before someone was promoted opens nothing): hub administrators never read notes.
    """
    session = db.session.get(AlsSession, session_id)
    if session is None or administers_own_hub(user, session.group.programme.hub_id):
        return False
    return (
        db.session.scalar(
            select(AlsFacilitation.id).where(AlsFacilitation.session_id == session_id, AlsFacilitation.user_id == user.id)
        )
        is not None
    )


def get_session_for(user: User, session_id: int, purpose: str = VIEW) -> AlsSession:
    """A session the user may see (``view``), record (``record``) or move (``manage``).

    * view — the group's members and that session's facilitators; hub administrators get 403
      (they see schedules and counts, never notes or actions), and so does a member for a
      session held before they joined the set;
    * participate — bid or send apologies: the group's members only;
    * record — that session's facilitators only;
    * manage — the hub's administrators only.
    Anyone else gets 404.
    """
    session = db.session.get(AlsSession, session_id)
    if session is None:
        abort(404)
    programme = session.group.programme
    if programme.hub_id != user.hub_id:
        abort(404)
    in_set = is_group_member(user, session.group_id)
    member = in_set and member_may_see(user, session)
    facilitator = facilitates(user, session.id)
    admin = user.administers(programme.hub_id)
    if purpose == VIEW:
        if member or facilitator:
            return session
    elif purpose == PARTICIPATE:
        if member:
            return session
        if facilitator:
            abort(403)
    elif purpose == RECORD:
        if facilitator:
            return session
        if in_set:
            abort(403)
    elif purpose == MANAGE:
        if admin:
            return session
        if in_set or facilitator:
            abort(403)
    if admin or in_set:
        # Known to them, but closed: an administrator (never the notes) or a late joiner
        # (a session held before they joined the set).
        abort(403)
    abort(404)


def get_group_for_facilitator(user: User, group_id: int) -> AlsGroup:
    """A set the user facilitates at least one session of (its notes access log); 404 otherwise."""
    group = db.session.get(AlsGroup, group_id)
    facilitates_group = (
        group is not None
        and not administers_own_hub(user, group.programme.hub_id)
        and db.session.scalar(
            select(AlsFacilitation.id)
            .join(AlsSession, AlsFacilitation.session_id == AlsSession.id)
            .where(AlsSession.group_id == group_id, AlsFacilitation.user_id == user.id)
            .limit(1)
        )
    )
    if not facilitates_group:
        abort(404)
    return group


def get_group_for_admin(user: User, programme: AlsProgramme, group_id: int) -> AlsGroup:
    """A group of a programme the user administers."""
    group = db.session.get(AlsGroup, group_id)
    if group is None or group.programme_id != programme.id:
        abort(404)
    return group


def get_member_for_admin(user: User, programme: AlsProgramme, member_id: int) -> AlsMember:
    """A membership of a programme the user administers."""
    member = db.session.get(AlsMember, member_id)
    if member is None or member.programme_id != programme.id:
        abort(404)
    return member


def get_facilitator_for_admin(user: User, programme: AlsProgramme, facilitator_id: int) -> AlsFacilitator:
    """A pool entry of a programme the user administers."""
    facilitator = db.session.get(AlsFacilitator, facilitator_id)
    if facilitator is None or facilitator.programme_id != programme.id:
        abort(404)
    return facilitator


def get_own_pool_entry(user: User, facilitator_id: int) -> AlsFacilitator:
    """The user's own place in a facilitator pool; anyone else's is 404."""
    entry = db.session.get(AlsFacilitator, facilitator_id)
    if entry is None or entry.user_id != user.id:
        abort(404)
    return entry
