"""State changes and read models for Action Learning Sets.

Every change is one transaction, logged with the actor. Confidential content (notes and
actions) is only ever read through functions that take the reader and write the access log.
"""

import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from learnhub.accounts.models import User
from learnhub.als import grouping, rotation
from learnhub.als.identifiers import anonymise_message, find_identifiers
from learnhub.als.member_csv import KnownPerson, MemberCsvResult, check_member_csv
from learnhub.als.models import (
    DEFAULT_THEMES,
    AlsAction,
    AlsAttendance,
    AlsBid,
    AlsCalendarFeed,
    AlsFacilitation,
    AlsFacilitator,
    AlsGroup,
    AlsMember,
    AlsNote,
    AlsNoteAccess,
    AlsPresenter,
    AlsProgramme,
    AlsSession,
    AlsTheme,
    AlsUnavailability,
)
from learnhub.als.presenters import PastSession, suggest_presenters
from learnhub.als.schedule import ScheduleError, session_dates
from learnhub.audit import Action, audit
from learnhub.extensions import db
from learnhub.roles import PROFESSIONAL_ROLES
from learnhub.suppression import MASK, mask_total, suppress_row
from learnhub.timeutil import UK as LONDON
from learnhub.timeutil import utcnow


class AlsError(ValueError):
    """A change that cannot be made; the message is shown to the user."""


def local_start(day: date, at: time) -> datetime:
    """A UK wall-clock date and time as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    """A stored UTC time on the UK clock, for display."""
    return moment.astimezone(LONDON)


# --- themes -----------------------------------------------------------------------------------


def hub_themes(hub_id: int) -> list[AlsTheme]:
    """The hub's active themes, creating the defaults the first time."""
    themes = db.session.scalars(select(AlsTheme).where(AlsTheme.hub_id == hub_id).order_by(AlsTheme.name)).all()
    if not themes:
        # In a transaction of their own: two facilitators opening their first record page at
        # once both get here, and the second one's insert then fails on the unique name.
        for name in DEFAULT_THEMES:
            db.session.add(AlsTheme(hub_id=hub_id, name=name))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
        themes = db.session.scalars(select(AlsTheme).where(AlsTheme.hub_id == hub_id).order_by(AlsTheme.name)).all()
    return [t for t in themes if t.active]


def add_theme(actor: User, hub_id: int, name: str) -> bool:
    """Add a theme to the hub's list; False if it is there already. Refuses patient identifiers."""
    findings = find_identifiers(name)
    if findings:
        raise AlsError(anonymise_message(findings))
    hub_themes(hub_id)
    name = name.strip()
    exists = db.session.scalar(select(AlsTheme.id).where(AlsTheme.hub_id == hub_id, func.lower(AlsTheme.name) == name.lower()))
    if exists:
        return False
    db.session.add(AlsTheme(hub_id=hub_id, name=name))
    db.session.flush()
    audit(actor, Action.ALS_THEME_ADDED, hub=hub_id, name=name)
    db.session.commit()
    return True


# --- programmes, members and groups -------------------------------------------------------------


def create_programme(actor: User, hub_id: int, **fields: object) -> AlsProgramme:
    """Create a programme in the actor's hub."""
    programme = AlsProgramme(hub_id=hub_id, **fields)
    db.session.add(programme)
    hub_themes(hub_id)
    db.session.flush()
    audit(actor, Action.ALS_PROGRAMME_CREATED, programme=programme.id)
    db.session.commit()
    return programme


def _has_sessions(programme: AlsProgramme) -> bool:
    return bool(
        db.session.scalar(
            select(func.count()).select_from(AlsSession).join(AlsGroup).where(AlsGroup.programme_id == programme.id)
        )
    )


def add_member(actor: User, programme: AlsProgramme, user: User) -> AlsMember:
    """Add one person to a programme (not yet in a group)."""
    if user.hub_id != programme.hub_id:
        raise AlsError("Nobody in your hub has this email address: invite them first")
    if user.professional_role not in programme.role_codes:
        raise AlsError(f"{user.name} is a {user.professional_role_label}, which this programme is not open to")
    existing = db.session.scalar(select(AlsMember).where(AlsMember.programme_id == programme.id, AlsMember.user_id == user.id))
    if existing:
        raise AlsError(f"{user.name} is already a member of this programme")
    member = AlsMember(programme=programme, user=user)
    db.session.add(member)
    db.session.flush()
    audit(actor, Action.ALS_MEMBER_ADDED, programme=programme.id, user=user.id)
    db.session.commit()
    return member


def import_members(actor: User, programme: AlsProgramme, text: str) -> MemberCsvResult:
    """Add everyone in a CSV, or nobody if any row has a problem."""
    people = {
        u.email: KnownPerson(u.id, u.professional_role)
        for u in db.session.scalars(select(User).where(User.hub_id == programme.hub_id))
    }
    existing = set(db.session.scalars(select(AlsMember.user_id).where(AlsMember.programme_id == programme.id)))
    result = check_member_csv(
        text, people=people, eligible_roles=programme.role_codes, existing=existing, role_labels=PROFESSIONAL_ROLES
    )
    if result.ok:
        for user_id in result.user_ids:
            db.session.add(AlsMember(programme_id=programme.id, user_id=user_id))
        db.session.flush()
        audit(actor, Action.ALS_MEMBERS_IMPORTED, programme=programme.id, count=len(result.user_ids))
        db.session.commit()
    return result


def create_group(actor: User, programme: AlsProgramme, name: str) -> AlsGroup:
    """Add an empty group by hand."""
    name = name.strip()
    if any(g.name.lower() == name.lower() for g in programme.groups):
        raise AlsError("This programme already has a group with that name")
    group = AlsGroup(programme=programme, name=name)
    db.session.add(group)
    db.session.flush()
    audit(actor, Action.ALS_GROUP_CREATED, programme=programme.id, group=group.id)
    db.session.commit()
    return group


def set_member_group(actor: User, member: AlsMember, group: AlsGroup | None) -> None:
    """Put a member in a group (or take them out of one)."""
    if (
        member.group_id is not None
        and member.group
        and member.group.sessions
        and any(s.status == AlsSession.HELD for s in member.group.sessions)
    ):
        raise AlsError(f"{member.user.name}'s group has already met: they stay in it")
    member.group = group
    db.session.flush()
    audit(actor, Action.ALS_MEMBER_GROUPED, member=member.id, group=group.id if group else None)
    db.session.commit()


def _group_name(i: int) -> str:
    return "Set " + (chr(ord("A") + i) if i < 26 else str(i + 1))


def auto_form_groups(actor: User, programme: AlsProgramme) -> list[AlsGroup]:
    """Split every member into balanced groups that mix PCNs and practices.

    Refused once sessions exist, so nobody is moved out of a set that has started.
    """
    if _has_sessions(programme):
        raise AlsError("Groups cannot be re-formed after the schedule has been made")
    members = sorted(programme.members, key=lambda m: m.id)
    people = [grouping.Person(m.id, m.user.pcn_id, m.user.practice_id) for m in members]
    try:
        split = grouping.form_groups(people, programme.min_group_size, programme.max_group_size)
    except grouping.GroupingError as error:
        raise AlsError(str(error)) from error
    by_id = {m.id: m for m in members}
    for group in list(programme.groups):
        db.session.delete(group)
    db.session.flush()
    groups = []
    for i, ids in enumerate(split):
        group = AlsGroup(programme=programme, name=_group_name(i))
        db.session.add(group)
        for member_id in ids:
            by_id[member_id].group = group
        groups.append(group)
    db.session.flush()
    audit(actor, Action.ALS_GROUPS_FORMED, programme=programme.id, groups=len(groups))
    db.session.commit()
    return groups


def group_size_problems(programme: AlsProgramme) -> list[str]:
    """Messages for groups outside the size limits."""
    problems = []
    for group in programme.groups:
        n = len(group.members)
        if n < programme.min_group_size:
            problems.append(f"{group.name} has {n} members: a group needs at least {programme.min_group_size}")
        elif n > programme.max_group_size:
            problems.append(f"{group.name} has {n} members: a group can have at most {programme.max_group_size}")
    return problems


# --- schedule -------------------------------------------------------------------------------------


def generate_schedule(actor: User, programme: AlsProgramme) -> int:
    """Create the sessions of every group that has none yet; returns how many were made.

    Groups start on consecutive days from the programme's start date, so one facilitator can
    cover several groups. Nothing is saved if any group is the wrong size or any date would
    fall after the programme ends.
    """
    if not programme.groups:
        raise AlsError("Form the groups before making the schedule")
    problems = group_size_problems(programme)
    if problems:
        raise AlsError("; ".join(problems))
    made = 0
    plans = []
    for i, group in enumerate(programme.groups):
        if group.sessions:
            continue
        try:
            dates = session_dates(
                programme.start_date + timedelta(days=i),
                programme.cadence_weeks,
                programme.session_count,
                end=programme.end_date,
            )
        except ScheduleError as error:
            raise AlsError(f"{group.name}: {error}") from error
        plans.append((group, dates))
    for group, dates in plans:
        for n, planned in enumerate(dates, start=1):
            db.session.add(
                AlsSession(
                    group=group,
                    sequence=n,
                    starts_at=local_start(planned.actual, programme.session_time),
                    minutes=programme.session_minutes,
                )
            )
            made += 1
    db.session.flush()
    audit(actor, Action.ALS_SCHEDULE_GENERATED, programme=programme.id, sessions=made)
    db.session.commit()
    return made


def programme_sessions(programme: AlsProgramme) -> list[AlsSession]:
    """Every session of a programme in time order."""
    return list(
        db.session.scalars(
            select(AlsSession)
            .join(AlsGroup)
            .where(AlsGroup.programme_id == programme.id)
            .order_by(AlsSession.starts_at, AlsSession.group_id)
            # What the schedule, the planner and the dashboard read of every session, loaded
            # in a fixed number of statements whatever the number of sessions.
            .options(
                contains_eager(AlsSession.group),
                selectinload(AlsSession.facilitations).joinedload(AlsFacilitation.user),
                selectinload(AlsSession.attendance),
                selectinload(AlsSession.themes),
            )
        )
    )


def load_programme_people(programme: AlsProgramme) -> None:
    """Load the programme's groups, members (with person, PCN and practice) and facilitators at once."""
    person = joinedload(AlsMember.user).options(joinedload(User.pcn), joinedload(User.practice))
    db.session.scalars(
        select(AlsProgramme)
        .where(AlsProgramme.id == programme.id)
        .options(
            selectinload(AlsProgramme.groups).selectinload(AlsGroup.members).options(person),
            selectinload(AlsProgramme.members).options(person),
            selectinload(AlsProgramme.facilitators).joinedload(AlsFacilitator.user),
        )
        .execution_options(populate_existing=True)
    ).all()


def move_session(actor: User, session: AlsSession, new_start: datetime, now: datetime | None = None) -> list[User]:
    """Move a future session; past and held sessions never change.

    A facilitator who would then be double-booked or unavailable is taken off the session;
    they are returned so the administrator can run the planner again.
    """
    now = now or utcnow()
    if session.starts_at <= now or not session.is_open:
        raise AlsError("Only sessions that have not happened yet can be moved")
    if new_start <= now:
        raise AlsError("The new date must be in the future")
    if new_start.astimezone(LONDON).date() > session.group.programme.end_date:
        raise AlsError("The new date must be before the programme ends")
    session.starts_at = new_start
    session.status = AlsSession.MOVED
    slot = rotation.Slot(session.id, session.group_id, new_start, new_start + timedelta(minutes=session.minutes))
    pool = {f.user_id: f for f in session.group.programme.facilitators}
    removed = []
    for booking in list(session.facilitations):
        entry = pool.get(booking.user_id)
        ranges = tuple((u.first_day, u.last_day) for u in entry.unavailable) if entry else ()
        available = rotation.Facilitator(booking.user_id, ranges).available_on(to_local(new_start).date())
        clash = any(
            other.id != session.id
            and other.status != AlsSession.CANCELLED
            and slot.overlaps(
                rotation.Slot(other.id, other.group_id, other.starts_at, other.starts_at + timedelta(minutes=other.minutes))
            )
            for other in facilitated_sessions(booking.user)
        )
        if clash or not available:
            removed.append(booking.user)
            db.session.delete(booking)
    db.session.flush()
    audit(actor, Action.ALS_SESSION_MOVED, session=session.id, to=new_start.isoformat(), unassigned=len(removed))
    db.session.commit()
    return removed


def cancel_session(actor: User, session: AlsSession, now: datetime | None = None) -> None:
    """Cancel a future session."""
    now = now or utcnow()
    if session.starts_at <= now or not session.is_open:
        raise AlsError("Only sessions that have not happened yet can be cancelled")
    session.status = AlsSession.CANCELLED
    db.session.flush()
    audit(actor, Action.ALS_SESSION_CANCELLED, session=session.id)
    db.session.commit()


# --- facilitators -----------------------------------------------------------------------------------


def add_facilitator(actor: User, programme: AlsProgramme, user: User) -> AlsFacilitator:
    """Add someone from the hub to the facilitator pool."""
    if user.hub_id != programme.hub_id:
        raise AlsError("Nobody in your hub has this email address: invite them first")
    entry = db.session.scalar(
        select(AlsFacilitator).where(AlsFacilitator.programme_id == programme.id, AlsFacilitator.user_id == user.id)
    )
    if entry and entry.active:
        raise AlsError(f"{user.name} is already in the facilitator pool")
    if entry:
        entry.active = True
    else:
        entry = AlsFacilitator(programme=programme, user=user)
        db.session.add(entry)
    db.session.flush()
    audit(actor, Action.ALS_FACILITATOR_ADDED, programme=programme.id, user=user.id)
    db.session.commit()
    return entry


def add_unavailability(actor: User, facilitator: AlsFacilitator, first: date, last: date) -> None:
    """Record days a facilitator cannot facilitate."""
    if last < first:
        raise AlsError("The last unavailable day must be the same as or after the first")
    db.session.add(AlsUnavailability(facilitator=facilitator, first_day=first, last_day=last))
    db.session.flush()
    audit(actor, Action.ALS_UNAVAILABILITY_ADDED, facilitator=facilitator.id)
    db.session.commit()


def _planner_inputs(programme: AlsProgramme):  # type: ignore[no-untyped-def]
    sessions = [s for s in programme_sessions(programme) if s.status != AlsSession.CANCELLED]
    slots = [rotation.Slot(s.id, s.group_id, s.starts_at, s.starts_at + timedelta(minutes=s.minutes)) for s in sessions]
    pool = [
        rotation.Facilitator(f.user_id, tuple((u.first_day, u.last_day) for u in f.unavailable))
        for f in programme.facilitators
        if f.active
    ]
    members = defaultdict(list)
    for m in programme.members:
        if m.group_id:
            members[m.group_id].append(m.user_id)
    current = {}
    for s in sessions:
        lead = next((f.user_id for f in s.facilitations if f.role == rotation.LEAD), None)
        co = next((f.user_id for f in s.facilitations if f.role == rotation.CO), None)
        current[s.id] = rotation.Assignment(lead, co)
    return sessions, slots, pool, members, current


def _apply_plan(sessions: list[AlsSession], plan: rotation.Plan, only: set[int]) -> None:
    for s in sessions:
        if s.id not in only:
            continue
        wanted = plan.assignments.get(s.id, rotation.Assignment())
        for f in list(s.facilitations):
            db.session.delete(f)
        db.session.flush()
        for role, person in ((rotation.LEAD, wanted.lead), (rotation.CO, wanted.co)):
            if person is not None:
                db.session.add(AlsFacilitation(session_id=s.id, user_id=person, role=role))


def run_planner(actor: User, programme: AlsProgramme, now: datetime | None = None) -> list[AlsSession]:
    """Assign facilitators to future sessions that still need one; returns sessions left uncovered."""
    now = now or utcnow()
    sessions, slots, pool, members, current = _planner_inputs(programme)
    need_co = programme.co_facilitation or programme.continuity
    only = {
        s.id
        for s in sessions
        if s.starts_at > now and s.is_open and (current[s.id].lead is None or (need_co and current[s.id].co is None))
    }
    plan = rotation.plan_facilitators(
        slots,
        pool,
        members,
        co_facilitation=programme.co_facilitation,
        continuity=programme.continuity,
        fixed=current,
        only=only,
    )
    _apply_plan(sessions, plan, only)
    db.session.flush()
    audit(actor, Action.ALS_PLANNER_RUN, programme=programme.id, sessions=len(only), uncovered=len(plan.uncovered))
    db.session.commit()
    by_id = {s.id: s for s in sessions}
    return [by_id[sid] for sid in dict.fromkeys(sid for sid, _ in plan.uncovered)]


def withdraw_facilitator(actor: User, facilitator: AlsFacilitator, now: datetime | None = None) -> list[AlsSession]:
    """Take someone out of the pool and re-plan only their future sessions.

    Returns the sessions nobody else could cover.
    """
    now = now or utcnow()
    programme = facilitator.programme
    sessions, slots, pool, members, current = _planner_inputs(programme)
    freed = {s.id for s in sessions if s.starts_at > now and s.is_open and facilitator.user_id in current[s.id].people()}
    plan = rotation.replan_without(
        [sl for sl in slots],
        pool,
        members,
        current,
        facilitator.user_id,
        now,
        co_facilitation=programme.co_facilitation,
        continuity=programme.continuity,
    )
    facilitator.active = False
    _apply_plan(sessions, plan, freed)
    db.session.flush()
    audit(actor, Action.ALS_FACILITATOR_WITHDRAWN, facilitator=facilitator.id, replanned=len(freed))
    db.session.commit()
    by_id = {s.id: s for s in sessions}
    return [by_id[sid] for sid in dict.fromkeys(sid for sid, _ in plan.uncovered)]


# --- members' and facilitators' views -------------------------------------------------------------


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
            .options(joinedload(AlsSession.group))
        )
    )


def upcoming_sessions_for(user: User, now: datetime | None = None) -> list[AlsSession]:
    """Future sessions the user attends as member or facilitator (cancelled ones excluded)."""
    now = now or utcnow()
    group_ids = [m.group_id for m in memberships(user)]
    member_sessions = (
        db.session.scalars(
            select(AlsSession).where(AlsSession.group_id.in_(group_ids)).options(joinedload(AlsSession.group))
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
    """Sessions of the user's groups that have happened or been cancelled, newest first."""
    now = now or utcnow()
    group_ids = [m.group_id for m in memberships(user)]
    if not group_ids:
        return []
    sessions = db.session.scalars(
        select(AlsSession).where(AlsSession.group_id.in_(group_ids)).options(joinedload(AlsSession.group))
    ).all()
    return sorted(
        (s for s in sessions if s.status == AlsSession.HELD or s.starts_at <= now or s.status == AlsSession.CANCELLED),
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


def toggle_bid(user: User, session: AlsSession) -> bool:
    """Bid for presenting time at a coming session, or withdraw the bid; True if now bidding."""
    if not session.is_open:
        raise AlsError("Bids can only be made for sessions that have not happened yet")
    bid = db.session.scalar(select(AlsBid).where(AlsBid.session_id == session.id, AlsBid.user_id == user.id))
    if bid:
        db.session.delete(bid)
    else:
        db.session.add(AlsBid(session_id=session.id, user_id=user.id))
    db.session.flush()
    audit(user, Action.ALS_BID, session=session.id, bidding=bid is None)
    db.session.commit()
    return bid is None


def toggle_apologies(user: User, session: AlsSession, now: datetime | None = None) -> bool:
    """Send apologies for a coming session, or take them back; True if now sending apologies."""
    now = now or utcnow()
    if not session.is_open or session.starts_at <= now:
        raise AlsError("Apologies can only be sent before a session")
    row = db.session.scalar(select(AlsAttendance).where(AlsAttendance.session_id == session.id, AlsAttendance.user_id == user.id))
    if row:
        db.session.delete(row)
    else:
        db.session.add(AlsAttendance(session_id=session.id, user_id=user.id, status="apologies"))
        bid = db.session.scalar(select(AlsBid).where(AlsBid.session_id == session.id, AlsBid.user_id == user.id))
        if bid:
            db.session.delete(bid)
    db.session.flush()
    audit(user, Action.ALS_APOLOGIES, session=session.id, sent=row is None)
    db.session.commit()
    return row is None


def calendar_token(user: User) -> str:
    """The user's secret calendar feed token, made on first use."""
    feed = db.session.scalar(select(AlsCalendarFeed).where(AlsCalendarFeed.user_id == user.id))
    if feed is None:
        feed = AlsCalendarFeed(user_id=user.id, token=secrets.token_urlsafe(32))
        db.session.add(feed)
        db.session.commit()
    return feed.token


def reset_calendar_token(user: User) -> str:
    """Replace the feed token so an old address stops working."""
    feed = db.session.scalar(select(AlsCalendarFeed).where(AlsCalendarFeed.user_id == user.id))
    if feed:
        db.session.delete(feed)
        db.session.flush()
    audit(user, Action.ALS_CALENDAR_RESET)
    db.session.commit()
    return calendar_token(user)


def user_for_calendar_token(token: str) -> User | None:
    """Whose feed a token opens."""
    feed = db.session.scalar(select(AlsCalendarFeed).where(AlsCalendarFeed.token == token))
    return db.session.get(User, feed.user_id) if feed else None


# --- confidential session content ------------------------------------------------------------------


@dataclass
class SessionRecordView:
    """What a member or facilitator may see of a session."""

    note: AlsNote | None
    actions: list[AlsAction] = field(default_factory=list)
    hidden_actions: int = 0


def log_note_read(reader: User, session: AlsSession) -> None:
    """Write one line to the notes access log (who, when, which session)."""
    db.session.add(AlsNoteAccess(session_id=session.id, user_id=reader.id))
    audit(reader, Action.ALS_NOTES_READ, session=session.id)
    db.session.commit()


def read_session_record(reader: User, session: AlsSession) -> SessionRecordView:
    """Notes and visible actions of a session, logging the read.

    Call only after ``access.get_session_for(reader, id)``: this writes the access log but does
    not check permission itself. Private actions are shown to their owner only.
    """
    log_note_read(reader, session)
    actions = list(db.session.scalars(select(AlsAction).where(AlsAction.session_id == session.id).order_by(AlsAction.id)))
    visible = [a for a in actions if a.shared or a.owner_id == reader.id]
    return SessionRecordView(session.note, visible, len(actions) - len(visible))


def open_actions_for_review(session: AlsSession) -> list[AlsAction]:
    """Actions chosen at this group's earlier sessions that are still open, or reviewed here."""
    return list(
        db.session.scalars(
            select(AlsAction)
            .join(AlsSession, AlsAction.session_id == AlsSession.id)
            .where(
                AlsSession.group_id == session.group_id,
                AlsSession.starts_at < session.starts_at,
                (AlsAction.outcome.is_(None))
                | (AlsAction.outcome == "carried_forward")
                | (AlsAction.reviewed_session_id == session.id),
            )
            .order_by(AlsSession.starts_at, AlsAction.id)
        )
    )


def group_members(group: AlsGroup) -> list[User]:
    """The group's members by name."""
    # One statement for the people, whatever the group's size (not one per member).
    people = db.session.scalars(select(User).join(AlsMember, AlsMember.user_id == User.id).where(AlsMember.group_id == group.id))
    return sorted(people, key=lambda u: (u.name, u.id))


def presenter_suggestion(session: AlsSession) -> list[User]:
    """Suggested presenters for a session from the group's history, bids and apologies."""
    members = group_members(session.group)
    history = []
    for s in session.group.sessions:
        if s.status == AlsSession.HELD and s.starts_at < session.starts_at:
            history.append(
                PastSession(
                    frozenset(a.user_id for a in s.attendance if a.status == "present"),
                    frozenset(p.user_id for p in s.presenters),
                )
            )
    away = [a.user_id for a in session.attendance if a.status == "apologies"] if session.status != AlsSession.HELD else []
    suggestion = suggest_presenters(
        [u.id for u in members],
        history,
        slots=session.group.programme.presenter_slots,
        bids=[b.user_id for b in session.bids],
        away=away,
    )
    by_id = {u.id: u for u in members}
    return [by_id[i] for i in suggestion.presenters]


@dataclass
class ActionInput:
    """One action row from the record form."""

    owner_id: int
    text: str
    shared: bool


@dataclass
class ReviewInput:
    """A review of an earlier action at check-in."""

    action_id: int
    outcome: str
    reflection: str


@dataclass
class SessionRecord:
    """Everything a facilitator records about a session (already checked for identifiers)."""

    attendance: dict[int, str]
    presenters: list[int]
    theme_ids: list[int]
    notes: str
    actions: list[ActionInput]
    reviews: list[ReviewInput]


def record_session(actor: User, session: AlsSession, record: SessionRecord, now: datetime | None = None) -> bool:
    """Save a session's record; a second save edits the first. Returns True if it was an edit.

    Text with patient identifiers is refused before anything changes (the form checks too).
    """
    today = to_local(now or utcnow()).date()
    if to_local(session.starts_at).date() > today:
        raise AlsError(f"This session can be recorded from {to_local(session.starts_at).strftime('%-d %B %Y')}")
    if session.status == AlsSession.CANCELLED:
        raise AlsError("This session was cancelled, so there is nothing to record")
    texts = [record.notes, *(a.text for a in record.actions), *(r.reflection for r in record.reviews)]
    findings = [f for text in texts for f in find_identifiers(text or "")]
    if findings:
        raise AlsError(anonymise_message(findings))
    # Before any change: the first call for a hub creates its default themes in their own transaction.
    themes = {t.id: t for t in hub_themes(session.group.programme.hub_id)}
    # One record of a session at a time (a double click, two facilitators at once): the first
    # write locks the session's row, so the second waits, then reads the first one's record and
    # edits it instead of adding attendance, notes and actions beside it.
    db.session.execute(
        update(AlsSession)
        .where(AlsSession.id == session.id)
        .values(recorded_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.expire(session)
    edit = session.status == AlsSession.HELD
    member_ids = {u.id for u in group_members(session.group)}
    existing = {a.user_id: a for a in session.attendance}
    for user_id, status in record.attendance.items():
        if user_id not in member_ids:
            continue
        if user_id in existing:
            existing[user_id].status = status
        else:
            db.session.add(AlsAttendance(session=session, user_id=user_id, status=status))
    for p in list(session.presenters):
        db.session.delete(p)
    db.session.flush()
    for position, user_id in enumerate([p for p in record.presenters if p in member_ids], start=1):
        db.session.add(AlsPresenter(session=session, user_id=user_id, position=position))
    session.themes = [themes[t] for t in record.theme_ids if t in themes]
    if session.note:
        session.note.text = record.notes
        session.note.author_id = actor.id
    else:
        session.note = AlsNote(text=record.notes, author_id=actor.id)
    # Actions chosen at this session are replaced as a whole, unless a later session reviewed them.
    for action in db.session.scalars(select(AlsAction).where(AlsAction.session_id == session.id)):
        if action.reviewed_session_id is None:
            db.session.delete(action)
    db.session.flush()
    for a in record.actions:
        if a.owner_id in member_ids and a.text.strip():
            db.session.add(AlsAction(session_id=session.id, owner_id=a.owner_id, text=a.text.strip(), shared=a.shared))
    reviewable = {a.id: a for a in open_actions_for_review(session)}
    for r in record.reviews:
        action = reviewable.get(r.action_id)
        if action is None:
            continue
        if r.outcome:
            action.outcome = r.outcome
            action.reflection = r.reflection.strip() or None
            action.reviewed_session_id = session.id
        elif action.reviewed_session_id == session.id:
            action.outcome = None
            action.reflection = None
            action.reviewed_session_id = None
    session.status = AlsSession.HELD
    session.recorded_at = utcnow()
    db.session.flush()
    audit(actor, Action.ALS_SESSION_RECORDED, session=session.id, edit=edit)
    db.session.commit()
    return edit


# --- hub dashboard (counts only: never notes or actions) ---------------------------------------------


@dataclass
class GroupStats:
    """Attendance of one group."""

    group: AlsGroup
    present: int
    recorded: int

    @property
    def rate(self) -> float | None:
        """Share of recorded attendances that were present."""
        return self.present / self.recorded if self.recorded else None

    def published(self) -> tuple[int | str, int | str, str]:
        """Present, expected and rate as they may be shown.

        Present and not-present are suppressed as a row whose total (expected) is shown, so a
        small number of absences cannot be worked out by subtraction.
        """
        present, _absent = suppress_row([self.present, self.recorded - self.present])
        expected = mask_total(self.recorded)
        if self.rate is None:
            rate = "–"
        elif present == MASK or expected == MASK:
            rate = MASK
        else:
            rate = f"{round(self.rate * 100)}%"
        return present, expected, rate


@dataclass
class Dashboard:
    """A programme's counts for its hub administrators."""

    status_counts: Counter
    groups: list[GroupStats]
    load: list[tuple[User, int, int]]
    themes: list[tuple[str, int]]


def dashboard(programme: AlsProgramme, now: datetime | None = None) -> Dashboard:
    """Sessions by status, attendance per group, facilitator load and theme frequencies."""
    sessions = programme_sessions(programme)
    status = Counter({"planned": 0, "held": 0, "cancelled": 0})
    for s in sessions:
        status["planned" if s.is_open else s.status] += 1
    load_programme_people(programme)
    by_group: dict[int, list[AlsSession]] = defaultdict(list)
    for s in sessions:
        by_group[s.group_id].append(s)
    groups = []
    for group in programme.groups:
        rows = [a for s in by_group[group.id] if s.status == AlsSession.HELD for a in s.attendance]
        groups.append(GroupStats(group, sum(a.status == "present" for a in rows), len(rows)))
    held: Counter = Counter()
    planned: Counter = Counter()
    people: dict[int, User] = {f.user_id: f.user for f in programme.facilitators}
    for s in sessions:
        for f in s.facilitations:
            people.setdefault(f.user_id, f.user)
            if s.status == AlsSession.HELD:
                held[f.user_id] += 1
            elif s.is_open:
                planned[f.user_id] += 1
    load = sorted(((u, held[i], planned[i]) for i, u in people.items()), key=lambda t: t[0].name)
    theme_counts: Counter = Counter()
    for s in sessions:
        if s.status == AlsSession.HELD:
            for t in s.themes:
                theme_counts[t.name] += 1
    themes = [(t.name, theme_counts[t.name]) for t in hub_themes(programme.hub_id)]
    for name, n in theme_counts.items():
        if name not in {t for t, _ in themes}:
            themes.append((name, n))
    return Dashboard(status, groups, load, sorted(themes, key=lambda t: (-t[1], t[0])))


# --- retention of confidential notes -----------------------------------------------------------


def _months_later(day: date, months: int) -> date:
    import calendar

    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def set_note_retention(actor: User, hub_id: int, months: int) -> None:
    """Change how many months the hub keeps confidential notes after a programme ends."""
    from learnhub.organisations.models import Hub

    hub = db.session.get(Hub, hub_id)
    if hub is None:
        raise ValueError("No such hub")
    before = hub.als_note_retention_months
    hub.als_note_retention_months = months
    audit(actor, Action.ALS_NOTE_RETENTION_CHANGED, hub=hub_id, before=before, after=months)
    db.session.commit()


def purge_expired_notes(today: date) -> int:
    """Delete the notes of programmes that ended more than the hub's retention period ago.

    Idempotent (a second run finds nothing); each hub's deletion is audited as a count only.
    """
    from learnhub.organisations.models import Hub

    total = 0
    for hub in db.session.scalars(select(Hub).order_by(Hub.id)):
        expired = [
            p.id
            for p in db.session.scalars(select(AlsProgramme).where(AlsProgramme.hub_id == hub.id))
            if _months_later(p.end_date, hub.als_note_retention_months) <= today
        ]
        if not expired:
            continue
        notes = db.session.scalars(
            select(AlsNote)
            .join(AlsSession, AlsNote.session_id == AlsSession.id)
            .join(AlsGroup, AlsSession.group_id == AlsGroup.id)
            .where(AlsGroup.programme_id.in_(expired))
        ).all()
        if not notes:
            continue
        for note in notes:
            db.session.delete(note)
        audit(None, Action.ALS_NOTES_PURGED, hub=hub.id, count=len(notes))
        total += len(notes)
    db.session.commit()
    return total
