"""Answering surveys: who is invited, what is due, saving drafts and submissions.

Services never commit: the request (or CLI command) commits once (``learnhub.transactions``).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import contains_eager

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
    Invitee,
    Item,
    Response,
)
from learnhub.evaluation.services import aggregates
from learnhub.evaluation.services.common import MAX_TEXT, SurveyProblem, respondent_key
from learnhub.extensions import db
from learnhub.idempotent import insert_or_get
from learnhub.identifiers import find_identifiers, survey_answer_message
from learnhub.timeutil import utcnow

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


def surveys_due_count(user: User, now: datetime | None = None) -> int:
    """How many open waves this person is invited to and has not submitted (the home page's card).

    The same waves as ``surveys_for`` with a status other than "submitted", without looking up
    drafts (a draft is still due) and with each wave's attachment loaded in the same query.
    """
    if user.hub_id is None:
        return 0
    now = now or utcnow()
    timepoints = db.session.scalars(
        select(AttachmentTimepoint)
        .join(Attachment)
        .options(contains_eager(AttachmentTimepoint.attachment))
        .where(Attachment.hub_id == user.hub_id, AttachmentTimepoint.opens_at <= now)
    ).all()
    completed = set(
        db.session.execute(select(Completion.attachment_id, Completion.timepoint).where(Completion.user_id == user.id)).tuples()
    )
    due = 0
    invited_cache: dict[int, bool] = {}
    for tp in timepoints:
        attachment = tp.attachment
        if (attachment.id, tp.timepoint) in completed or not tp.is_open(now):
            continue
        if attachment.id not in invited_cache:
            invited_cache[attachment.id] = invitation(attachment, user.id)[0]
        due += invited_cache[attachment.id]
    return due


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

    response = _write_response(user, attachment, timepoint, items, answers, subgroup, submit, now)
    action = Action.EVALUATION_RESPONSE_SUBMITTED if submit else Action.EVALUATION_RESPONSE_SAVED
    audit(user, action, attachment=attachment.id, timepoint=timepoint)
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
    """Write one person's response to one wave; safe when the same request arrives twice at once.

    The response row is inserted with ``ON CONFLICT DO NOTHING`` (a double click or two tabs
    get the same row, never an ``IntegrityError``), then locked (with the person's other waves of
    the attachment, whose pairs it counts in) so that a second save waits and replaces the first
    one's answers instead of adding its own beside them. The results' aggregate tables are
    updated with the difference the save makes (``services.aggregates``).
    """
    key = respondent_key(attachment.instrument, user.id)
    response, _created = insert_or_get(
        Response,
        key={"attachment_id": attachment.id, "timepoint": timepoint, "respondent_key": key},
        values={"created_at": now, "updated_at": now, "status": Response.DRAFT},
    )
    aggregates.lock_person(attachment.id, key)
    db.session.execute(
        update(Response).where(Response.id == response.id).values(updated_at=now).execution_options(synchronize_session=False)
    )
    db.session.refresh(response)
    before = aggregates.before_change(attachment, response)
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
        insert_or_get(
            Completion,
            key={"attachment_id": attachment.id, "timepoint": timepoint, "user_id": user.id},
            values={"submitted_at": now},
        )
    aggregates.after_change(attachment, response, before)
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
