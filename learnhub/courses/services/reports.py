"""Cohort reports: progress, completion, pass rates and the hardest questions. Read-only."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from learnhub.courses import rules
from learnhub.courses.models import Cohort, Course, Enrolment, Module, Question, QuizAttempt
from learnhub.courses.services.common import course_state, enrolment_options
from learnhub.extensions import db


def cohort_enrolments(cohort: Cohort) -> list[Enrolment]:
    """A cohort's enrolments with everything a report needs, in a fixed number of queries."""
    return list(
        db.session.scalars(
            select(Enrolment)
            .where(Enrolment.cohort_id == cohort.id)
            .order_by(Enrolment.id)
            .options(
                *enrolment_options(),
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
    # A re-take in the same cohort is a second enrolment of the same person: rates count people.
    people = {e.user_id for e in active}
    people_completed = {e.user_id for e in completed}
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
        completion_rate=(len(people_completed) * 100 // len(people)) if people else None,
        median_days=rules.median(days),
        module_pass_rates=pass_rates,
        hardest=hardest,
        learners=learners,
        waiting_list=[e for e in enrolments if e.is_waiting],
    )
