"""A session's confidential record: attendance, presenters, themes, notes, actions and reviews.

Confidential content (notes and actions) is only ever read through functions that take the
reader and write the access log.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update

from learnhub.accounts.models import User
from learnhub.als.identifiers import anonymise_message, find_identifiers
from learnhub.als.models import AlsAction, AlsAttendance, AlsGroup, AlsMember, AlsNote, AlsNoteAccess, AlsPresenter, AlsSession
from learnhub.als.presenters import PastSession, suggest_presenters
from learnhub.als.services.common import AlsError, to_local
from learnhub.als.services.programmes import hub_themes
from learnhub.audit import Action, audit
from learnhub.extensions import db
from learnhub.idempotent import insert_or_get
from learnhub.timeutil import utcnow


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


def read_session_record(reader: User, session: AlsSession) -> SessionRecordView:
    """Notes and visible actions of a session, logging the read.

    Call only after ``access.get_session_for(reader, id)``: this writes the access log but does
    not check permission itself. Private actions are shown to their owner only.
    """
    log_note_read(reader, session)
    actions = list(db.session.scalars(select(AlsAction).where(AlsAction.session_id == session.id).order_by(AlsAction.position)))
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
    #: The row of the form (1, 2, …): the action's stable key, so a re-save updates it in place.
    position: int | None = None


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
    #: The set's ground rules, when this form may record them (None: leave them as they are).
    ground_rules: str | None = None


def may_record_ground_rules(session: AlsSession) -> bool:
    """True while the set has no ground rules, and at the session whose record holds them."""
    return session.group.ground_rules_session_id in (None, session.id)


def _save_actions(session: AlsSession, inputs: list[ActionInput], member_ids: set[int]) -> None:
    """Actions chosen at this session, by form row: a re-save updates each row in place.

    Saving the same record twice changes nothing (no duplicate, and an action a later session
    has reviewed keeps its outcome); a row left blank removes its action unless a later session
    has already reviewed it.
    """
    existing = {a.position: a for a in db.session.scalars(select(AlsAction).where(AlsAction.session_id == session.id))}
    kept = set()
    for n, a in enumerate(inputs, start=1):
        position, text = a.position or n, a.text.strip()
        if a.owner_id not in member_ids or not text:
            continue
        kept.add(position)
        action = existing.get(position)
        if action is None:
            insert_or_get(
                AlsAction,
                key={"session_id": session.id, "position": position},
                values={"owner_id": a.owner_id, "text": text, "shared": a.shared},
            )
        elif (action.owner_id, action.text, action.shared) != (a.owner_id, text, a.shared):
            action.owner_id, action.text, action.shared = a.owner_id, text, a.shared
    for position, action in existing.items():
        if position not in kept and action.reviewed_session_id is None:
            db.session.delete(action)
    db.session.flush()


def record_session(actor: User, session: AlsSession, record: SessionRecord, now: datetime | None = None) -> bool:
    """Save a session's record; a second save edits the first. Returns True if it was an edit.

    Text with patient identifiers is refused before anything changes (the form checks too).
    """
    today = to_local(now or utcnow()).date()
    if to_local(session.starts_at).date() > today:
        raise AlsError(f"This session can be recorded from {to_local(session.starts_at).strftime('%-d %B %Y')}")
    if session.status == AlsSession.CANCELLED:
        raise AlsError("This session was cancelled, so there is nothing to record")
    texts = [
        record.notes,
        record.ground_rules,
        *(a.text for a in record.actions),
        *(r.reflection for r in record.reviews),
    ]
    findings = [f for text in texts for f in find_identifiers(text or "")]
    if findings:
        raise AlsError(anonymise_message(findings))
    # The first call for a hub creates its default themes (an upsert, safe against twins).
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
    session.presenters.clear()  # delete-orphan: the rows go at the flush
    db.session.flush()
    for position, user_id in enumerate([p for p in record.presenters if p in member_ids], start=1):
        session.presenters.append(AlsPresenter(user_id=user_id, position=position))
    session.themes = [themes[t] for t in record.theme_ids if t in themes]
    if session.note:
        session.note.text = record.notes
        session.note.author_id = actor.id
    else:
        session.note = AlsNote(text=record.notes, author_id=actor.id)
    _save_actions(session, record.actions, member_ids)
    if record.ground_rules is not None and may_record_ground_rules(session):
        rules = record.ground_rules.strip()
        session.group.ground_rules = rules or None
        session.group.ground_rules_session_id = session.id if rules else None
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
    return edit
