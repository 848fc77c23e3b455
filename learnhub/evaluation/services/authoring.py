"""Authoring: instruments, sections, questions and where a survey is used (attachments).

Services never commit: the request (or CLI command) commits once (``learnhub.transactions``).
"""

from datetime import datetime

from sqlalchemy import delete, exists, func, select

from learnhub.accounts.models import User
from learnhub.audit import Action, audit
from learnhub.evaluation.models import (
    MULTIPLE,
    SCALE_KINDS,
    SINGLE,
    TIMEPOINTS,
    Answer,
    Attachment,
    AttachmentTimepoint,
    Completion,
    Instrument,
    Invitee,
    Item,
    Response,
    Section,
)
from learnhub.evaluation.services.common import AuthoringProblem, ItemHasAnswers, new_key_secret
from learnhub.extensions import db

# --- instruments --------------------------------------------------------------------------------------


def add_item(
    actor: User, section: Section, *, kind: str, text: str, options: list[str], asked_at: list[str], flags: list[str]
) -> Item:
    """Add a question at the end of a section. Existing answers are untouched."""
    position = max((i.position for i in section.instrument.items), default=0) + 1
    item = Item(
        instrument_id=section.instrument_id,
        section=section,
        position=position,
        kind=kind,
        text=text.strip(),
        options=options if kind in (SINGLE, MULTIPLE) else None,
        asked_at=",".join(asked_at),
        required="required" in flags,
        core="core" in flags,
        reverse_scored="reverse" in flags,
    )
    db.session.add(item)
    db.session.flush()
    audit(actor, Action.EVALUATION_ITEM_ADDED, instrument=section.instrument_id, item=item.id)
    return item


def item_has_answers(item: Item) -> bool:
    """True once anyone has answered the item."""
    return bool(db.session.scalar(select(exists().where(Answer.item_id == item.id))))


def delete_item(actor: User, item: Item) -> None:
    """Delete an item nobody has answered; otherwise refuse (retire it instead)."""
    if item_has_answers(item):
        raise ItemHasAnswers("This question has answers, so it cannot be deleted. Retire it instead: it will no longer be asked.")
    db.session.delete(item)
    db.session.flush()
    audit(actor, Action.EVALUATION_ITEM_DELETED, item=item.id)


def retire_item(actor: User, item: Item, retired: bool = True) -> None:
    """Stop (or start again) asking an item; its answers are kept."""
    item.retired = retired
    db.session.flush()
    audit(actor, Action.EVALUATION_ITEM_RETIRED if retired else Action.EVALUATION_ITEM_RESTORED, item=item.id)


def copy_instrument(actor: User, instrument: Instrument, title: str | None = None) -> Instrument:
    """A new instrument with the same sections and (current) items, and its own secret."""
    copy = Instrument(
        hub_id=instrument.hub_id,
        title=title or f"Copy of {instrument.title}"[:200],
        description=instrument.description,
        key_secret=new_key_secret(),
        copied_from_id=instrument.id,
    )
    db.session.add(copy)
    for section in instrument.sections:
        new_section = Section(instrument=copy, position=section.position, title=section.title, description=section.description)
        db.session.add(new_section)
        for item in section.items:
            if item.retired:
                continue
            db.session.add(
                Item(
                    instrument=copy,
                    section=new_section,
                    position=item.position,
                    kind=item.kind,
                    text=item.text,
                    hint=item.hint,
                    options=list(item.options) if item.options else None,
                    reverse_scored=item.reverse_scored,
                    required=item.required,
                    core=item.core,
                    asked_at=item.asked_at,
                )
            )
    db.session.flush()
    audit(actor, Action.EVALUATION_INSTRUMENT_COPIED, source=instrument.id, copy=copy.id)
    return copy


def create_instrument(hub_id: int, title: str, description: str, sections: list[dict]) -> Instrument:
    """Build an instrument from a plain description (used by the demo and tests); not committed.

    ``sections`` is a list of ``{"title": ..., "items": [{"kind": ..., "text": ..., ...}]}``.
    """
    instrument = Instrument(hub_id=hub_id, title=title, description=description, key_secret=new_key_secret())
    db.session.add(instrument)
    position = 0
    for s_index, spec in enumerate(sections):
        section = Section(instrument=instrument, position=s_index, title=spec["title"], description=spec.get("description"))
        db.session.add(section)
        for item_spec in spec["items"]:
            position += 1
            db.session.add(Item(instrument=instrument, section=section, position=position, **item_spec))
    db.session.flush()
    return instrument


def attach(
    instrument: Instrument, subject_type: str, subject_id: int, label: str, windows: dict[str, tuple[datetime, datetime]]
) -> Attachment:
    """Attach an instrument to a subject with open/close dates per timepoint; not committed."""
    attachment = Attachment(
        instrument=instrument, hub_id=instrument.hub_id, subject_type=subject_type, subject_id=subject_id, label=label
    )
    db.session.add(attachment)
    for name, (opens, closes) in windows.items():
        if closes <= opens:
            raise ValueError("A survey must close after it opens")
        attachment.timepoints.append(AttachmentTimepoint(timepoint=name, opens_at=opens, closes_at=closes))
    db.session.flush()
    return attachment


# --- authoring: instruments, sections, items ----------------------------------------------------------


def new_instrument(actor: User, hub_id: int, title: str, description: str | None) -> Instrument:
    """A new, empty instrument in the hub (sections and questions are added next)."""
    instrument = Instrument(
        hub_id=hub_id, title=title.strip(), description=(description or "").strip() or None, key_secret=new_key_secret()
    )
    db.session.add(instrument)
    db.session.flush()
    audit(actor, Action.EVALUATION_INSTRUMENT_CREATED, instrument=instrument.id, hub=hub_id)
    return instrument


def update_instrument(actor: User, instrument: Instrument, title: str, description: str | None) -> None:
    """Change an instrument's title and description."""
    instrument.title = title.strip()
    instrument.description = (description or "").strip() or None
    db.session.flush()
    audit(actor, Action.EVALUATION_INSTRUMENT_CHANGED, instrument=instrument.id)


def add_section(actor: User, instrument: Instrument, title: str, description: str | None) -> Section:
    """Add a section at the end of an instrument."""
    position = max((s.position for s in instrument.sections), default=-1) + 1
    section = Section(
        instrument=instrument, position=position, title=title.strip(), description=(description or "").strip() or None
    )
    db.session.add(section)
    db.session.flush()
    audit(actor, Action.EVALUATION_SECTION_ADDED, instrument=instrument.id, section=section.id)
    return section


def update_section(actor: User, section: Section, title: str, description: str | None) -> None:
    """Rename a section (its questions and their answers are untouched)."""
    section.title = title.strip()
    section.description = (description or "").strip() or None
    db.session.flush()
    audit(actor, Action.EVALUATION_SECTION_CHANGED, section=section.id)


def delete_section(actor: User, section: Section) -> None:
    """Remove a section that has no questions (retired ones count: they keep their answers)."""
    if section.items:
        raise AuthoringProblem(
            f"'{section.title}' still has questions, so it cannot be removed. Delete its questions first "
            "(questions with answers cannot be deleted, so a section with answered questions stays)."
        )
    instrument_id, section_id = section.instrument_id, section.id
    db.session.delete(section)
    db.session.flush()
    audit(actor, Action.EVALUATION_SECTION_REMOVED, instrument=instrument_id, section=section_id)


def _swap(objects: list, index: int, direction: str) -> bool:
    """Swap ``objects[index]``'s position with its neighbour above or below; False at either end."""
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(objects):
        return False
    # Renumber first so that equal positions (older data) still swap cleanly.
    positions = sorted(o.position for o in objects)
    if len(set(positions)) != len(positions):
        positions = list(range(len(objects)))
    for obj, position in zip(objects, positions, strict=True):
        obj.position = position
    objects[index].position, objects[other].position = objects[other].position, objects[index].position
    return True


def move_section(actor: User, section: Section, direction: str) -> bool:
    """Move a section one place up or down; False when it is already first or last."""
    sections = list(section.instrument.sections)
    moved = _swap(sections, sections.index(section), direction)
    if moved:
        db.session.flush()
        audit(actor, Action.EVALUATION_SECTION_MOVED, section=section.id, direction=direction)
    return moved


def move_item(actor: User, item: Item, direction: str) -> bool:
    """Move a question one place up or down within its section; False when already first or last."""
    items = list(item.section.items)
    moved = _swap(items, items.index(item), direction)
    if moved:
        db.session.flush()
        audit(actor, Action.EVALUATION_ITEM_MOVED, item=item.id, direction=direction)
    return moved


#: What can still change once a question has answers (the rest would change what the answers mean).
EDITABLE_WITH_ANSWERS = ("text", "hint", "required", "asked_at")


def update_item(actor: User, item: Item, **changes: object) -> None:
    """Change a question. Once it has answers only its wording, hint, required flag and timepoints may change.

    ``changes`` may hold ``text``, ``hint``, ``required``, ``asked_at`` (a list) and, for a question
    nobody has answered, ``kind``, ``options``, ``core`` and ``reverse_scored``.
    """
    fixed = sorted(k for k in changes if k not in EDITABLE_WITH_ANSWERS)
    if fixed and item_has_answers(item):
        raise AuthoringProblem(
            "This question has answers, so its type of answer, options and scoring cannot change. "
            "Retire it and add a new question instead."
        )
    for key, value in changes.items():
        if key == "asked_at":
            value = ",".join(value)  # type: ignore[arg-type]
        elif key in ("text", "hint") and isinstance(value, str):
            value = value.strip() or (None if key == "hint" else value)
        setattr(item, key, value)
    if item.kind not in (SINGLE, MULTIPLE):
        item.options = None
    if item.kind not in SCALE_KINDS:
        item.core = False
        item.reverse_scored = False
    db.session.flush()
    audit(actor, Action.EVALUATION_ITEM_CHANGED, item=item.id, fields=",".join(sorted(changes)))


# --- authoring: attachments ---------------------------------------------------------------------------


Windows = dict[str, tuple[datetime, datetime]]


def _check_windows(windows: Windows) -> None:
    if not windows:
        raise AuthoringProblem("Enter the dates of at least one survey: before, after or follow-up")
    for name, (opens, closes) in windows.items():
        if name not in TIMEPOINTS:
            raise AuthoringProblem("Choose before, after or follow-up")
        if closes <= opens:
            raise AuthoringProblem(f"The {TIMEPOINTS[name].lower()} survey must close after it opens")


def attach_to_subject(
    actor: User, instrument: Instrument, subject_type: str, subject_id: int, label: str, windows: Windows
) -> Attachment:
    """Attach an instrument to a course or ALS programme of its hub (the caller checked the subject's hub).

    People are invited from the subject itself (a course's enrolled learners, a programme's
    members), so there is nothing else to set up. The same instrument is attached to a subject
    once: each timepoint once, with its own dates.
    """
    _check_windows(windows)
    existing = db.session.scalar(
        select(Attachment).where(
            Attachment.instrument_id == instrument.id,
            Attachment.subject_type == subject_type,
            Attachment.subject_id == subject_id,
        )
    )
    if existing is not None:
        raise AuthoringProblem(
            f"This survey is already attached to {existing.label}. Change the dates of that attachment instead."
        )
    attachment = attach(instrument, subject_type, subject_id, label[:200], windows)
    audit(
        actor,
        Action.EVALUATION_INSTRUMENT_ATTACHED,
        instrument=instrument.id,
        attachment=attachment.id,
        subject=f"{subject_type}:{subject_id}",
        timepoints=",".join(sorted(windows)),
    )
    return attachment


def responses_by_timepoint(attachment: Attachment) -> dict[str, int]:
    """Responses (drafts included) per timepoint of an attachment."""
    rows = db.session.execute(
        select(Response.timepoint, func.count()).where(Response.attachment_id == attachment.id).group_by(Response.timepoint)
    )
    return dict(rows.tuples().all())


def update_attachment(actor: User, attachment: Attachment, windows: Windows) -> None:
    """Set the timepoints and dates of an attachment. A timepoint with responses cannot be removed."""
    _check_windows(windows)
    answered = responses_by_timepoint(attachment)
    for tp in list(attachment.timepoints):
        if tp.timepoint not in windows:
            if answered.get(tp.timepoint):
                raise AuthoringProblem(
                    f"People have answered the {TIMEPOINTS[tp.timepoint].lower()} survey, so it cannot be removed. "
                    "You can change its dates instead."
                )
            attachment.timepoints.remove(tp)
    for name, (opens, closes) in windows.items():
        tp = attachment.timepoint(name)
        if tp is None:
            attachment.timepoints.append(AttachmentTimepoint(timepoint=name, opens_at=opens, closes_at=closes))
        else:
            tp.opens_at, tp.closes_at = opens, closes
    db.session.flush()
    audit(actor, Action.EVALUATION_ATTACHMENT_CHANGED, attachment=attachment.id, timepoints=",".join(sorted(windows)))


def detach(actor: User, attachment: Attachment) -> None:
    """Remove an attachment nobody has answered (answers are never thrown away)."""
    started = sum(responses_by_timepoint(attachment).values())
    completed = db.session.scalar(select(exists().where(Completion.attachment_id == attachment.id)))
    if started or completed:
        raise AuthoringProblem(
            f"People have already answered this survey for {attachment.label}, so it cannot be removed: "
            "their answers would be lost. You can close it instead by changing its dates."
        )
    attachment_id, instrument_id = attachment.id, attachment.instrument_id
    # Its invitations first, while the attachment is there: the database counts them off the
    # instrument's invited people (``InvitedCount``) by looking the attachment up.
    db.session.execute(delete(Invitee).where(Invitee.attachment_id == attachment.id))
    db.session.delete(attachment)
    db.session.flush()
    audit(actor, Action.EVALUATION_INSTRUMENT_DETACHED, attachment=attachment_id, instrument=instrument_id)
