"""Renewal prompts: once a holder's renewal window opens, Home, My learning and My certificates
say so and offer the course's cohorts still to run (self-enrol, or whom to ask)."""

from datetime import date, timedelta

from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.courses import services
from learnhub.courses.models import Cohort, Course, Enrolment
from learnhub.eligibility.models import EligibilityDeclaration, EligibilityRecord
from learnhub.extensions import db

PAGES = ["/", "/my-learning", "/certificates"]


def _holder(app, ids, *, expires_in_days: int):
    """The learner completed the course (certificate and eligibility); their eligibility expires in N days."""
    with app.app_context():
        db.session.add(
            EligibilityDeclaration(
                course_id=ids.course,
                hub_id=ids.hub,
                eligibility_type="arrs_clinical_supervisor",
                validity_months=36,
                renewal_window_days=90,
            )
        )
        user = db.session.get(User, ids.learner)
        enrolment = services.enrol(user, db.session.get(Cohort, ids.cohort), user).enrolment
        services.record_completion(db.session.get(User, ids.admin), enrolment, "Attended at another hub")
        record = db.session.scalar(select(EligibilityRecord).where(EligibilityRecord.user_id == ids.learner))
        record.expires_on = date.today() + timedelta(days=expires_in_days)
        db.session.get(Cohort, ids.cohort).self_enrolment_open = False
        db.session.get(Cohort, ids.cohort).ends_on = date.today() - timedelta(days=1)
        db.session.commit()


def _add_cohort(app, ids, name, *, self_enrolment_open=True):
    with app.app_context():
        course = db.session.get(Course, ids.course)
        cohort = Cohort(
            course=course, name=name, starts_on=date.today() + timedelta(days=20), self_enrolment_open=self_enrolment_open
        )
        db.session.add(cohort)
        db.session.commit()
        return cohort.id


def test_holder_in_the_renewal_window_is_offered_the_open_cohort_on_three_pages(client, auth, app, hub_setup):
    ids = hub_setup
    _holder(app, ids, expires_in_days=30)
    autumn = _add_cohort(app, ids, "Autumn cohort")
    auth.login_as(ids.learner)
    for url in PAGES:
        page = client.get(url).get_data(as_text=True)
        assert "Time to renew: ARRS clinical supervisor" in page, url
        assert "renewal is open; it expires on" in page, url
        assert "Re-take the course in Autumn cohort" in page, url
        assert f"/courses/{ids.course}/cohorts/{autumn}/enrol" in page, url
        assert "Spring cohort" not in page.split("Time to renew")[1].split("</div>")[0], url  # ended: not offered

    response = client.post(f"/courses/{ids.course}/cohorts/{autumn}/enrol")
    assert response.status_code == 302
    with app.app_context():
        attempts = db.session.scalars(
            select(Enrolment.attempt).where(Enrolment.user_id == ids.learner).order_by(Enrolment.attempt)
        ).all()
        assert attempts == [1, 2]
    page = client.get("/").get_data(as_text=True)
    assert "You are on Supervising ARRS roles again (Autumn cohort, re-take 2)" in page
    assert "Re-take the course in" not in page


def test_cohort_closed_to_self_enrolment_says_whom_to_ask(client, auth, app, hub_setup):
    ids = hub_setup
    _holder(app, ids, expires_in_days=10)
    _add_cohort(app, ids, "Winter cohort", self_enrolment_open=False)
    with app.app_context():
        admin_email = db.session.get(User, ids.admin).email
    auth.login_as(ids.learner)
    page = client.get("/my-learning").get_data(as_text=True)
    assert "Time to renew" in page
    assert "Winter cohort is not open for you to enrol yourself" in page
    assert "Ask your training hub to enrol you" in page
    assert f"mailto:{admin_email}" in page
    assert "Re-take the course in" not in page


def test_expired_eligibility_is_prompted_too(client, auth, app, hub_setup):
    ids = hub_setup
    _holder(app, ids, expires_in_days=-5)
    auth.login_as(ids.learner)
    page = client.get("/certificates").get_data(as_text=True)
    assert "Time to renew: ARRS clinical supervisor" in page
    assert "expired on" in page
    assert "There are no cohorts of this course to join at the moment" in page


def test_no_prompt_before_the_window_opens_or_for_other_people(client, auth, app, hub_setup, make_user):
    ids = hub_setup
    _holder(app, ids, expires_in_days=200)
    _add_cohort(app, ids, "Autumn cohort")
    auth.login_as(ids.learner)
    for url in PAGES:
        assert "Time to renew" not in client.get(url).get_data(as_text=True), url
    auth.login_as(make_user(hub_id=ids.hub))
    assert "Time to renew" not in client.get("/").get_data(as_text=True)


def test_demo_holder_due_for_renewal_is_prompted_with_the_open_autumn_cohort(client, auth, app_ctx):
    from learnhub.demo import DemoContext, run_steps

    run_steps(DemoContext(password="demo-password-for-tests-1"))
    okoye = db.session.scalar(select(User).where(User.email == "dr.okoye@example.org"))
    db.session.remove()
    auth.login_as(okoye.id)
    for url in PAGES:
        page = client.get(url).get_data(as_text=True)
        assert "Time to renew" in page, url
        assert "Re-take the course in Autumn 2026" in page, url


def test_with_no_hub_administrator_the_configured_contact_is_given(client, auth, app, hub_setup):
    ids = hub_setup
    _holder(app, ids, expires_in_days=10)
    with app.app_context():
        db.session.get(User, ids.admin).hub_role = "learner"
        db.session.commit()
    app.config.update(HUB_CONTACT_EMAIL="training.hub@example.org", HUB_CONTACT_PHONE="01632 960000")
    auth.login_as(ids.learner)
    page = client.get("/").get_data(as_text=True)
    assert "Ask your training hub to enrol you" in page
    assert "mailto:training.hub@example.org" in page
    assert "01632 960000" in page
