"""Course fixtures: a small published course with a reading, a knowledge check and a live session."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from learnhub.courses.models import Cohort, Course, Module, ModuleKind, Option, Question
from learnhub.courses.services import render_markdown
from learnhub.extensions import db
from learnhub.roles import HubRole


@pytest.fixture
def make_course(app):
    """Create a course in a hub; returns a namespace of ids (course, reading, check, live, cohort, questions)."""

    def factory(hub_id: int, *, published: bool = True, capacity: int | None = None, attempts_allowed=None, pass_mark=100):
        with app.app_context():
            course = Course(
                hub_id=hub_id,
                title="Supervising ARRS roles",
                summary="How to supervise",
                audience=["gp"],
                cpd_hours=Decimal("3.5"),
                learning_outcomes="Know the types\nAdapt your style",
                published=published,
            )
            reading = Module(
                course=course,
                position=1,
                title="Why supervision matters",
                kind=ModuleKind.CONTENT,
                body_markdown="Supervision keeps **patients** safe.",
                body_html=render_markdown("Supervision keeps **patients** safe."),
            )
            check = Module(
                course=course,
                position=2,
                title="Check your understanding",
                kind=ModuleKind.CHECK,
                pass_mark=pass_mark,
                attempts_allowed=attempts_allowed,
            )
            q1 = Question(
                module=check,
                position=1,
                text="Who can provide group supervision?",
                kind="single",
                explanation="Any trained facilitator.",
            )
            q1.options = [
                Option(position=1, text="Only GPs", correct=False),
                Option(position=2, text="A trained facilitator", correct=True),
            ]
            q2 = Question(module=check, position=2, text="Which are types of supervision?", kind="multiple", explanation="Both.")
            q2.options = [
                Option(position=1, text="Clinical", correct=True),
                Option(position=2, text="CPD", correct=True),
                Option(position=3, text="Disciplinary", correct=False),
            ]
            live = Module(course=course, position=3, title="Live workshop", kind=ModuleKind.LIVE, location="Online")
            cohort = Cohort(course=course, name="Spring cohort", starts_on=date(2027, 3, 1), capacity=capacity)
            db.session.add(course)
            db.session.commit()
            return SimpleNamespace(
                course=course.id,
                reading=reading.id,
                check=check.id,
                live=live.id,
                cohort=cohort.id,
                q1=q1.id,
                q2=q2.id,
                right={q1.id: {q1.options[1].id}, q2.id: {q2.options[0].id, q2.options[1].id}},
                wrong={q1.id: {q1.options[0].id}, q2.id: {q2.options[0].id}},
            )

    return factory


@pytest.fixture
def hub_setup(make_hub, make_user, make_course):
    """A hub with an administrator, a facilitator, a learner and a published course."""
    hub = make_hub()
    ids = make_course(hub)
    ids.hub = hub
    ids.admin = make_user(hub_id=hub, hub_role=HubRole.HUB_ADMIN.value)
    ids.facilitator = make_user(hub_id=hub, hub_role=HubRole.FACILITATOR.value)
    ids.learner = make_user(hub_id=hub)
    return ids
