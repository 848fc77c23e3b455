"""Identical course requests fired at the same moment (double clicks, impatient learners).

Each test serves the app on a loopback port in a threaded server and fires real concurrent
HTTP requests from a thread pool, on SQLite and PostgreSQL alike: no 500, no duplicate row,
and a cohort never gives more places than it has.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

from learnhub.accounts.models import User
from learnhub.audit import AuditEvent
from learnhub.courses import services
from learnhub.courses.models import (
    Cohort,
    Course,
    CourseCompletion,
    Enrolment,
    Module,
    ModuleKind,
    ModuleProgress,
    QuizAnswer,
    QuizAttempt,
)
from learnhub.extensions import db
from tests.conftest import AuthActions


@pytest.fixture
def live(make_app):  # type: ignore[no-untyped-def]
    """A threaded server on a free loopback port; yields its base URL."""
    served = make_app(SERVER_NAME=None)
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def _cookie(app, user_id: int) -> str:  # type: ignore[no-untyped-def]
    """A signed-in session cookie for the user (signed with the suite's secret key)."""
    client = app.test_client()
    AuthActions(client, app).login_as(user_id)
    return client.get_cookie("session").value


def _fire(url: str, cookies: list[str], data: dict | None = None) -> list[int]:
    """POST to ``url`` (with ``data``) once per cookie, all at once; the status codes (redirects not followed)."""
    barrier = threading.Barrier(len(cookies))

    def post(cookie: str) -> int:
        with requests.Session() as session:
            session.cookies.set("session", cookie)
            barrier.wait()
            return session.post(url, data=data, allow_redirects=False, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=len(cookies)) as pool:
        return list(pool.map(post, cookies))


def _one_reading_course(hub: int, *, capacity: int | None = None) -> tuple[int, int, int]:
    course = Course(hub_id=hub, title="Induction", cpd_hours=Decimal("1.0"), published=True)
    module = Module(course=course, position=1, title="Read this", kind=ModuleKind.CONTENT, body_html="<p>Hi</p>")
    cohort = Cohort(course=course, name="Open cohort", starts_on=date(2026, 1, 1), capacity=capacity)
    db.session.add(course)
    db.session.commit()
    return course.id, module.id, cohort.id


def test_ten_clicks_completing_the_last_module_make_one_completion(app, make_hub, make_user, live):
    hub = make_hub()
    learner = make_user(hub_id=hub)
    with app.app_context():
        course_id, module_id, cohort_id = _one_reading_course(hub)
        user = db.session.get(User, learner)
        services.enrol(user, db.session.get(Cohort, cohort_id), user)
        db.session.commit()
    cookie = _cookie(app, learner)

    statuses = _fire(f"{live}/courses/{course_id}/modules/{module_id}/complete", [cookie] * 10)

    assert statuses == [302] * 10
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CourseCompletion)) == 1
        assert db.session.scalar(select(func.count()).select_from(ModuleProgress)) == 1
        completed = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "course.completed")
        assert db.session.scalar(completed) == 1
        assert db.session.scalar(select(Enrolment.completed_at)) is not None


def test_eight_learners_enrolling_at_once_in_a_one_place_cohort_take_one_place(app, make_hub, make_user, live):
    hub = make_hub()
    learners = [make_user(hub_id=hub) for _ in range(8)]
    with app.app_context():
        course_id, _, cohort_id = _one_reading_course(hub, capacity=1)
    cookies = [_cookie(app, uid) for uid in learners]

    statuses = _fire(f"{live}/courses/{course_id}/cohorts/{cohort_id}/enrol", cookies)

    assert statuses == [302] * 8
    with app.app_context():
        rows = db.session.execute(select(Enrolment.status, func.count()).group_by(Enrolment.status)).all()
        assert dict(rows) == {Enrolment.ENROLLED: 1, Enrolment.WAITING: 7}


def test_ten_clicks_on_enrol_make_one_enrolment(app, make_hub, make_user, live):
    hub = make_hub()
    learner = make_user(hub_id=hub)
    with app.app_context():
        course_id, _, cohort_id = _one_reading_course(hub, capacity=5)
    cookie = _cookie(app, learner)

    statuses = _fire(f"{live}/courses/{course_id}/cohorts/{cohort_id}/enrol", [cookie] * 10)

    assert statuses == [302] * 10
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 1
        enrolled = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "course.enrolled")
        assert db.session.scalar(enrolled) == 1


def test_ten_clicks_on_start_and_on_submit_make_one_attempt_marked_once(app, hub_setup, live):
    ids = hub_setup
    with app.app_context():
        user = db.session.get(User, ids.learner)
        services.enrol(user, db.session.get(Cohort, ids.cohort), user)
        db.session.commit()
    cookie = _cookie(app, ids.learner)
    base = f"{live}/courses/{ids.course}/modules/{ids.check}/check"

    assert _fire(f"{base}/start", [cookie] * 10) == [302] * 10
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1
        attempt_id = db.session.scalar(select(QuizAttempt.id))

    answers = {f"q{q}": [str(o) for o in options] for q, options in ids.right.items()}
    assert _fire(f"{base}/attempts/{attempt_id}", [cookie] * 10, answers) == [302] * 10
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAnswer)) == 2
        submitted = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "course.check_submitted")
        assert db.session.scalar(submitted) == 1
        assert db.session.get(QuizAttempt, attempt_id).passed
