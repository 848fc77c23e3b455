"""Evaluation state changes: answering surveys, copying instruments, retiring items, settings."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError

from learnhub.accounts.models import User
from learnhub.audit import Action, audit
from learnhub.evaluation import interface
from learnhub.evaluation.models import (
    FREE_TEXT,
    MULTIPLE,
    SCALE_KINDS,
    SINGLE,
    Answer,
    Attachment,
    AttachmentTimepoint,
    Completion,
    EvaluationSetting,
    Instrument,
    Invitee,
    Item,
    Response,
    Section,
)
from learnhub.extensions import db
from learnhub.identifiers import find_identifiers, survey_answer_message
from learnhub.suppression import DEFAULT_THRESHOLD, check_threshold
from learnhub.timeutil import utcnow

#: Longest free-text answer kept.
MAX_TEXT = 4000


class SurveyProblem(Exception):
    """Something the person can be told in plain words (closed, not invited…)."""


class ItemHasAnswers(SurveyProblem):
    """An item with answers cannot be deleted."""


def respondent_key(instrument: Instrument, user_id: int) -> str:
    """The pseudonymous key that links one person's responses to one instrument."""
    return hmac.new(instrument.key_secret.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()


def new_key_secret() -> str:
    """A fresh per-instrument secret."""
    return secrets.token_hex(32)


# --- settings ---------------------------------------------------------------------------------------


def threshold_for(hub_id: int) -> int:
    """The hub's suppression threshold (default 8)."""
    setting = db.session.get(EvaluationSetting, hub_id)
    return setting.suppression_threshold if setting else DEFAULT_THRESHOLD


def set_threshold(actor: User, hub_id: int, threshold: int) -> None:
    """Change the hub's suppression threshold (never below the minimum)."""
    check_threshold(threshold)
    setting = db.session.get(EvaluationSetting, hub_id) or EvaluationSetting(hub_id=hub_id)
    setting.suppression_threshold = threshold
    db.session.add(setting)
    db.session.flush()
    audit(actor, Action.EVALUATION_THRESHOLD_SET, hub=hub_id, threshold=threshold)
    db.session.commit()


# --- who is invited, what is due ---------------------------------------------------------------


def invited(attachment: Attachment) -> dict[int, str | None]:
    """``{user_id: subgroup}`` of everyone invited to an attachment."""
    if attachment.subject_type == "hub":
        rows = db.session.execute(select(Invitee.user_id, Invitee.subgroup).where(Invitee.attachment_id == attachment.id))
        return {user_id: subgroup for user_id, subgroup in rows}
    return interface.invitees(attachment.subject_type, attachment.subject_id)


def invitation(attachment: Attachment, user_id: int) -> tuple[bool, str | None]:
    """Whether the person is invited, and their subgroup."""
    people = invited(attachment)
    return user_id in people, people.get(user_id)


@dataclass
class DueSurvey:
    """A survey wave someone has been asked to answer, and how far they are."""

    attachment: Attachment
    timepoint: AttachmentTimepoint
    #: "not started", "draft" or "submitted".
    status: str


def surveys_for(user: User, now: datetime | None = None) -> list[DueSurvey]:
    """Survey waves open now (or closed but submitted) that this person is invited to."""
    if user.hub_id is None:
        return []
    now = now or utcnow()
    timepoints = db.session.scalars(
        select(AttachmentTimepoint)
        .join(Attachment)
        .where(Attachment.hub_id == user.hub_id, AttachmentTimepoint.opens_at <= now)
        .order_by(AttachmentTimepoint.closes_at)
    ).all()
    completed = set(
        db.session.execute(select(Completion.attachment_id, Completion.timepoint).where(Completion.user_id == user.id)).tuples()
    )
    result = []
    invited_cache: dict[int, bool] = {}
    for tp in timepoints:
        attachment = tp.attachment
        if attachment.id not in invited_cache:
            invited_cache[attachment.id] = invitation(attachment, user.id)[0]
        if not invited_cache[attachment.id]:
            continue
        if (attachment.id, tp.timepoint) in completed:
            status = "submitted"
        else:
            if not tp.is_open(now):
                continue
            draft = find_response(attachment, tp.timepoint, user.id)
            status = "draft" if draft else "not started"
        result.append(DueSurvey(attachment, tp, status))
    return result


def find_response(attachment: Attachment, timepoint: str, user_id: int) -> Response | None:
    """The person's own response to one wave, if any."""
    key = respondent_key(attachment.instrument, user_id)
    return db.session.scalar(
        select(Response).where(
            Response.attachment_id == attachment.id, Response.timepoint == timepoint, Response.respondent_key == key
        )
    )


def asked_items(attachment: Attachment, timepoint: str) -> list[Item]:
    """Items asked at this wave, in section order."""
    items = [item for section in attachment.instrument.sections for item in section.items]
    return [item for item in items if item.asked(timepoint)]


# --- answering ----------------------------------------------------------------------------------------


AnswerValue = int | list[int] | str | None


def check_answers(items: list[Item], answers: dict[int, AnswerValue], *, submitting: bool) -> dict[int, str]:
    """Problems with answers, by item id (empty when all is well). Used by the form and the service."""
    problems: dict[int, str] = {}
    for item in items:
        value = answers.get(item.id)
        empty = value is None or value == "" or value == []
        if empty:
            if submitting and item.required:
                problems[item.id] = "Answer this question" if item.kind == FREE_TEXT else "Select an answer"
            continue
        allowed = {v for v, _ in item.choices()}
        if item.kind in SCALE_KINDS or item.kind == SINGLE:
            if not isinstance(value, int) or value not in allowed:
                low, high = item.scale or (1, len(allowed))
                problems[item.id] = f"Select an answer from {low} to {high}" if item.scale else "Select one of the options given"
        elif item.kind == MULTIPLE:
            if not isinstance(value, list) or any(v not in allowed for v in value):
                problems[item.id] = "Select only from the options given"
        elif item.kind == FREE_TEXT and (not isinstance(value, str) or len(value) > MAX_TEXT):
            problems[item.id] = f"Your answer must be {MAX_TEXT} characters or fewer"
        elif item.kind == FREE_TEXT and (findings := find_identifiers(value)):
            problems[item.id] = survey_answer_message(findings)
    return problems


def save_response(
    user: User,
    attachment: Attachment,
    timepoint: str,
    answers: dict[int, AnswerValue],
    *,
    submit: bool,
    now: datetime | None = None,
) -> Response:
    """Save a draft or submit one wave's answers. One response per person per wave, editable until close.

    Raises :class:`SurveyProblem` (closed, not open yet, not invited, bad answers); nothing is
    saved then, and the caller shows the person's answers again.
    """
    now = now or utcnow()
    tp = attachment.timepoint(timepoint)
    is_invited, subgroup = invitation(attachment, user.id)
    if tp is None or not is_invited:
        raise SurveyProblem("You have not been asked to answer this survey")
    if now < tp.opens_at:
        raise SurveyProblem(f"This survey opens on {tp.opens_at:%-d %B %Y}")
    if now >= tp.closes_at:
        raise SurveyProblem(f"This survey closed on {tp.closes_at:%-d %B %Y}, so answers can no longer be saved or changed")
    items = asked_items(attachment, timepoint)
    problems = check_answers(items, answers, submitting=submit)
    if problems:
        raise SurveyProblem("Check your answers: " + "; ".join(problems.values()))

    for attempt in (1, 2):
        try:
            response = _write_response(user, attachment, timepoint, items, answers, subgroup, submit, now)
            db.session.commit()
            break
        except IntegrityError:
            # Another request (a double click) created the response or completion first: use it.
            db.session.rollback()
            if attempt == 2:
                raise
    action = Action.EVALUATION_RESPONSE_SUBMITTED if submit else Action.EVALUATION_RESPONSE_SAVED
    audit(user, action, attachment=attachment.id, timepoint=timepoint)
    db.session.commit()
    if submit:
        interface.notify_submitted(user.id, attachment.subject_type, attachment.subject_id, timepoint)
    return response


def _write_response(
    user: User,
    attachment: Attachment,
    timepoint: str,
    items: list[Item],
    answers: dict[int, AnswerValue],
    subgroup: str | None,
    submit: bool,
    now: datetime,
) -> Response:
    response = find_response(attachment, timepoint, user.id)
    if response is not None:
        # Lock the response first (a double click, two tabs): a second save waits, then replaces
        # the first one's answers instead of adding its own beside them.
        db.session.execute(
            update(Response).where(Response.id == response.id).values(updated_at=now).execution_options(synchronize_session=False)
        )
        db.session.expire(response)
    if response is None:
        response = Response(
            attachment_id=attachment.id,
            timepoint=timepoint,
            respondent_key=respondent_key(attachment.instrument, user.id),
            created_at=now,
        )
        db.session.add(response)
    response.subgroup = subgroup
    response.pcn_id = user.pcn_id
    response.professional_role = user.professional_role
    response.updated_at = now
    response.answers.clear()
    db.session.flush()
    for item in items:
        value = answers.get(item.id)
        if value is None or value == "" or value == []:
            continue
        if item.kind == MULTIPLE:
            response.answers.extend(Answer(item_id=item.id, value=v) for v in sorted(set(value)))  # type: ignore[arg-type]
        elif item.kind == FREE_TEXT:
            response.answers.append(Answer(item_id=item.id, text=str(value).strip()))
        else:
            response.answers.append(Answer(item_id=item.id, value=value))
    if submit:
        if response.status != Response.SUBMITTED:
            response.status = Response.SUBMITTED
            response.submitted_at = now
        has_completion = db.session.scalar(
            select(
                exists().where(
                    Completion.attachment_id == attachment.id, Completion.timepoint == timepoint, Completion.user_id == user.id
                )
            )
        )
        if not has_completion:
            db.session.add(Completion(attachment_id=attachment.id, timepoint=timepoint, user_id=user.id, submitted_at=now))
    db.session.flush()
    return response


def stored_answers(response: Response | None) -> dict[int, AnswerValue]:
    """A response's answers in the shape ``save_response`` takes."""
    out: dict[int, AnswerValue] = {}
    if response is None:
        return out
    for answer in response.answers:
        if answer.text is not None:
            out[answer.item_id] = answer.text
        elif answer.item.kind == MULTIPLE:
            out.setdefault(answer.item_id, [])
            out[answer.item_id].append(answer.value)  # type: ignore[union-attr]
        else:
            out[answer.item_id] = answer.value
    return out


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
    db.session.commit()
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
    db.session.commit()


def retire_item(actor: User, item: Item, retired: bool = True) -> None:
    """Stop (or start again) asking an item; its answers are kept."""
    item.retired = retired
    db.session.flush()
    audit(actor, Action.EVALUATION_ITEM_RETIRED if retired else Action.EVALUATION_ITEM_RESTORED, item=item.id)
    db.session.commit()


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
    db.session.commit()
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


class AuthoringProblem(SurveyProblem):
    """A change to an instrument or attachment that cannot be made (said in plain words)."""


def new_instrument(actor: User, hub_id: int, title: str, description: str | None) -> Instrument:
    """A new, empty instrument in the hub (sections and questions are added next)."""
    instrument = Instrument(
        hub_id=hub_id, title=title.strip(), description=(description or "").strip() or None, key_secret=new_key_secret()
    )
    db.session.add(instrument)
    db.session.flush()
    audit(actor, Action.EVALUATION_INSTRUMENT_CREATED, instrument=instrument.id, hub=hub_id)
    db.session.commit()
    return instrument


def update_instrument(actor: User, instrument: Instrument, title: str, description: str | None) -> None:
    """Change an instrument's title and description."""
    instrument.title = title.strip()
    instrument.description = (description or "").strip() or None
    db.session.flush()
    audit(actor, Action.EVALUATION_INSTRUMENT_CHANGED, instrument=instrument.id)
    db.session.commit()


def add_section(actor: User, instrument: Instrument, title: str, description: str | None) -> Section:
    """Add a section at the end of an instrument."""
    position = max((s.position for s in instrument.sections), default=-1) + 1
    section = Section(
        instrument=instrument, position=position, title=title.strip(), description=(description or "").strip() or None
    )
    db.session.add(section)
    db.session.flush()
    audit(actor, Action.EVALUATION_SECTION_ADDED, instrument=instrument.id, section=section.id)
    db.session.commit()
    return section


def update_section(actor: User, section: Section, title: str, description: str | None) -> None:
    """Rename a section (its questions and their answers are untouched)."""
    section.title = title.strip()
    section.description = (description or "").strip() or None
    db.session.flush()
    audit(actor, Action.EVALUATION_SECTION_CHANGED, section=section.id)
    db.session.commit()


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
    db.session.commit()


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
        db.session.commit()
    return moved


def move_item(actor: User, item: Item, direction: str) -> bool:
    """Move a question one place up or down within its section; False when already first or last."""
    items = list(item.section.items)
    moved = _swap(items, items.index(item), direction)
    if moved:
        db.session.flush()
        audit(actor, Action.EVALUATION_ITEM_MOVED, item=item.id, direction=direction)
        db.session.commit()
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
    db.session.commit()


# --- authoring: attachments ---------------------------------------------------------------------------


Windows = dict[str, tuple[datetime, datetime]]


def _check_windows(windows: Windows) -> None:
    from learnhub.evaluation.models import TIMEPOINTS

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
    db.session.commit()
    return attachment


def responses_by_timepoint(attachment: Attachment) -> dict[str, int]:
    """Responses (drafts included) per timepoint of an attachment."""
    from sqlalchemy import func

    rows = db.session.execute(
        select(Response.timepoint, func.count()).where(Response.attachment_id == attachment.id).group_by(Response.timepoint)
    )
    return dict(rows.tuples().all())


def update_attachment(actor: User, attachment: Attachment, windows: Windows) -> None:
    """Set the timepoints and dates of an attachment. A timepoint with responses cannot be removed."""
    from learnhub.evaluation.models import TIMEPOINTS

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
    db.session.commit()


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
    db.session.delete(attachment)
    db.session.flush()
    audit(actor, Action.EVALUATION_INSTRUMENT_DETACHED, attachment=attachment_id, instrument=instrument_id)
    db.session.commit()
