"""What every course service shares: errors, Markdown, loading, the rules bridge and completion.

Completion is recorded the moment its conditions are met: every service that can make a
learner's course complete (finishing a module, passing a check, recording attendance,
changing a module's rules) calls :func:`recheck_completion`. Nothing here commits: the request
(or CLI command, or job) commits once (``learnhub.transactions``).
"""

import re
from collections.abc import Iterable

import markdown
import nh3
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from learnhub.accounts.models import User
from learnhub.audit import Action, audit
from learnhub.courses import rules, signals
from learnhub.courses.models import Course, CourseCompletion, Enrolment, Module, Question, QuizAttempt
from learnhub.extensions import db
from learnhub.idempotent import insert_or_get
from learnhub.timeutil import utcnow

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


def enrolment_options():  # type: ignore[no-untyped-def]
    """Loader options for everything the rules need about an enrolment."""
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
        .options(*enrolment_options())
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
            .options(*enrolment_options(), selectinload(Enrolment.course).selectinload(Course.modules))
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
                extra_attempts=p.extra_attempts if p is not None and p.extra_attempts else 0,
            )
        )
    return facts


def module_facts_for(enrolment: Enrolment, module: Module) -> rules.ModuleFacts:
    """Facts for one module."""
    return module_facts(enrolment, [module])[0]


def course_state(enrolment: Enrolment | None, course: Course) -> rules.CourseState:
    """A learner's statuses, progress and what is left on a course."""
    extra = signals.unmet_requirements(enrolment) if enrolment is not None else []
    return rules.course_state(module_facts(enrolment, course.modules), {m.id: m.title for m in course.modules}, extra)


# --- completion ---------------------------------------------------------------------------------


def recheck_completion(enrolment: Enrolment) -> CourseCompletion | None:
    """Record completion now if every condition is met; returns the completion in force or None.

    The completion row is inserted idempotently (one per enrolment), so requests racing to
    record it (ten clicks on "Mark as complete") all get the same row, and only the one that
    created it sends ``course_completed`` and writes the audit entry. A withdrawn completion
    comes back into force (with today's date) when the course is complete again.
    """
    existing = enrolment.completion
    if existing is not None and existing.in_force:
        return existing
    if existing is not None and existing.withdrawn_by_id is not None:
        return None  # withdrawn by an administrator: only recording it again brings it back
    if enrolment.is_waiting:
        return None
    db.session.flush()
    course = enrolment.course
    state = course_state(enrolment, course)
    if not state.complete:
        return None
    now = utcnow()
    if existing is not None:  # withdrawn earlier: in force again
        existing.withdrawn_at = None
        existing.withdrawn_reason = None
        existing.completed_at = now
        completion = existing
    else:
        completion, created = insert_or_get(
            CourseCompletion,
            key={"enrolment_id": enrolment.id},
            values={"course_id": course.id, "user_id": enrolment.user_id, "completed_at": now, "cpd_hours": course.cpd_hours},
        )
        db.session.refresh(enrolment, ["completion"])
        if not created:
            db.session.refresh(enrolment, ["completed_at"])
            return completion
    enrolment.completed_at = completion.completed_at
    db.session.flush()
    signals.course_completed.send(completion)
    audit(enrolment.user, Action.COURSE_COMPLETED, course=course.id, enrolment=enrolment.id)
    return completion


def withdraw_completion(actor: User, enrolment: Enrolment, reason: str) -> bool:
    """Withdraw a completion that no longer stands (the course is no longer complete); True if withdrawn.

    A completion an administrator recorded by hand is left alone (it never rested on the modules).

    ``completion_withdrawn`` is sent first, so the certificate can be revoked in the same
    transaction; the completion row is kept with when and why.
    """
    completion = enrolment.completion
    if completion is None or not completion.in_force or completion.by_hand:
        return False  # a completion recorded by hand does not rest on the course's modules
    db.session.flush()
    if course_state(enrolment, enrolment.course).complete:
        return False
    signals.completion_withdrawn.send(completion, reason=reason, actor=actor)
    completion.withdrawn_at = utcnow()
    completion.withdrawn_reason = reason
    enrolment.completed_at = None
    db.session.flush()
    audit(actor, Action.COURSE_COMPLETION_WITHDRAWN, course=enrolment.course_id, enrolment=enrolment.id, reason=reason)
    return True


def recheck_course(course: Course) -> int:
    """Re-check every open enrolment on a course (after its rules changed); returns completions made."""
    enrolments = db.session.scalars(
        select(Enrolment)
        .where(Enrolment.course_id == course.id, Enrolment.completed_at.is_(None), Enrolment.status == Enrolment.ENROLLED)
        .options(*enrolment_options())
    ).all()
    return sum(1 for e in enrolments if recheck_completion(e) is not None)
