"""Demo step: the published course "Supervising ARRS roles in primary care", a cohort and learners.

Learners go through the real service functions, so the completion of gp.learner@example.org is
recorded (and any completion callbacks, such as certificates, run) exactly as in real use.
Idempotent: nothing is duplicated on a second run.
"""

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from learnhub import transactions
from learnhub.accounts.models import User
from learnhub.courses import demo_content as content
from learnhub.courses import rules, services
from learnhub.courses.models import Cohort, Course, Module, ModuleKind, Option, Question
from learnhub.extensions import db
from learnhub.organisations.demo import HUB_NAME
from learnhub.organisations.models import Hub

COHORT_NAME = "Autumn 2026"


def _build_course(hub: Hub) -> Course:
    course = Course(
        hub_id=hub.id,
        title=content.TITLE,
        summary=content.SUMMARY,
        audience=content.AUDIENCE,
        cpd_hours=Decimal(content.CPD_HOURS),
        learning_outcomes=content.OUTCOMES,
        published=True,
    )
    for position, spec in enumerate(content.MODULES, start=1):
        module = Module(
            course=course,
            position=position,
            title=spec["title"],
            kind=ModuleKind.CHECK,
            body_markdown=spec["body"],
            body_html=services.render_markdown(spec["body"]),
            pass_mark=75,
        )
        for q_position, (text, kind, explanation, options) in enumerate(spec["questions"], start=1):
            question = Question(module=module, position=q_position, text=text, kind=kind, explanation=explanation)
            question.options = [Option(position=i, text=t, correct=ok) for i, (t, ok) in enumerate(options, start=1)]
    live = content.LIVE_SESSION
    Module(
        course=course,
        position=len(content.MODULES) + 1,
        title=live["title"],
        kind=ModuleKind.LIVE,
        body_markdown=live["body"],
        body_html=services.render_markdown(live["body"]),
        # A week ago, whenever the demo is seeded: attendance is recorded only from a session's
        # start, and the demo's completed learner attended it.
        starts_at=datetime.combine(date.today() - timedelta(days=7), time(13, 0), tzinfo=UTC),
        duration_minutes=live["duration_minutes"],
        location=live["location"],
        capacity=30,
    )
    Cohort(course=course, name=COHORT_NAME, starts_on=date(2026, 10, 1), ends_on=date(2027, 1, 31), capacity=20)
    db.session.add(course)
    db.session.commit()
    return course


def _pass(enrolment, module: Module, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    facts = services.module_facts_for(enrolment, module)
    if rules.module_status(facts) is rules.Status.PASSED:
        return
    services.open_module(enrolment, module)
    attempt = services.start_attempt(enrolment, module, rng)
    answers = {q.id: q.correct_ids for q in module.questions}
    services.submit_attempt(enrolment, module, attempt, answers)


def seed(ctx) -> None:  # type: ignore[no-untyped-def]
    """Create the demo course, its cohort and three learners at different stages."""
    hub = db.session.scalar(select(Hub).where(Hub.name == HUB_NAME))
    if hub is None:
        return
    course = db.session.scalar(select(Course).where(Course.hub_id == hub.id, Course.title == content.TITLE))
    if course is None:
        course = _build_course(hub)
    course = services.load_course(course.id, questions=True)
    cohort = next((c for c in course.cohorts if c.name == COHORT_NAME), None) or course.cohorts[0]
    admin = db.session.scalar(select(User).where(User.email == "hub.admin@example.org"))
    checks = [m for m in course.modules if m.is_check]
    rng = random.Random(2026)

    def learner(email: str):  # type: ignore[no-untyped-def]
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            return None
        # An existing enrolment (even a completed one) is kept as it is: no re-take on a second run.
        return services.current_enrolment(course.id, user.id) or services.enrol(admin or user, cohort, user).enrolment

    learner("gp.new@example.org")

    halfway = learner("gp.halfway@example.org")
    if halfway is not None and halfway.completed_at is None:
        for module in checks[:3]:
            _pass(halfway, module, rng)
        services.open_module(halfway, checks[3])

    learner("gp.learner@example.org")
    transactions.commit()
    ctx.objects["course"] = course
    ctx.notes.append(f"Course: {course.title} ({len(course.modules)} modules, cohort {cohort.name})")


def seed_completions(ctx) -> None:  # type: ignore[no-untyped-def]
    """Complete the course for gp.learner@example.org through the real services.

    A separate step, run after the certificates step has declared the eligibility the course
    grants, so the completion callback issues a certificate with that eligibility.
    """
    course = ctx.objects.get("course")
    if course is None:
        return
    course = services.load_course(course.id, questions=True)
    admin = db.session.scalar(select(User).where(User.email == "hub.admin@example.org"))
    user = db.session.scalar(select(User).where(User.email == "gp.learner@example.org"))
    done = services.current_enrolment(course.id, user.id) if user else None
    if done is None or done.completed_at is not None:
        return
    rng = random.Random(2027)
    for module in (m for m in course.modules if m.is_check):
        _pass(done, module, rng)
    live = next(m for m in course.modules if m.is_live)
    services.record_attendance(admin or done.user, live, [done], {done.id})
    transactions.commit()
