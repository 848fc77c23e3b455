"""A learner working through a course: reading, knowledge checks, live-session attendance.

Never commits. Rows a double click could create twice (progress on a module, a completion)
are inserted idempotently, so identical requests racing each other get the same row.
"""

import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from learnhub.accounts.models import User
from learnhub.audit import Action, audit
from learnhub.courses import rules
from learnhub.courses.models import (
    Attendance,
    CourseCompletion,
    Enrolment,
    Module,
    ModuleKind,
    ModuleProgress,
    Question,
    QuizAnswer,
    QuizAttempt,
)
from learnhub.courses.services.common import CourseError, module_facts_for, recheck_completion, withdraw_completion
from learnhub.extensions import db
from learnhub.idempotent import insert_or_get
from learnhub.timeutil import uk_time, utcnow
from learnhub.transactions import atomic


def _progress_row(enrolment: Enrolment, module: Module) -> ModuleProgress:
    """The learner's progress row for a module, created once however many requests race."""
    row = next((p for p in enrolment.progress if p.module_id == module.id), None)
    if row is None:
        row, _ = insert_or_get(ModuleProgress, key={"enrolment_id": enrolment.id, "module_id": module.id})
        if row not in enrolment.progress:
            enrolment.progress.append(row)
    if enrolment.started_at is None:
        enrolment.started_at = utcnow()
    return row


def open_module(enrolment: Enrolment, module: Module) -> None:
    """The learner opened a module: it is now in progress (no change if already started)."""
    if module.kind == ModuleKind.LIVE or any(p.module_id == module.id for p in enrolment.progress):
        return
    _progress_row(enrolment, module)


def complete_module(enrolment: Enrolment, module: Module) -> CourseCompletion | None:
    """The learner finished reading a module; records course completion if this was the last step."""
    if module.kind != ModuleKind.CONTENT:
        raise CourseError("Only reading modules are marked as complete by the learner")
    row = _progress_row(enrolment, module)
    if row.completed_at is None:
        row.completed_at = utcnow()
    return recheck_completion(enrolment)


def _open_attempt(enrolment: Enrolment, module: Module) -> QuizAttempt | None:
    return next((a for a in enrolment.attempts if a.module_id == module.id and a.submitted_at is None), None)


def start_attempt(enrolment: Enrolment, module: Module, rng: random.Random | None = None) -> QuizAttempt:
    """The open attempt at a check, or a new one with its own shuffled question order."""
    open_attempt = _open_attempt(enrolment, module)
    if open_attempt is not None:
        return open_attempt
    facts = module_facts_for(enrolment, module)
    if not rules.can_attempt(facts):
        raise CourseError("You have no attempts left at this knowledge check")
    asked = [q.id for q in module.questions if q.in_use]
    if not asked:
        raise CourseError("This knowledge check has no questions yet")
    order = asked
    (rng or random.SystemRandom()).shuffle(order)
    _progress_row(enrolment, module)
    attempt, _ = insert_or_get(
        QuizAttempt,
        key={"enrolment_id": enrolment.id, "module_id": module.id, "number": len(facts.attempts) + 1},
        values={"question_order": order},
    )
    db.session.refresh(enrolment, ["attempts"])
    return attempt


def submit_attempt(enrolment: Enrolment, module: Module, attempt: QuizAttempt, answers: dict[int, set[int]]) -> QuizAttempt:
    """Mark an attempt. Submitting the same attempt again changes nothing.

    :param answers: question id → chosen option ids. Every question of the attempt must be
        answered, and no other question may be.
    :raises CourseError: for answers that do not fit the attempt (nothing is saved).
    """
    if attempt.submitted_at is not None:
        return attempt
    questions = {q.id: q for q in module.questions}
    in_attempt = [qid for qid in attempt.question_order if qid in questions]
    stray = set(answers) - set(in_attempt)
    if stray:
        raise CourseError("Some answers are for questions that are not in this attempt")
    unanswered = [qid for qid in in_attempt if not answers.get(qid)]
    if unanswered:
        raise CourseError("Answer every question")
    _ = attempt.answers  # loaded before the savepoint: on SQLite its first statement must be the write
    try:
        with atomic():
            _mark_attempt(module, attempt, questions, in_attempt, answers)
            db.session.flush()
    except IntegrityError:
        # The same attempt was submitted at the same moment (a double click): that one counts.
        db.session.refresh(attempt)
        if attempt.submitted_at is None:
            raise
        return attempt
    recheck_completion(enrolment)
    db.session.flush()
    audit(enrolment.user, Action.COURSE_CHECK_SUBMITTED, module=module.id, attempt=attempt.id, score=attempt.score)
    return attempt


def _mark_attempt(
    module: Module, attempt: QuizAttempt, questions: dict[int, Question], in_attempt: list[int], answers: dict[int, set[int]]
) -> None:
    """Mark each answer and score the attempt (not committed); CourseError for answers that do not fit."""
    correct = 0
    marked = []
    for qid in in_attempt:
        question = questions[qid]
        chosen = answers[qid]
        if not chosen <= {o.id for o in question.options}:
            raise CourseError("Some answers are for questions that are not in this attempt")
        if question.kind == Question.SINGLE and len(chosen) != 1:
            raise CourseError("Choose one answer for each single-choice question")
        ok = rules.answer_correct(chosen, question.correct_ids)
        correct += ok
        marked.append(QuizAnswer(question_id=qid, selected=sorted(chosen), correct=ok))
    attempt.answers.extend(marked)
    attempt.score = rules.score_percent(correct, len(in_attempt))
    attempt.pass_mark = module.pass_mark
    attempt.passed = attempt.score >= module.pass_mark
    attempt.submitted_at = utcnow()


@dataclass
class AttendanceSaved:
    """What saving a session's attendance changed."""

    #: Learners whose course this completed (not those already complete).
    completed: int = 0
    #: Learners whose completion was withdrawn because the attendance that completed it was removed.
    withdrawn: int = 0


def record_attendance(
    actor: User, module: Module, enrolments: list[Enrolment], attended_ids: set[int], *, now: datetime | None = None
) -> AttendanceSaved:
    """Record who attended a live session (the rest did not).

    Attendance can be recorded only from the session's start. Removing the attendance that
    completed someone's course withdraws that completion (``completion_withdrawn`` is sent).
    """
    if module.kind != ModuleKind.LIVE:
        raise CourseError("Attendance is only recorded for live sessions")
    now = now or utcnow()
    if module.starts_at is not None and now < module.starts_at:
        raise CourseError(f"Attendance can be recorded from the start of the session, {uk_time(module.starts_at)} (UK time)")
    saved = AttendanceSaved()
    for enrolment in enrolments:
        row = next((a for a in enrolment.attendance if a.module_id == module.id), None)
        attended = enrolment.id in attended_ids
        if row is None:
            row = Attendance(enrolment=enrolment, module_id=module.id)
            db.session.add(row)
        was_attended = bool(row.attended) and row.id is not None
        row.attended = attended
        row.recorded_by_id = actor.id
        row.recorded_at = now
        if attended:
            already = enrolment.completion is not None and enrolment.completion.in_force
            if recheck_completion(enrolment) is not None and not already:
                saved.completed += 1
        elif was_attended and withdraw_completion(actor, enrolment, f"Attendance at {module.title} was removed"):
            saved.withdrawn += 1
    db.session.flush()
    audit(actor, Action.COURSE_ATTENDANCE_RECORDED, module=module.id, attended=len(attended_ids))
    return saved


def allow_another_attempt(actor: User, enrolment: Enrolment, module: Module) -> int:
    """Give a learner one more attempt at a knowledge check; returns the attempts they now have left."""
    if module.kind != ModuleKind.CHECK or module.attempts_allowed is None:
        raise CourseError("This knowledge check has no limit on attempts")
    row = _progress_row(enrolment, module)
    row.extra_attempts = (row.extra_attempts or 0) + 1
    db.session.flush()
    left = rules.attempts_left(module_facts_for(enrolment, module)) or 0
    audit(actor, Action.COURSE_EXTRA_ATTEMPT, module=module.id, enrolment=enrolment.id, user=enrolment.user_id, left=left)
    return left


def reset_attempts(actor: User, enrolment: Enrolment, module: Module) -> int:
    """Give a learner the check's full number of attempts again (past attempts stay in the record); returns attempts left."""
    if module.kind != ModuleKind.CHECK or module.attempts_allowed is None:
        raise CourseError("This knowledge check has no limit on attempts")
    used = sum(1 for a in enrolment.attempts if a.module_id == module.id and a.submitted_at is not None)
    row = _progress_row(enrolment, module)
    row.extra_attempts = used
    db.session.flush()
    left = rules.attempts_left(module_facts_for(enrolment, module)) or 0
    audit(actor, Action.COURSE_ATTEMPTS_RESET, module=module.id, enrolment=enrolment.id, user=enrolment.user_id, left=left)
    return left
