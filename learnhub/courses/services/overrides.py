"""Completion override: a hub administrator records a completion by hand, or withdraws one.

For the cases a course cannot see: the learner attended the course at another hub, or a
completion was recorded that should not stand. Each needs a reason and writes an audit row.
Certificates and eligibility follow through the course signals (``course_completed`` issues
a certificate, ``completion_withdrawn`` revokes it), exactly as for completions the course
records itself.

Both are idempotent: the change is one conditional ``UPDATE`` (or one idempotent insert), so
a double click or two administrators at once make one change, one signal and one audit row;
the other request is told nothing changed. Never commits.
"""

from sqlalchemy import update

from learnhub.accounts.models import User
from learnhub.audit import Action, audit
from learnhub.courses import signals
from learnhub.courses.models import CourseCompletion, Enrolment
from learnhub.courses.services.common import CourseError
from learnhub.extensions import db
from learnhub.idempotent import insert_or_get
from learnhub.timeutil import utcnow

REASON_MAX = 500


def _reason(reason: str | None, doing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CourseError(f"Enter the reason for {doing} this completion")
    if len(reason) > REASON_MAX:
        raise CourseError(f"Reason must be {REASON_MAX} characters or fewer")
    return reason


def record_completion(actor: User, enrolment: Enrolment, reason: str) -> CourseCompletion | None:
    """Record that the learner completed the course (dated now); None if it already stands.

    A withdrawn completion of this enrolment comes back into force, recorded by hand. The
    certificate is issued by the ``course_completed`` receivers in this transaction (a new one
    if the completion's earlier certificate was revoked).
    """
    reason = _reason(reason, "recording")
    if enrolment.is_waiting:
        raise CourseError(
            f"{enrolment.user.name} is on the waiting list for {enrolment.cohort.name}. "
            "Give them a place before recording a completion"
        )
    now = utcnow()
    by_hand = {"recorded_by_id": actor.id, "recorded_reason": reason, "completed_at": now}
    completion = enrolment.completion
    if completion is None:
        completion, created = insert_or_get(
            CourseCompletion,
            key={"enrolment_id": enrolment.id},
            values={"course_id": enrolment.course_id, "user_id": enrolment.user_id, "cpd_hours": enrolment.course.cpd_hours}
            | by_hand,
        )
        db.session.refresh(enrolment, ["completion"])
        if not created:
            return _restore(actor, enrolment, completion, reason, by_hand)
        return _recorded(actor, enrolment, completion, reason)
    return _restore(actor, enrolment, completion, reason, by_hand)


def _restore(
    actor: User, enrolment: Enrolment, completion: CourseCompletion, reason: str, by_hand: dict[str, object]
) -> CourseCompletion | None:
    db.session.flush()
    changed = db.session.execute(
        update(CourseCompletion)
        .where(CourseCompletion.id == completion.id, CourseCompletion.withdrawn_at.is_not(None))
        .values(withdrawn_at=None, withdrawn_reason=None, withdrawn_by_id=None, **by_hand)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(completion)
    if not changed:
        db.session.refresh(enrolment, ["completed_at"])
        return None
    return _recorded(actor, enrolment, completion, reason)


def _recorded(actor: User, enrolment: Enrolment, completion: CourseCompletion, reason: str) -> CourseCompletion:
    enrolment.completed_at = completion.completed_at
    db.session.flush()
    signals.course_completed.send(completion, actor=actor)
    audit(
        actor,
        Action.COURSE_COMPLETION_RECORDED_BY_HAND,
        course=enrolment.course_id,
        enrolment=enrolment.id,
        user=enrolment.user_id,
        reason=reason,
    )
    return completion


def withdraw_completion_by_hand(actor: User, enrolment: Enrolment, reason: str) -> bool:
    """Withdraw the learner's completion (kept, with when, who and why); False if none stands.

    The certificate is revoked with the reason by the ``completion_withdrawn`` receivers. The
    course does not bring the completion back by itself afterwards, even if every module is
    still done: only recording it again (or a re-take) does.
    """
    reason = _reason(reason, "withdrawing")
    completion = enrolment.completion
    if completion is None:
        return False
    db.session.flush()
    changed = db.session.execute(
        update(CourseCompletion)
        .where(CourseCompletion.id == completion.id, CourseCompletion.withdrawn_at.is_(None))
        .values(withdrawn_at=utcnow(), withdrawn_reason=reason, withdrawn_by_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(completion)
    if not changed:
        return False
    enrolment.completed_at = None
    db.session.flush()
    signals.completion_withdrawn.send(completion, reason=reason, actor=actor)
    audit(
        actor,
        Action.COURSE_COMPLETION_WITHDRAWN_BY_HAND,
        course=enrolment.course_id,
        enrolment=enrolment.id,
        user=enrolment.user_id,
        reason=reason,
    )
    return True
