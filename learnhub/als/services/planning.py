"""The schedule and the facilitator rota: making sessions, moving them, planning who facilitates."""

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import update

from learnhub.accounts.models import User
from learnhub.als import notices, rotation
from learnhub.als.access import administers_own_hub
from learnhub.als.models import AlsFacilitation, AlsFacilitator, AlsProgramme, AlsSession, AlsUnavailability
from learnhub.als.schedule import ScheduleError, date_warnings, session_dates
from learnhub.als.services.common import LONDON, AlsError, local_start, to_local
from learnhub.als.services.participation import facilitated_sessions
from learnhub.als.services.programmes import group_size_problems, programme_sessions
from learnhub.audit import Action, audit
from learnhub.extensions import db
from learnhub.idempotent import insert_or_get
from learnhub.timeutil import utcnow
from learnhub.transactions import lock_row


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
                    planned_on=planned.nominal if planned.moved else None,
                )
            )
            made += 1
    db.session.flush()
    audit(actor, Action.ALS_SCHEDULE_GENERATED, programme=programme.id, sessions=made)
    return made


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
    session.planned_on = None  # moved by hand: the schedule's own move no longer explains its date
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
            session.facilitations.remove(booking)  # delete-orphan: the row goes at flush
    session.ical_sequence = (session.ical_sequence or 0) + 1
    session.changed_at = now
    db.session.flush()
    audit(actor, Action.ALS_SESSION_MOVED, session=session.id, to=new_start.isoformat(), unassigned=len(removed))
    notices.session_moved(session, removed)
    return removed


def move_warnings(session: AlsSession, new_start: datetime) -> list[str]:
    """What the administrator should confirm before moving a session to ``new_start``.

    A weekend, a bank holiday, another session of the same set that day, or a clash with
    another session of one of its facilitators.
    """
    day = to_local(new_start).date()
    warnings = date_warnings(day)
    end = new_start + timedelta(minutes=session.minutes)
    for other in session.group.sessions:
        if other.id != session.id and other.status != AlsSession.CANCELLED and to_local(other.starts_at).date() == day:
            warnings.append(f"{session.group.name} already meets that day (session {other.sequence})")
    for booking in session.facilitations:
        for other in facilitated_sessions(booking.user):
            if other.id == session.id or other.status == AlsSession.CANCELLED:
                continue
            if other.starts_at < end and new_start < other.starts_at + timedelta(minutes=other.minutes):
                warnings.append(f"{booking.user.name} facilitates {other.group.programme.name}, {other.group.name} at that time")
    return warnings


def cancel_session(actor: User, session: AlsSession, now: datetime | None = None) -> None:
    """Cancel a future session."""
    now = now or utcnow()
    if session.starts_at <= now or not session.is_open:
        raise AlsError("Only sessions that have not happened yet can be cancelled")
    session.status = AlsSession.CANCELLED
    session.ical_sequence = (session.ical_sequence or 0) + 1
    session.changed_at = now
    db.session.flush()
    audit(actor, Action.ALS_SESSION_CANCELLED, session=session.id)
    notices.session_cancelled(session)


def add_facilitator(actor: User, programme: AlsProgramme, user: User) -> AlsFacilitator:
    """Add someone from the hub to the facilitator pool (or bring back someone who withdrew).

    Never an administrator of the hub: a facilitator reads the notes of the sessions they
    facilitate, and hub administrators never read ALS notes (the same rule as for members).
    """
    if user.hub_id != programme.hub_id:
        raise AlsError("Nobody in your hub has this email address: invite them first")
    if administers_own_hub(user, programme.hub_id):
        raise AlsError(
            f"{user.name} is an administrator of your hub, who cannot facilitate its sets: facilitators "
            "read the sets' confidential notes. Ask a site administrator to change their permission first"
        )
    entry, created = insert_or_get(AlsFacilitator, key={"programme_id": programme.id, "user_id": user.id})
    if not created:
        # Returning after a withdrawal: one conditional update, so twin requests reactivate once.
        reactivated = db.session.execute(
            update(AlsFacilitator)
            .where(AlsFacilitator.id == entry.id, AlsFacilitator.active.is_(False))
            .values(active=True, withdrawal=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.refresh(entry)
        if not reactivated:
            raise AlsError(f"{user.name} is already in the facilitator pool")
    audit(actor, Action.ALS_FACILITATOR_ADDED, programme=programme.id, user=user.id)
    notices.facilitator_added(entry, utcnow().isoformat())
    return entry


def add_unavailability(actor: User, facilitator: AlsFacilitator, first: date, last: date) -> None:
    """Record days a facilitator cannot facilitate."""
    if last < first:
        raise AlsError("The last unavailable day must be the same as or after the first")
    db.session.add(AlsUnavailability(facilitator=facilitator, first_day=first, last_day=last))
    db.session.flush()
    audit(actor, Action.ALS_UNAVAILABILITY_ADDED, facilitator=facilitator.id)


def _planner_inputs(programme: AlsProgramme):  # type: ignore[no-untyped-def]
    sessions = [s for s in programme_sessions(programme) if s.status != AlsSession.CANCELLED]
    slots = [rotation.Slot(s.id, s.group_id, s.starts_at, s.starts_at + timedelta(minutes=s.minutes)) for s in sessions]
    # An administrator of the hub (someone promoted while in the pool) is not a facilitator: their
    # bookings need cover and the planner never books them.
    pool = [
        rotation.Facilitator(f.user_id, tuple((u.first_day, u.last_day) for u in f.unavailable))
        for f in programme.facilitators
        if f.active and not administers_own_hub(f.user, programme.hub_id)
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
        s.facilitations.clear()  # delete-orphan: the rows go at the flush
        db.session.flush()
        for role, person in ((rotation.LEAD, wanted.lead), (rotation.CO, wanted.co)):
            if person is not None:
                s.facilitations.append(AlsFacilitation(user_id=person, role=role))


def _withdrawal_changes(facilitator: AlsFacilitator, now: datetime):  # type: ignore[no-untyped-def]
    """The planner's sessions, and each coming session the last withdrawal changed with that change."""
    sessions, _slots, _pool, _members, current = _planner_inputs(facilitator.programme)
    by_id = {s.id: s for s in sessions}
    coming = []
    for change in facilitator.withdrawal.get("changes", []):
        session = by_id.get(change["session"])
        if session is not None and session.starts_at > now and session.is_open:  # held, cancelled, past: left as they are
            coming.append((session, change, [current[session.id].lead, current[session.id].co]))
    return sessions, coming


def withdrawal_undo_blockers(facilitator: AlsFacilitator, now: datetime | None = None) -> list[AlsSession] | None:
    """The coming sessions re-planned since a withdrawal ([] when it can be undone).

    None when there is nothing to undo (the facilitator is in the pool, or withdrew before
    withdrawals were recorded).
    """
    if facilitator.active or not facilitator.withdrawal:
        return None
    _sessions, coming = _withdrawal_changes(facilitator, now or utcnow())
    return [session for session, change, now_assigned in coming if now_assigned != change["after"]]


def undo_withdrawal(actor: User, facilitator: AlsFacilitator, now: datetime | None = None) -> int:
    """Put a withdrawn facilitator back, with the coming sessions the withdrawal took from them.

    Only while nothing has been re-planned since: every coming session the withdrawal changed
    must still have the facilitators it was given. Returns the number of sessions given back.
    Raises ``AlsError`` otherwise (the message names the sessions changed since).
    """
    now = now or utcnow()
    lock_row(AlsFacilitator, facilitator.id)  # a double click undoes once
    db.session.refresh(facilitator)
    if facilitator.active or not facilitator.withdrawal:
        raise AlsError(f"{facilitator.user.name} has not withdrawn, so there is nothing to undo")
    sessions, coming = _withdrawal_changes(facilitator, now)
    blockers = [session for session, change, now_assigned in coming if now_assigned != change["after"]]
    if blockers:
        names = ", ".join(f"{s.group.name} on {to_local(s.starts_at):%-d %B %Y}" for s in blockers)
        raise AlsError(
            f"The withdrawal of {facilitator.user.name} cannot be undone: sessions have been re-planned since ({names}). "
            "Add them to the pool again and plan facilitators instead"
        )
    restored = rotation.Plan({session.id: rotation.Assignment(*change["before"]) for session, change, _ in coming})
    _apply_plan(sessions, restored, set(restored.assignments))
    facilitator.active = True
    facilitator.withdrawal = None
    db.session.flush()
    audit(actor, Action.ALS_FACILITATOR_RESTORED, facilitator=facilitator.id, sessions=len(restored.assignments))
    return len(restored.assignments)


def sessions_needing_cover(programme: AlsProgramme, now: datetime | None = None) -> set[int]:
    """Coming sessions that need a facilitator: never covered, or a change broke their booking.

    A booking breaks when its facilitator withdraws or is erased, becomes unavailable that day,
    joins the set as a member, becomes an administrator of the hub, or the session moves onto
    another of their sessions. The
    schedule shows these in error styling until "Plan facilitators" covers them.
    """
    now = now or utcnow()
    sessions, slots, pool, members, current = _planner_inputs(programme)
    broken = {sid for sid, _role in rotation.needing_cover(slots, pool, members, current, now)}
    need_co = programme.co_facilitation or programme.continuity
    empty = {
        s.id
        for s in sessions
        if s.starts_at > now and s.is_open and (current[s.id].lead is None or (need_co and current[s.id].co is None))
    }
    return broken | empty


def run_planner(actor: User, programme: AlsProgramme, now: datetime | None = None) -> list[AlsSession]:
    """Cover every coming session that needs it, keeping every booking that is still valid.

    Bookings a later change broke (see :func:`sessions_needing_cover`) are reassigned; nothing
    else moves. Returns the sessions left uncovered.
    """
    now = now or utcnow()
    sessions, slots, pool, members, current = _planner_inputs(programme)
    plan = rotation.replan(
        slots,
        pool,
        members,
        current,
        now,
        co_facilitation=programme.co_facilitation,
        continuity=programme.continuity,
    )
    changed = {
        s.id
        for s in sessions
        if s.starts_at > now and s.is_open and plan.assignments.get(s.id, rotation.Assignment()) != current[s.id]
    }
    _apply_plan(sessions, plan, changed)
    db.session.flush()
    audit(actor, Action.ALS_PLANNER_RUN, programme=programme.id, sessions=len(changed), uncovered=len(plan.uncovered))
    by_id = {s.id: s for s in sessions}
    return [by_id[sid] for sid in dict.fromkeys(sid for sid, _ in plan.uncovered)]


def withdraw_facilitator(actor: User, facilitator: AlsFacilitator, now: datetime | None = None) -> list[AlsSession]:
    """Take someone out of the pool and re-plan only their future sessions.

    Returns the sessions nobody else could cover.
    """
    now = now or utcnow()
    # Two withdrawals at once (a double click, two tabs) re-plan one after the other; the second
    # finds the facilitator already out of the pool and changes nothing.
    lock_row(AlsFacilitator, facilitator.id)
    db.session.refresh(facilitator)
    if not facilitator.active:
        return []
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
    facilitator.withdrawal = {
        "at": now.isoformat(),
        "changes": [
            {
                "session": sid,
                "before": [current[sid].lead, current[sid].co],
                "after": [
                    plan.assignments.get(sid, rotation.Assignment()).lead,
                    plan.assignments.get(sid, rotation.Assignment()).co,
                ],
            }
            for sid in sorted(freed)
        ],
    }
    db.session.flush()
    audit(actor, Action.ALS_FACILITATOR_WITHDRAWN, facilitator=facilitator.id, replanned=len(freed))
    notices.facilitator_withdrawn(facilitator, now.isoformat(), len(freed))
    by_id = {s.id: s for s in sessions}
    return [by_id[sid] for sid in dict.fromkeys(sid for sid, _ in plan.uncovered)]
