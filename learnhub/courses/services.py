"""Course state changes and the queries behind course pages. One transaction per call.

Completion is recorded the moment its conditions are met: every service that can make a
learner's course complete (finishing a module, passing a check, recording attendance,
changing a module's rules) calls ``recheck_completion`` before committing.
"""

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass

import markdown
import nh3
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from learnhub.accounts.models import User
from learnhub.audit import Action, audit
from learnhub.courses import hooks, rules
from learnhub.courses.models import (
    Attendance,
    Cohort,
    Course,
    CourseCompletion,
    Enrolment,
    Module,
    ModuleKind,
    ModuleProgress,
    Option,
    Question,
    QuizAnswer,
    QuizAttempt,
)
from learnhub.extensions import db
from learnhub.mail import send_mail
from learnhub.timeutil import utcnow
from learnhub.urls import external_url

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote",
    "code", "pre", "a", "img", "table", "caption", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"scope"}}


class CourseError(ValueError):
    """A request that cannot be carried out; the message is shown to the user."""


def render_markdown(text: str) -> str:
    """Markdown to HTML, sanitised: only a small set of tags, no scripts or event handlers."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"])
    # "Table: …" on the line before a table is its caption (as in Pandoc): tables need one.
    html = re.sub(r"<p>Table: (.+?)</p>\s*<table>", r"<table>\n<caption>\1</caption>", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


# --- loading ------------------------------------------------------------------------------------


def load_course(course_id: int, *, questions: bool = False) -> Course | None:
    """A course with its modules (and questions and options if asked) in a fixed number of queries."""
    module_load = selectinload(Course.modules)
    if questions:
        module_load = module_load.selectinload(Module.questions).selectinload(Question.options)
    return db.session.scalar(select(Course).where(Course.id == course_id).options(module_load))


def _enrolment_options():  # type: ignore[no-untyped-def]
    return (
        selectinload(Enrolment.progress),
        selectinload(Enrolment.attempts),
        selectinload(Enrolment.attendance),
        selectinload(Enrolment.completion),
        selectinload(Enrolment.cohort),
    )


def current_enrolment(course_id: int, user_id: int) -> Enrolment | None:
    """The learner's latest enrolment on a course (re-takes have higher attempt numbers)."""
    return db.session.scalar(
        select(Enrolment)
        .where(Enrolment.course_id == course_id, Enrolment.user_id == user_id)
        .order_by(Enrolment.attempt.desc())
        .limit(1)
        .options(*_enrolment_options())
    )


def my_enrolments(user_id: int) -> list[Enrolment]:
    """The learner's latest enrolment on each course, with what the progress bar needs."""
    latest = (
        select(Enrolment.course_id, func.max(Enrolment.attempt).label("attempt"))
        .where(Enrolment.user_id == user_id)
        .group_by(Enrolment.course_id)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(Enrolment)
            .join(latest, (Enrolment.course_id == latest.c.course_id) & (Enrolment.attempt == latest.c.attempt))
            .where(Enrolment.user_id == user_id)
            .options(*_enrolment_options(), selectinload(Enrolment.course).selectinload(Course.modules))
            .order_by(Enrolment.enrolled_at.desc())
        )
    )


# --- rules bridge -------------------------------------------------------------------------------


def module_facts(enrolment: Enrolment | None, modules: Iterable[Module]) -> list[rules.ModuleFacts]:
    """Turn an enrolment's rows into the plain facts the rules work on (no queries once loaded)."""
    progress = {p.module_id: p for p in enrolment.progress} if enrolment else {}
    attendance = {a.module_id: a.attended for a in enrolment.attendance} if enrolment else {}
    attempts: dict[int, list[QuizAttempt]] = {}
    for attempt in enrolment.attempts if enrolment else []:
        attempts.setdefault(attempt.module_id, []).append(attempt)
    facts = []
    for m in modules:
        mine = attempts.get(m.id, [])
        submitted = tuple(rules.AttemptFact(a.score or 0, bool(a.passed)) for a in mine if a.submitted_at)
        p = progress.get(m.id)
        facts.append(
            rules.ModuleFacts(
                module_id=m.id,
                kind=m.kind,
                required=m.required,
                published=m.published,
                pass_mark=m.pass_mark,
                attempts_allowed=m.attempts_allowed,
                started=p is not None,
                completed=bool(p and p.completed_at),
                attempts=submitted,
                open_attempt=any(a.submitted_at is None for a in mine),
                attended=attendance.get(m.id),
            )
        )
    return facts


def course_state(enrolment: Enrolment | None, course: Course) -> rules.CourseState:
    """A learner's statuses, progress and what is left on a course."""
    extra = hooks.unmet_requirements(enrolment) if enrolment is not None else []
    return rules.course_state(module_facts(enrolment, course.modules), {m.id: m.title for m in course.modules}, extra)


def recheck_completion(enrolment: Enrolment) -> CourseCompletion | None:
    """Record completion now if every condition is met (callbacks run; the caller commits)."""
    if enrolment.completion is not None or enrolment.is_waiting:
        return enrolment.completion
    db.session.flush()
    course = enrolment.course
    state = course_state(enrolment, course)
    if not state.complete:
        return None
    now = utcnow()
    completion = CourseCompletion(
        enrolment=enrolment, course_id=course.id, user_id=enrolment.user_id, completed_at=now, cpd_hours=course.cpd_hours
    )
    enrolment.completed_at = now
    db.session.add(completion)
    db.session.flush()
    hooks.run_completed_callbacks(completion)
    audit(enrolment.user, Action.COURSE_COMPLETED, course=course.id, enrolment=enrolment.id)
    return completion


def _recheck_course(course: Course) -> int:
    """Re-check every open enrolment on a course (after its rules changed); returns completions made."""
    enrolments = db.session.scalars(
        select(Enrolment)
        .where(Enrolment.course_id == course.id, Enrolment.completed_at.is_(None), Enrolment.status == Enrolment.ENROLLED)
        .options(*_enrolment_options())
    ).all()
    return sum(1 for e in enrolments if recheck_completion(e) is not None)


# --- authoring ----------------------------------------------------------------------------------


def create_course(actor: User, hub_id: int, **fields: object) -> Course:
    """Create a course (unpublished until the administrator publishes it)."""
    course = Course(hub_id=hub_id, **fields)
    db.session.add(course)
    db.session.flush()
    audit(actor, Action.COURSE_CREATED, course=course.id)
    db.session.commit()
    return course


def update_course(actor: User, course: Course, **fields: object) -> None:
    """Change a course's details or publish/unpublish it."""
    for key, value in fields.items():
        setattr(course, key, value)
    db.session.flush()
    audit(actor, Action.COURSE_UPDATED, course=course.id)
    db.session.commit()


def add_module(actor: User, course: Course, **fields: object) -> Module:
    """Add a module at the end of the course."""
    position = max((m.position for m in course.modules), default=0) + 1
    module = Module(course=course, position=position, **fields)
    module.body_html = render_markdown(module.body_markdown or "")
    db.session.add(module)
    db.session.flush()
    audit(actor, Action.COURSE_MODULE_ADDED, course=course.id, module=module.id)
    db.session.commit()
    return module


def update_module(actor: User, module: Module, **fields: object) -> int:
    """Change a module; learners whose course this makes complete are completed now. Returns how many."""
    for key, value in fields.items():
        setattr(module, key, value)
    module.body_html = render_markdown(module.body_markdown or "")
    db.session.flush()
    completed = _recheck_course(module.course)
    db.session.flush()
    audit(actor, Action.COURSE_MODULE_UPDATED, module=module.id, completions=completed)
    db.session.commit()
    return completed


def move_module(actor: User, module: Module, direction: int) -> None:
    """Swap a module with its neighbour (direction -1 up, +1 down)."""
    ordered = sorted(module.course.modules, key=lambda m: m.position)
    index = ordered.index(module)
    other = index + direction
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, m in enumerate(ordered, start=1):
            m.position = position
        db.session.flush()
        audit(actor, Action.COURSE_MODULE_MOVED, module=module.id, position=module.position)
        db.session.commit()


def add_question(
    actor: User, module: Module, *, text: str, kind: str, explanation: str, options: list[tuple[str, bool]]
) -> Question:
    """Add a question with options to a knowledge check."""
    correct = sum(1 for _, ok in options if ok)
    if correct == 0:
        raise CourseError("Mark at least one answer as correct")
    if kind == Question.SINGLE and correct != 1:
        raise CourseError("A single-choice question must have exactly one correct answer")
    position = max((q.position for q in module.questions), default=0) + 1
    question = Question(module=module, position=position, text=text.strip(), kind=kind, explanation=explanation.strip())
    for i, (option_text, ok) in enumerate(options, start=1):
        question.options.append(Option(position=i, text=option_text.strip(), correct=ok))
    db.session.add(question)
    db.session.flush()
    audit(actor, Action.COURSE_QUESTION_ADDED, module=module.id, question=question.id)
    db.session.commit()
    return question


def question_answered(question: Question) -> bool:
    """True once any learner has answered the question."""
    return bool(db.session.scalar(select(func.count()).where(QuizAnswer.question_id == question.id)))


def update_question(
    actor: User, question: Question, *, text: str, kind: str, explanation: str, options: list[tuple[str, bool]]
) -> None:
    """Change a question. Its options are fixed once learners have answered it, so their results keep their meaning."""
    current = [(o.text, o.correct) for o in question.options]
    if options != current or kind != question.kind:
        if question_answered(question):
            raise CourseError(
                "Learners have answered this question, so its options cannot change. Remove it and add a new question instead"
            )
        correct = sum(1 for _, ok in options if ok)
        if correct == 0:
            raise CourseError("Mark at least one answer as correct")
        if kind == Question.SINGLE and correct != 1:
            raise CourseError("A single-choice question must have exactly one correct answer")
        question.options = [Option(position=i, text=t.strip(), correct=ok) for i, (t, ok) in enumerate(options, start=1)]
        question.kind = kind
    question.text = text.strip()
    question.explanation = explanation.strip()
    db.session.flush()
    audit(actor, Action.COURSE_QUESTION_UPDATED, question=question.id)
    db.session.commit()


def delete_question(actor: User, question: Question) -> bool:
    """Remove a question; one that learners have answered is retired instead. True if deleted.

    Deleting an answered question would delete the answers in learners' past attempts (their
    record and the cohort report), so it is only taken out of new attempts.
    """
    if question_answered(question):
        set_question_retired(actor, question, True)
        return False
    module_id = question.module_id
    db.session.delete(question)
    db.session.flush()
    audit(actor, Action.COURSE_QUESTION_DELETED, module=module_id)
    db.session.commit()
    return True


def set_question_retired(actor: User, question: Question, retired: bool) -> None:
    """Take a question out of new attempts, or bring it back."""
    question.retired = retired
    db.session.flush()
    action = Action.COURSE_QUESTION_RETIRED if retired else Action.COURSE_QUESTION_RESTORED
    audit(actor, action, question=question.id, module=question.module_id)
    db.session.commit()


def add_cohort(actor: User, course: Course, **fields: object) -> Cohort:
    """Add a cohort to a course."""
    cohort = Cohort(course=course, **fields)
    db.session.add(cohort)
    db.session.flush()
    audit(actor, Action.COURSE_COHORT_ADDED, course=course.id, cohort=cohort.id)
    db.session.commit()
    return cohort


def update_cohort(actor: User, cohort: Cohort, **fields: object) -> None:
    """Change a cohort's dates, places or self-enrolment (the waiting list is not moved automatically)."""
    for key, value in fields.items():
        setattr(cohort, key, value)
    db.session.flush()
    audit(actor, Action.COURSE_COHORT_UPDATED, cohort=cohort.id)
    db.session.commit()


# --- enrolment ----------------------------------------------------------------------------------


@dataclass
class EnrolOutcome:
    """What happened when someone was enrolled."""

    enrolment: Enrolment
    created: bool
    waiting: bool


def places_taken(cohort: Cohort) -> int:
    """Enrolled (not waiting) learners in a cohort."""
    return (
        db.session.scalar(select(func.count()).where(Enrolment.cohort_id == cohort.id, Enrolment.status == Enrolment.ENROLLED))
        or 0
    )


def _enrol(cohort: Cohort, user: User) -> EnrolOutcome:
    latest = current_enrolment(cohort.course_id, user.id)
    if latest is not None and latest.completed_at is None:
        return EnrolOutcome(latest, False, latest.is_waiting)
    full = cohort.capacity is not None and places_taken(cohort) >= cohort.capacity
    enrolment = Enrolment(
        course_id=cohort.course_id,
        cohort=cohort,
        user_id=user.id,
        attempt=(latest.attempt + 1) if latest else 1,
        status=Enrolment.WAITING if full else Enrolment.ENROLLED,
    )
    db.session.add(enrolment)
    db.session.flush()
    return EnrolOutcome(enrolment, True, full)


def enrol(actor: User, cohort: Cohort, user: User) -> EnrolOutcome:
    """Enrol someone (or put them on the waiting list when the cohort is full).

    Someone already on the course is left as they are; someone who completed it starts a
    re-take: a new enrolment with the next attempt number, the old one kept.
    """
    outcome = _enrol(cohort, user)
    db.session.commit()
    if outcome.created:
        details = {"waiting": outcome.waiting, "attempt": outcome.enrolment.attempt}
        audit(actor, Action.COURSE_ENROLLED, cohort=cohort.id, user=user.id, **details)
        db.session.commit()
    return outcome


def enrol_many(actor: User, cohort: Cohort, user_ids: list[int]) -> list[EnrolOutcome]:
    """Enrol several people in one transaction."""
    users = db.session.scalars(select(User).where(User.id.in_(user_ids))).all()
    outcomes = [_enrol(cohort, u) for u in users]
    db.session.flush()
    audit(actor, Action.COURSE_ENROLLED_FROM_CSV, cohort=cohort.id, count=sum(o.created for o in outcomes))
    db.session.commit()
    return outcomes


def promote_waiting(actor: User, cohort: Cohort) -> int:
    """Give free places to the waiting list in the order people joined it; returns how many."""
    free = None if cohort.capacity is None else cohort.capacity - places_taken(cohort)
    waiting = [e for e in cohort.enrolments if e.is_waiting]
    promoted = waiting if free is None else waiting[: max(free, 0)]
    for e in promoted:
        e.status = Enrolment.ENROLLED
    db.session.commit()
    if promoted:
        audit(actor, Action.COURSE_WAITING_PROMOTED, cohort=cohort.id, count=len(promoted))
        db.session.commit()
    for e in promoted:
        send_mail(
            e.user.email,
            f"You have a place on {cohort.course.title}",
            f"Hello {e.user.name},\n\nA place has come up for you on {cohort.course.title} ({cohort.name}). "
            f"You can start now:\n\n{external_url('courses.course_page', course_id=cohort.course_id)}\n",
        )
    return len(promoted)


# --- learning -----------------------------------------------------------------------------------


def _progress_row(enrolment: Enrolment, module: Module) -> ModuleProgress:
    row = next((p for p in enrolment.progress if p.module_id == module.id), None)
    if row is None:
        row = ModuleProgress(enrolment=enrolment, module_id=module.id)
        db.session.add(row)
    if enrolment.started_at is None:
        enrolment.started_at = utcnow()
    return row


def open_module(enrolment: Enrolment, module: Module) -> None:
    """The learner opened a module: it is now in progress (no change if already started)."""
    if module.kind == ModuleKind.LIVE or any(p.module_id == module.id for p in enrolment.progress):
        return
    _progress_row(enrolment, module)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # opened in two tabs at once: the other request recorded it


def complete_module(enrolment: Enrolment, module: Module) -> CourseCompletion | None:
    """The learner finished reading a module; records course completion if this was the last step."""
    if module.kind != ModuleKind.CONTENT:
        raise CourseError("Only reading modules are marked as complete by the learner")
    row = _progress_row(enrolment, module)
    if row.completed_at is None:
        row.completed_at = utcnow()
    completion = recheck_completion(enrolment)
    db.session.commit()
    return completion


def module_facts_for(enrolment: Enrolment, module: Module) -> rules.ModuleFacts:
    """Facts for one module."""
    return module_facts(enrolment, [module])[0]


def start_attempt(enrolment: Enrolment, module: Module, rng: random.Random | None = None) -> QuizAttempt:
    """The open attempt at a check, or a new one with its own shuffled question order."""
    open_attempt = next((a for a in enrolment.attempts if a.module_id == module.id and a.submitted_at is None), None)
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
    attempt = QuizAttempt(enrolment=enrolment, module_id=module.id, number=len(facts.attempts) + 1, question_order=order)
    _progress_row(enrolment, module)
    db.session.add(attempt)
    try:
        db.session.commit()
    except IntegrityError:
        # Started twice at once (a double click): the other request's attempt is the one.
        db.session.rollback()
        open_attempt = next((a for a in enrolment.attempts if a.module_id == module.id and a.submitted_at is None), None)
        if open_attempt is None:
            raise
        return open_attempt
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
    try:
        _mark_attempt(module, attempt, questions, in_attempt, answers)
        recheck_completion(enrolment)
        db.session.flush()
        audit(enrolment.user, Action.COURSE_CHECK_SUBMITTED, module=module.id, attempt=attempt.id, score=attempt.score)
        db.session.commit()
    except IntegrityError:
        # The same attempt was submitted at the same moment (a double click): that one counts.
        db.session.rollback()
        db.session.refresh(attempt)
        if attempt.submitted_at is None:
            raise
        return attempt
    return attempt


def _mark_attempt(
    module: Module, attempt: QuizAttempt, questions: dict[int, Question], in_attempt: list[int], answers: dict[int, set[int]]
) -> None:
    """Mark each answer and score the attempt (not committed); CourseError for answers that do not fit."""
    correct = 0
    for qid in in_attempt:
        question = questions[qid]
        chosen = answers[qid]
        if not chosen <= {o.id for o in question.options}:
            raise CourseError("Some answers are for questions that are not in this attempt")
        if question.kind == Question.SINGLE and len(chosen) != 1:
            raise CourseError("Choose one answer for each single-choice question")
        ok = rules.answer_correct(chosen, question.correct_ids)
        correct += ok
        attempt.answers.append(QuizAnswer(question_id=qid, selected=sorted(chosen), correct=ok))
    attempt.score = rules.score_percent(correct, len(in_attempt))
    attempt.pass_mark = module.pass_mark
    attempt.passed = attempt.score >= module.pass_mark
    attempt.submitted_at = utcnow()


def record_attendance(actor: User, module: Module, enrolments: list[Enrolment], attended_ids: set[int]) -> int:
    """Record who attended a live session (the rest did not); returns completions this made."""
    if module.kind != ModuleKind.LIVE:
        raise CourseError("Attendance is only recorded for live sessions")
    now = utcnow()
    completions = 0
    for enrolment in enrolments:
        row = next((a for a in enrolment.attendance if a.module_id == module.id), None)
        attended = enrolment.id in attended_ids
        if row is None:
            row = Attendance(enrolment=enrolment, module_id=module.id)
            db.session.add(row)
        row.attended = attended
        row.recorded_by_id = actor.id
        row.recorded_at = now
        if attended and recheck_completion(enrolment) is not None:
            completions += 1
    db.session.flush()
    audit(actor, Action.COURSE_ATTENDANCE_RECORDED, module=module.id, attended=len(attended_ids))
    db.session.commit()
    return completions


# --- reports ------------------------------------------------------------------------------------


def cohort_enrolments(cohort: Cohort) -> list[Enrolment]:
    """A cohort's enrolments with everything a report needs, in a fixed number of queries."""
    return list(
        db.session.scalars(
            select(Enrolment)
            .where(Enrolment.cohort_id == cohort.id)
            .order_by(Enrolment.id)
            .options(
                *_enrolment_options(),
                selectinload(Enrolment.user),
                selectinload(Enrolment.attempts).selectinload(QuizAttempt.answers),
            )
        )
    )


@dataclass
class CohortReport:
    """Figures for one cohort."""

    enrolled: int
    waiting: int
    not_started: int
    in_progress: int
    completed: int
    completion_rate: int | None
    median_days: float | None
    #: (module, learners who attempted, learners who passed, pass rate %)
    module_pass_rates: list[tuple[Module, int, int, int | None]]
    #: (question, answers, correct %) hardest first
    hardest: list[tuple[Question, int, int]]
    #: (enrolment, state) per learner
    learners: list[tuple[Enrolment, rules.CourseState]]
    #: Enrolments on the waiting list, in the order people joined it.
    waiting_list: list[Enrolment]


def cohort_report(course: Course, cohort: Cohort) -> CohortReport:
    """Progress, completion, pass rates and hardest questions for a cohort."""
    enrolments = cohort_enrolments(cohort)
    active = [e for e in enrolments if not e.is_waiting]
    learners = [(e, course_state(e, course)) for e in active]
    completed = [e for e in active if e.completed_at]
    not_started = [e for e, s in learners if not e.completed_at and e.started_at is None]
    days = [(e.completed_at - e.enrolled_at).total_seconds() / 86400 for e in completed if e.completed_at]
    checks = [m for m in course.modules if m.is_check]
    pass_rates = []
    for m in checks:
        attempted = passed = 0
        for _, state in learners:
            status = state.statuses.get(m.id)
            if status in (rules.Status.PASSED, rules.Status.FAILED):
                attempted += 1
                passed += status is rules.Status.PASSED
        pass_rates.append((m, attempted, passed, (passed * 100 // attempted) if attempted else None))
    tallies: dict[int, list[int]] = {}
    for e in active:
        for a in e.attempts:
            for answer in a.answers:
                tally = tallies.setdefault(answer.question_id, [0, 0])
                tally[0] += 1
                tally[1] += answer.correct
    questions = {q.id: q for m in checks for q in m.questions}
    hardest = sorted(
        ((questions[qid], n, ok * 100 // n) for qid, (n, ok) in tallies.items() if qid in questions and n),
        key=lambda row: (row[2], -row[1]),
    )[:5]
    return CohortReport(
        enrolled=len(active),
        waiting=len(enrolments) - len(active),
        not_started=len(not_started),
        in_progress=len(active) - len(completed) - len(not_started),
        completed=len(completed),
        completion_rate=(len(completed) * 100 // len(active)) if active else None,
        median_days=rules.median(days),
        module_pass_rates=pass_rates,
        hardest=hardest,
        learners=learners,
        waiting_list=[e for e in enrolments if e.is_waiting],
    )
