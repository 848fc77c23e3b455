"""Fixtures shared by the certificate and eligibility tests: issue certificates through the real service.

Certificates and declarations point at real courses and completions (foreign keys), so the
tests name courses and completions by small numbers of their own ("course 7", "completion 11")
and ``course_for`` / ``completion_for`` make (once per test) the real rows those numbers stand for.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from learnhub.extensions import db

OUTCOMES = ["Plan supervision for a new ARRS practitioner", "Run a safe daily debrief"]


@pytest.fixture
def course_for(app) -> Callable[[int, int], int]:  # type: ignore[no-untyped-def]
    """course_for(hub_id, key): the id of a real course of the hub standing for a test's course number.

    ``course_for.use(hub_id, key, course_id)`` makes the number stand for an existing course.
    """
    from learnhub.courses.models import Cohort, Course

    made: dict[tuple[int, int], int] = {}

    def factory(hub_id: int, key: int) -> int:
        if (hub_id, key) not in made:
            with app.app_context():
                course = Course(
                    hub_id=hub_id, title=f"Course {key}", summary="", audience=[], learning_outcomes="\n".join(OUTCOMES)
                )
                course.cohorts.append(Cohort(name=f"Cohort of course {key}", starts_on=date(2026, 1, 5)))
                db.session.add(course)
                db.session.commit()
                made[(hub_id, key)] = course.id
        return made[(hub_id, key)]

    def use(hub_id: int, key: int, course_id: int) -> None:
        """Let a test's course number stand for a course it made itself."""
        made[(hub_id, key)] = course_id

    factory.use = use  # type: ignore[attr-defined]
    return factory


@pytest.fixture
def completion_for(app) -> Callable[..., int]:  # type: ignore[no-untyped-def]
    """completion_for(user_id, course_id, completed_at=None): a real completion (a new enrolment attempt)."""
    from learnhub.courses.models import Cohort, CourseCompletion, Enrolment

    def factory(user_id: int, course_id: int, completed_at: date | datetime | None = None) -> int:
        with app.app_context():
            cohort_id = db.session.scalar(select(Cohort.id).where(Cohort.course_id == course_id).order_by(Cohort.id))
            attempt = (
                db.session.scalar(
                    select(func.max(Enrolment.attempt)).where(Enrolment.course_id == course_id, Enrolment.user_id == user_id)
                )
                or 0
            ) + 1
            when = completed_at or datetime.now(UTC)
            if not isinstance(when, datetime):
                when = datetime(when.year, when.month, when.day, 12, tzinfo=UTC)
            enrolment = Enrolment(course_id=course_id, cohort_id=cohort_id, user_id=user_id, attempt=attempt, completed_at=when)
            db.session.add(enrolment)
            db.session.flush()
            completion = CourseCompletion(enrolment_id=enrolment.id, course_id=course_id, user_id=user_id, completed_at=when)
            db.session.add(completion)
            db.session.commit()
            return completion.id

    return factory


@pytest.fixture
def declare(app, course_for) -> Callable[..., None]:  # type: ignore[no-untyped-def]
    """Make a course grant an eligibility: declare(hub_id, course_key, type, months=36, window=90)."""
    from learnhub.eligibility.models import EligibilityDeclaration

    def factory(hub_id: int, course_key: int, kind: str, months: int = 36, window: int = 90) -> None:
        course_id = course_for(hub_id, course_key)
        with app.app_context():
            db.session.add(
                EligibilityDeclaration(
                    course_id=course_id, hub_id=hub_id, eligibility_type=kind, validity_months=months, renewal_window_days=window
                )
            )
            db.session.commit()

    return factory


@pytest.fixture
def issue(app, course_for, completion_for) -> Callable[..., int]:  # type: ignore[no-untyped-def]
    """Issue a certificate for a user through the service; returns the certificate id.

    ``course_id`` and ``completion_id`` are the test's own numbers (see the module docstring);
    the same completion number always means the same completion.
    """
    from learnhub.accounts.models import User
    from learnhub.certificates.services import issue_certificate
    from learnhub.organisations.models import Hub

    completions: dict[tuple[int, int, int], int] = {}

    def factory(user_id: int, course_id: int = 7, completion_id: int | None = None, **overrides: object) -> int:
        completed_at = overrides.pop("completed_at", date.today())
        with app.app_context():
            hub_id = overrides.pop("hub_id", None) or db.session.get(User, user_id).hub_id
        real_course = course_for(hub_id, course_id)
        key = (user_id, real_course, completion_id if completion_id is not None else 0)
        if key not in completions:
            completions[key] = completion_for(user_id, real_course, completed_at)
        with app.test_request_context():
            user = db.session.get(User, user_id)
            hub = db.session.get(Hub, hub_id)
            cert = issue_certificate(
                user=user,
                hub=hub,
                course_id=real_course,
                completion_id=completions[key],
                course_title=overrides.pop("course_title", "Supervising ARRS roles in primary care"),
                cpd_hours=overrides.pop("cpd_hours", "6.5"),
                outcomes=overrides.pop("outcomes", OUTCOMES),
                completed_at=completed_at,
            )
            db.session.commit()  # services never commit: the request (here, the test) does
            return cert.id

    return factory


def cohort_with_completions(app, hub_id: int, user_ids: list[int], *, also_enrolled: list[int] = ()) -> tuple[int, list[int]]:
    """A course and cohort of the hub; the users completed it (no certificate yet), ``also_enrolled`` did not."""
    from learnhub.courses.models import Cohort, Course, CourseCompletion, Enrolment

    with app.app_context():
        course = Course(
            hub_id=hub_id, title="Supervising ARRS roles", summary="", audience=[], learning_outcomes="Plan supervision"
        )
        cohort = Cohort(course=course, name="Spring 2026", starts_on=date(2026, 3, 2))
        db.session.add_all([course, cohort])
        completions = []
        for user_id in user_ids:
            enrolment = Enrolment(course=course, cohort=cohort, user_id=user_id)
            completion = CourseCompletion(
                enrolment=enrolment, course=course, user_id=user_id, completed_at=datetime(2026, 11, 2, tzinfo=UTC)
            )
            db.session.add_all([enrolment, completion])
            db.session.flush()
            completions.append(completion.id)
        for user_id in also_enrolled:
            db.session.add(Enrolment(course=course, cohort=cohort, user_id=user_id))
        db.session.commit()
        return cohort.id, completions
