"""Across features: completing a course issues a certificate and eligibility at once, and a
course that requires its post-course survey waits for it."""

import random

from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.certificates.models import Certificate
from learnhub.courses import services as courses
from learnhub.courses.models import Cohort, Course, CourseCompletion, Module
from learnhub.demo import DemoContext, run_steps
from learnhub.eligibility.models import EligibilityRecord
from learnhub.evaluation import services as evaluation
from learnhub.evaluation.models import AGREEMENT, MULTIPLE, RATING, SINGLE, Attachment
from learnhub.extensions import db


def _finish_course(ids, user):  # type: ignore[no-untyped-def]
    """Do everything the course asks: read, pass the check, attend the live session."""
    cohort = db.session.get(Cohort, ids.cohort)
    enrolment = courses.enrol(user, cohort, user).enrolment
    course = courses.load_course(ids.course, questions=True)
    reading, check, live = (db.session.get(Module, i) for i in (ids.reading, ids.check, ids.live))
    courses.open_module(enrolment, reading)
    courses.complete_module(enrolment, reading)
    attempt = courses.start_attempt(enrolment, check, random.Random(1))
    courses.submit_attempt(enrolment, check, attempt, ids.right)
    courses.record_attendance(user, live, [enrolment], {enrolment.id})
    db.session.commit()
    return courses.current_enrolment(course.id, user.id)


def test_completion_issues_certificate_with_eligibility(app, make_user, make_hub, make_course, declare, course_for):
    hub_id = make_hub()
    ids = make_course(hub_id)
    course_for.use(hub_id, ids.course, ids.course)  # declare on this real course
    declare(hub_id, ids.course, "arrs_clinical_supervisor")
    user_id = make_user(hub_id=hub_id, professional_role="gp", name="Dr Siân Jones")
    with app.test_request_context():
        enrolment = _finish_course(ids, db.session.get(User, user_id))
        assert enrolment.completed_at is not None
        completion = db.session.scalar(select(CourseCompletion).where(CourseCompletion.user_id == user_id))
        cert = db.session.scalar(select(Certificate).where(Certificate.user_id == user_id))
        assert cert is not None
        assert (cert.course_id, cert.completion_id, cert.holder_name) == (ids.course, completion.id, "Dr Siân Jones")
        assert cert.course_title == "Supervising ARRS roles"
        assert cert.outcomes == ["Know the types", "Adapt your style"]
        assert cert.pdf.startswith(b"%PDF")
        record = db.session.scalar(select(EligibilityRecord).where(EligibilityRecord.user_id == user_id))
        assert record.eligibility_type == "arrs_clinical_supervisor"


def test_required_post_survey_holds_completion_until_submitted(app, make_user, make_hub, make_course, make_survey):
    hub_id = make_hub()
    ids = make_course(hub_id)
    survey = make_survey(hub_id, course_id=ids.course)
    user_id = make_user(hub_id=hub_id)
    with app.test_request_context():
        course = db.session.get(Course, ids.course)
        course.requires_post_survey = True
        db.session.commit()
        user = db.session.get(User, user_id)
        enrolment = _finish_course(ids, user)
        assert enrolment.completed_at is None
        state = courses.course_state(enrolment, courses.load_course(ids.course, questions=True))
        assert any("Course survey" in message for message in state.outstanding)
        assert db.session.scalar(select(Certificate).where(Certificate.user_id == user_id)) is None

        # the learner is invited because they are enrolled on the course
        attachment = db.session.get(Attachment, survey["attachment_id"])
        assert user_id in evaluation.invited(attachment)
        items = evaluation.asked_items(attachment, "post")
        answers = {item.id: _an_answer(item) for item in items if item.required}
        evaluation.save_response(user, attachment, "post", answers, submit=True)
        db.session.commit()

        enrolment = courses.current_enrolment(ids.course, user_id)
        assert enrolment.completed_at is not None
        assert db.session.scalar(select(Certificate).where(Certificate.user_id == user_id)) is not None


def _an_answer(item):  # type: ignore[no-untyped-def]
    """A valid answer for any kind of item (choices are 1-based option numbers)."""
    return {AGREEMENT: 4, RATING: 8, SINGLE: 1, MULTIPLE: [1]}.get(item.kind, "Helpful")


def test_demo_gp_learner_holds_a_certificate_from_the_real_course(app_ctx):
    run_steps(DemoContext(password="demo-password-for-tests-1"))
    run_steps(DemoContext(password="demo-password-for-tests-1"))
    user = db.session.scalar(select(User).where(User.email == "gp.learner@example.org"))
    course = db.session.scalar(select(Course).where(Course.title == "Supervising ARRS roles in primary care"))
    certs = db.session.scalars(select(Certificate).where(Certificate.user_id == user.id)).all()
    assert len(certs) == 1
    assert certs[0].course_id == course.id
    assert certs[0].status == Certificate.VALID
    types = {
        r.eligibility_type for r in db.session.scalars(select(EligibilityRecord).where(EligibilityRecord.user_id == user.id))
    }
    # The demo course declares every eligibility a GP should get from it.
    assert types == {"arrs_clinical_supervisor", "gp_clinical_supervisor", "personalised_care_supervisor"}
