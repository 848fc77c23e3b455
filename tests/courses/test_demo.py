"""The demo course and learners from ``seed-demo``."""

from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.courses import services, signals
from learnhub.courses.models import Course, CourseCompletion, Enrolment
from learnhub.demo import DemoContext, run_steps
from learnhub.extensions import db


def test_seed_demo_builds_the_course_and_learners_once(app_ctx):
    fired = []

    def callback(completion, **_):
        fired.append(completion.user.email)

    with signals.course_completed.connected_to(callback):
        run_steps(DemoContext(password="demo-password-for-tests-1"))
        run_steps(DemoContext(password="demo-password-for-tests-1"))
    assert fired == ["gp.learner@example.org"]
    course = db.session.scalar(select(Course))
    assert course.title == "Supervising ARRS roles in primary care"
    assert course.published
    assert db.session.scalar(select(func.count()).select_from(Course)) == 1
    course = services.load_course(course.id, questions=True)
    checks = [m for m in course.modules if m.is_check]
    assert len(checks) == 6
    assert all(3 <= len(m.questions) <= 5 for m in checks)
    assert all(q.correct_ids for m in checks for q in m.questions)
    assert sum(m.is_live for m in course.modules) == 1
    assert course.outcomes
    assert course.cpd_hours > 0

    def state(email):
        user = db.session.scalar(select(User).where(User.email == email))
        return services.course_state(services.current_enrolment(course.id, user.id), course)

    assert state("gp.new@example.org").percent == 0
    assert state("gp.new@example.org").statuses[checks[0].id] == "not started"
    halfway = state("gp.halfway@example.org")
    assert halfway.percent == 42
    assert halfway.statuses[checks[3].id] == "in progress"
    assert state("gp.learner@example.org").complete
    # Three learners in this year's cohort, and four earlier holders of the supervisor register
    # (learnhub.certificates.demo), each with one completion.
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 3 + 4
    assert db.session.scalar(select(func.count()).select_from(CourseCompletion)) == 1 + 4
