"""A hub's second year: re-takes (renewal), corrections to attendance and attempts, previews."""

from datetime import date, timedelta

from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.audit import AuditEvent
from learnhub.courses import services, signals
from learnhub.courses.models import Cohort, Course, CourseCompletion, Enrolment, Module, QuizAttempt
from learnhub.extensions import db
from learnhub.timeutil import utcnow
from tests.helpers import assert_redirect


def _complete(app, ids, user_id=None):
    """Take the learner through the whole course with the real services; returns the enrolment id."""
    with app.app_context():
        course = services.load_course(ids.course, questions=True)
        modules = {m.id: m for m in course.modules}
        user = db.session.get(User, user_id or ids.learner)
        enrolment = services.enrol(user, db.session.get(Cohort, ids.cohort), user).enrolment
        services.complete_module(enrolment, modules[ids.reading])
        attempt = services.start_attempt(enrolment, modules[ids.check])
        services.submit_attempt(enrolment, modules[ids.check], attempt, ids.right)
        services.record_attendance(db.session.get(User, ids.admin), modules[ids.live], [enrolment], {enrolment.id})
        db.session.commit()
        assert enrolment.completed_at is not None
        return enrolment.id


def _answers(chosen):
    return {f"q{q}": [str(o) for o in options] for q, options in chosen.items()}


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- renewal: a completed learner re-takes the course ---------------------------------------------


def test_completed_learner_is_offered_every_open_cohort_for_a_retake(client, auth, app, hub_setup):
    ids = hub_setup
    _complete(app, ids)
    with app.app_context():
        db.session.get(Cohort, ids.cohort).self_enrolment_open = False  # her cohort has closed
        course = db.session.get(Course, ids.course)
        db.session.add(Cohort(course=course, name="Autumn 2027", starts_on=date(2027, 9, 1)))
        db.session.commit()
        autumn = db.session.scalar(select(Cohort.id).where(Cohort.name == "Autumn 2027"))
    auth.login_as(ids.learner)
    page = client.get(f"/courses/{ids.course}").get_data(as_text=True)
    assert "Course completed" in page
    assert "Your progress" not in page  # no "0%" beside "Course completed"
    assert "Not started" not in page
    assert "View your certificate" in page
    assert "Taking the course again is a re-take (re-take 2)" in page  # explained before starting
    assert "Re-take the course in Autumn 2027" in page

    response = client.post(f"/courses/{ids.course}/cohorts/{autumn}/enrol")
    assert_redirect(response)
    page = client.get(f"/courses/{ids.course}").get_data(as_text=True)
    assert "re-take 2" in page
    assert "Start the course" in page
    assert "Re-take 2" in client.get("/my-learning").get_data(as_text=True)
    with app.app_context():
        attempts = db.session.scalars(select(Enrolment.attempt).order_by(Enrolment.attempt)).all()
        assert attempts == [1, 2]
        assert _count(CourseCompletion) == 1  # the first completion stays in the record


def test_with_no_open_cohort_the_learner_is_told_whom_to_ask(client, auth, app, hub_setup):
    ids = hub_setup
    _complete(app, ids)
    with app.app_context():
        db.session.get(Cohort, ids.cohort).self_enrolment_open = False
        db.session.commit()
        admin_email = db.session.get(User, ids.admin).email
    auth.login_as(ids.learner)
    page = client.get(f"/courses/{ids.course}").get_data(as_text=True)
    assert "Ask your training hub to enrol you" in page
    assert f"mailto:{admin_email}" in page


def test_demo_holder_due_for_renewal_sees_her_completion_and_the_open_cohort(client, auth, app_ctx):
    from learnhub.demo import DemoContext, run_steps

    run_steps(DemoContext(password="demo-password-for-tests-1"))
    okoye = db.session.scalar(select(User).where(User.email == "dr.okoye@example.org"))
    course_id = db.session.scalar(select(Course.id))
    db.session.remove()
    auth.login_as(okoye.id)
    page = client.get(f"/courses/{course_id}").get_data(as_text=True)
    assert "Course completed" in page
    assert "Your progress" not in page
    assert "Re-take the course in Autumn 2026" in page


def test_retakes_are_labelled_and_completion_rate_counts_people(client, auth, app, hub_setup):
    ids = hub_setup
    _complete(app, ids)
    with app.app_context():
        user = db.session.get(User, ids.learner)
        services.enrol(user, db.session.get(Cohort, ids.cohort), user)  # re-take in the same cohort
        db.session.commit()
    auth.login_as(ids.admin)
    page = client.get(f"/hub/courses/{ids.course}/cohorts/{ids.cohort}").get_data(as_text=True)
    assert "(re-take 2)" in page
    assert "100%" in page  # one person, who completed: not 1 of 2 enrolments
    page = client.get(f"/hub/courses/{ids.course}/cohorts/{ids.cohort}/attendance/{ids.live}").get_data(as_text=True)
    assert "(re-take 2)" in page


# --- attendance corrections -------------------------------------------------------------------------


def test_attendance_cannot_be_recorded_before_the_session_starts(client, auth, app, hub_setup):
    ids = hub_setup
    with app.app_context():
        db.session.get(Module, ids.live).starts_at = utcnow() + timedelta(days=1)
        user = db.session.get(User, ids.learner)
        enrolment_id = services.enrol(user, db.session.get(Cohort, ids.cohort), user).enrolment.id
        db.session.commit()
    auth.login_as(ids.facilitator)
    url = f"/hub/courses/{ids.course}/cohorts/{ids.cohort}/attendance/{ids.live}"
    page = client.get(url).get_data(as_text=True)
    assert "This session has not started yet" in page
    assert "Save attendance" not in page
    response = client.post(url, data={"attended": str(enrolment_id)})
    assert response.headers["Location"].endswith(url)
    assert "Attendance can be recorded from the start of the session" in client.get(url).get_data(as_text=True)
    with app.app_context():
        from learnhub.courses.models import Attendance

        assert _count(Attendance) == 0


def test_removing_the_attendance_that_completed_a_course_withdraws_the_completion(client, auth, app, hub_setup):
    ids = hub_setup
    enrolment_id = _complete(app, ids)
    withdrawn, completed = [], []

    def on_withdrawn(completion, reason, actor, **_):
        withdrawn.append((completion.enrolment_id, reason))

    def on_completed(completion, **_):
        completed.append(completion.enrolment_id)

    auth.login_as(ids.facilitator)
    url = f"/hub/courses/{ids.course}/cohorts/{ids.cohort}/attendance/{ids.live}"
    with signals.completion_withdrawn.connected_to(on_withdrawn), signals.course_completed.connected_to(on_completed):
        client.post(url, data={})  # nobody attended after all
        page = client.get(url).get_data(as_text=True)
        assert "their completion is withdrawn" in page
        assert withdrawn == [(enrolment_id, "Attendance at Live workshop was removed")]
        with app.app_context():
            enrolment = db.session.get(Enrolment, enrolment_id)
            assert enrolment.completed_at is None
            assert enrolment.completion.withdrawn_at is not None
            assert _count(AuditEvent, AuditEvent.action == "course.completion_withdrawn") == 1
        auth.login_as(ids.learner)
        assert "Course completed" not in client.get(f"/courses/{ids.course}").get_data(as_text=True)

        # Ticked again: the completion is back in force, the certificate feature told again.
        auth.login_as(ids.facilitator)
        client.post(url, data={"attended": str(enrolment_id)})
        assert "1 learners have now completed the course" in client.get(url).get_data(as_text=True)
    assert completed == [enrolment_id]
    with app.app_context():
        assert db.session.get(Enrolment, enrolment_id).completion.in_force
        assert _count(CourseCompletion) == 1


def test_saving_attendance_again_reports_no_new_completions(client, auth, app, hub_setup):
    ids = hub_setup
    enrolment_id = _complete(app, ids)
    auth.login_as(ids.facilitator)
    url = f"/hub/courses/{ids.course}/cohorts/{ids.cohort}/attendance/{ids.live}"
    client.post(url, data={"attended": str(enrolment_id)})
    page = client.get(url).get_data(as_text=True)
    assert "Attendance has been saved." in page
    assert "have now completed" not in page


# --- attempts ---------------------------------------------------------------------------------------


def test_admin_allows_another_attempt_to_a_learner_out_of_attempts(client, auth, app, make_hub, make_user, make_course):
    from learnhub.roles import HubRole

    hub = make_hub()
    ids = make_course(hub, attempts_allowed=1)
    admin = make_user(hub_id=hub, hub_role=HubRole.HUB_ADMIN.value)
    learner = make_user(hub_id=hub)
    with app.app_context():
        user = db.session.get(User, learner)
        enrolment = services.enrol(user, db.session.get(Cohort, ids.cohort), user).enrolment
        check = db.session.get(Module, ids.check)
        attempt = services.start_attempt(enrolment, check)
        services.submit_attempt(enrolment, check, attempt, ids.wrong)
        db.session.commit()
        enrolment_id, attempt_id = enrolment.id, attempt.id
    auth.login_as(learner)
    assert "Contact your training hub" in client.get(
        f"/courses/{ids.course}/modules/{ids.check}/check/attempts/{attempt_id}"
    ).get_data(as_text=True)

    auth.login_as(admin)
    learner_page = f"/hub/courses/{ids.course}/cohorts/{ids.cohort}/learners/{enrolment_id}"
    assert "Allow another attempt" in client.get(learner_page).get_data(as_text=True)
    response = client.post(f"{learner_page}/modules/{ids.check}/another-attempt")
    assert response.headers["Location"].endswith(learner_page)
    assert "can try Check your understanding again. Attempts left: 1" in client.get(learner_page).get_data(as_text=True)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "course.extra_attempt"))
        assert event.details["enrolment"] == enrolment_id

    auth.login_as(learner)
    response = client.post(f"/courses/{ids.course}/modules/{ids.check}/check/start")
    assert_redirect(response)
    with app.app_context():
        assert _count(QuizAttempt) == 2
        second_id = db.session.scalar(select(QuizAttempt.id).where(QuizAttempt.number == 2))
    client.post(f"/courses/{ids.course}/modules/{ids.check}/check/attempts/{second_id}", data=_answers(ids.wrong))

    # Reset: the full allowance again, both past attempts kept in the record.
    auth.login_as(admin)
    assert "Reset attempts" in client.get(learner_page).get_data(as_text=True)
    response = client.post(f"{learner_page}/modules/{ids.check}/reset-attempts")
    assert response.headers["Location"].endswith(learner_page)
    assert "Attempts left: 1" in client.get(learner_page).get_data(as_text=True)
    with app.app_context():
        assert _count(AuditEvent, AuditEvent.action == "course.attempts_reset") == 1
        assert _count(QuizAttempt) == 2


# --- authors -------------------------------------------------------------------------------------------


def test_author_previews_a_module_of_a_draft_course(client, auth, app, make_hub, make_user, make_course):
    from learnhub.roles import HubRole

    hub = make_hub()
    ids = make_course(hub, published=False)
    admin = make_user(hub_id=hub, hub_role=HubRole.HUB_ADMIN.value)
    learner = make_user(hub_id=hub)
    auth.login_as(admin)
    assert "Preview" in client.get(f"/hub/courses/{ids.course}").get_data(as_text=True)
    page = client.get(f"/hub/courses/{ids.course}/modules/{ids.reading}/preview").get_data(as_text=True)
    assert "<strong>patients</strong>" in page
    assert "The course is a draft" in page
    page = client.get(f"/hub/courses/{ids.course}/modules/{ids.check}/preview").get_data(as_text=True)
    assert "Who can provide group supervision?" in page
    auth.login_as(learner)
    assert client.get(f"/hub/courses/{ids.course}/modules/{ids.reading}/preview").status_code == 403
    assert client.get(f"/courses/{ids.course}/modules/{ids.reading}").status_code == 404


# --- certificate links ------------------------------------------------------------------------------


def test_completed_course_my_learning_and_result_link_to_the_certificate(client, auth, app, hub_setup):
    ids = hub_setup
    _complete(app, ids)
    auth.login_as(ids.learner)
    for url in (f"/courses/{ids.course}", "/my-learning"):
        assert 'href="/certificates"' in client.get(url).get_data(as_text=True)
    with app.app_context():
        attempt_id = db.session.scalar(select(QuizAttempt.id))
    # The check was the second-last step; its result page shows completion once the course is done.
    page = client.get(f"/courses/{ids.course}/modules/{ids.check}/check/attempts/{attempt_id}").get_data(as_text=True)
    assert "View your certificate" in page


def test_cpd_hours_are_written_one_way(client, auth, app, hub_setup):
    ids = hub_setup
    with app.app_context():
        db.session.get(Course, ids.course).cpd_hours = 6
        db.session.commit()
    auth.login_as(ids.admin)
    for url in (f"/courses/{ids.course}", "/courses", f"/hub/courses/{ids.course}"):
        page = client.get(url).get_data(as_text=True)
        assert "6 CPD hours" in page
        assert "6.0" not in page
    assert 'value="6"' in client.get(f"/hub/courses/{ids.course}/edit").get_data(as_text=True)
