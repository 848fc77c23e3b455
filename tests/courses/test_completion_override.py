"""Completion override: a hub administrator records or withdraws a learner's completion by hand.

Certificates and eligibility follow through the course signals; each change is audited; a
double click changes nothing the second time; a completion withdrawn and recorded again (by
hand or by the course) gets a new valid certificate while the revoked one stays revoked.
"""

from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.audit import AuditEvent
from learnhub.certificates.models import Certificate
from learnhub.courses import services
from learnhub.courses.models import Cohort, CourseCompletion, Enrolment, Module
from learnhub.eligibility.models import EligibilityDeclaration, EligibilityRecord
from learnhub.extensions import db
from tests.courses.test_concurrency import live  # noqa: F401  (fixture: a threaded live server)


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _enrol(app, ids, *, declare=True):
    with app.app_context():
        if declare:
            db.session.add(
                EligibilityDeclaration(
                    course_id=ids.course, hub_id=ids.hub, eligibility_type="arrs_clinical_supervisor", validity_months=36
                )
            )
        user = db.session.get(User, ids.learner)
        enrolment = services.enrol(user, db.session.get(Cohort, ids.cohort), user).enrolment
        db.session.commit()
        return enrolment.id


def _urls(ids, enrolment_id):
    base = f"/hub/courses/{ids.course}/cohorts/{ids.cohort}/learners/{enrolment_id}"
    return base, f"{base}/completion/record", f"{base}/completion/withdraw"


def _certificates(user_id):
    return {c.status: c for c in db.session.scalars(select(Certificate).where(Certificate.user_id == user_id))}


def test_admin_records_a_completion_by_hand_and_a_certificate_is_issued(client, auth, app, hub_setup):
    ids = hub_setup
    enrolment_id = _enrol(app, ids)
    learner_page, record, _ = _urls(ids, enrolment_id)
    auth.login_as(ids.admin)
    page = client.get(learner_page).get_data(as_text=True)
    assert "Not completed." in page
    assert "Record a completion by hand" in page

    confirm = client.get(record)
    assert confirm.status_code == 200
    assert "Are you sure you want to record" in confirm.get_data(as_text=True)

    refused = client.post(record, data={"reason": "  "})
    assert refused.status_code == 400
    assert "Enter the reason for recording this completion" in refused.get_data(as_text=True)

    response = client.post(record, data={"reason": "Attended the course at Northshire hub in March"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(learner_page)
    page = client.get(learner_page).get_data(as_text=True)
    assert "has been recorded and a certificate issued" in page
    assert "recorded by hand by" in page
    assert "Attended the course at Northshire hub in March" in page
    assert "Withdraw this completion" in page

    # A second click (another tab) changes nothing and says so.
    again = client.post(record, data={"reason": "Attended the course at Northshire hub in March"})
    assert again.status_code == 302
    assert "already recorded. Nothing has changed." in client.get(learner_page).get_data(as_text=True)
    with app.app_context():
        enrolment = db.session.get(Enrolment, enrolment_id)
        assert enrolment.completed_at is not None
        assert enrolment.completion.by_hand
        assert enrolment.completion.recorded_by_id == ids.admin
        certs = _certificates(ids.learner)
        assert list(certs) == ["valid"]
        assert _count(EligibilityRecord, EligibilityRecord.user_id == ids.learner, EligibilityRecord.revoked_at.is_(None)) == 1
        audits = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "course.completion_recorded_by_hand")).all()
        assert len(audits) == 1
        assert audits[0].actor_id == ids.admin
    auth.login_as(ids.learner)
    assert "Course completed" in client.get(f"/courses/{ids.course}").get_data(as_text=True)


def test_admin_withdraws_a_completion_and_the_certificate_is_revoked_with_the_reason(client, auth, app, hub_setup):
    ids = hub_setup
    enrolment_id = _enrol(app, ids)
    learner_page, record, withdraw = _urls(ids, enrolment_id)
    auth.login_as(ids.admin)
    client.post(record, data={"reason": "Attended elsewhere"})

    confirm = client.get(withdraw).get_data(as_text=True)
    assert "Are you sure you want to withdraw" in confirm
    assert "is revoked with your" in confirm
    assert client.post(withdraw, data={"reason": ""}).status_code == 400

    response = client.post(withdraw, data={"reason": "Recorded for the wrong person"})
    assert response.status_code == 302
    page = client.get(learner_page).get_data(as_text=True)
    assert "has been withdrawn and its certificate revoked" in page
    assert "was withdrawn" in page
    assert "Recorded for the wrong person" in page

    # Twice: nothing more happens.
    client.post(withdraw, data={"reason": "Recorded for the wrong person"})
    assert "no completion of this course to withdraw" in client.get(learner_page).get_data(as_text=True)
    with app.app_context():
        enrolment = db.session.get(Enrolment, enrolment_id)
        assert enrolment.completed_at is None
        assert enrolment.completion.withdrawn_by_id == ids.admin
        cert = _certificates(ids.learner)["revoked"]
        assert cert.revoked_reason == "Completion withdrawn: Recorded for the wrong person"
        record_row = db.session.scalar(select(EligibilityRecord).where(EligibilityRecord.user_id == ids.learner))
        assert record_row.revoked_at is not None
        assert _count(AuditEvent, AuditEvent.action == "course.completion_withdrawn_by_hand") == 1
        assert _count(AuditEvent, AuditEvent.action == "certificate.revoked") == 1
    auth.login_as(ids.learner)
    page = client.get(f"/courses/{ids.course}").get_data(as_text=True)
    assert "Course completed" not in page
    assert "Your completion of this course was withdrawn" in page
    assert "Recorded for the wrong person" in page


def test_a_completion_withdrawn_by_hand_is_not_brought_back_by_the_course(client, auth, app, hub_setup):
    ids = hub_setup
    enrolment_id = _enrol(app, ids, declare=False)
    with app.app_context():
        enrolment = db.session.get(Enrolment, enrolment_id)
        course = services.load_course(ids.course, questions=True)
        modules = {m.id: m for m in course.modules}
        services.complete_module(enrolment, modules[ids.reading])
        attempt = services.start_attempt(enrolment, modules[ids.check])
        services.submit_attempt(enrolment, modules[ids.check], attempt, ids.right)
        admin = db.session.get(User, ids.admin)
        services.record_attendance(admin, modules[ids.live], [enrolment], {enrolment.id})
        assert services.withdraw_completion_by_hand(admin, enrolment, "Attendance was signed by someone else")
        # Saving the session's attendance again does not undo the administrator's decision.
        services.record_attendance(admin, modules[ids.live], [enrolment], {enrolment.id})
        assert services.recheck_completion(enrolment) is None
        db.session.commit()
        assert not db.session.get(Enrolment, enrolment_id).completion.in_force


def test_a_completion_recorded_by_hand_survives_removed_attendance(app, hub_setup):
    ids = hub_setup
    enrolment_id = _enrol(app, ids, declare=False)
    with app.app_context():
        enrolment = db.session.get(Enrolment, enrolment_id)
        admin = db.session.get(User, ids.admin)
        live = db.session.get(Module, ids.live)
        services.record_attendance(admin, live, [enrolment], {enrolment.id})
        services.record_completion(admin, enrolment, "Attended at another hub")
        saved = services.record_attendance(admin, live, [enrolment], set())
        assert saved.withdrawn == 0
        assert enrolment.completion.in_force


def test_waiting_list_learner_cannot_be_recorded_complete(app, hub_setup):
    import pytest

    ids = hub_setup
    enrolment_id = _enrol(app, ids, declare=False)
    with app.app_context():
        enrolment = db.session.get(Enrolment, enrolment_id)
        enrolment.status = Enrolment.WAITING
        with pytest.raises(services.CourseError, match="waiting list"):
            services.record_completion(db.session.get(User, ids.admin), enrolment, "Attended elsewhere")
        assert _count(CourseCompletion) == 0


# --- the bug: a completion withdrawn and recorded again kept its revoked certificate -------------


def test_recorded_again_after_withdrawal_the_learner_gets_a_new_valid_certificate(client, auth, app, hub_setup):
    ids = hub_setup
    enrolment_id = _enrol(app, ids)
    _, record, withdraw = _urls(ids, enrolment_id)
    auth.login_as(ids.admin)
    client.post(record, data={"reason": "Attended elsewhere"})
    client.post(withdraw, data={"reason": "Wrong learner"})
    client.post(record, data={"reason": "It was the right learner after all"})
    with app.app_context():
        certs = db.session.scalars(select(Certificate).where(Certificate.user_id == ids.learner).order_by(Certificate.id)).all()
        assert [c.status for c in certs] == ["revoked", "valid"]
        assert certs[0].code != certs[1].code
        assert certs[1].completion_id == certs[0].completion_id
        record_row = db.session.scalar(select(EligibilityRecord).where(EligibilityRecord.user_id == ids.learner))
        assert record_row.revoked_at is None
        assert record_row.certificate_id == certs[1].id
        revoked_code, valid_code = certs[0].display_code, certs[1].display_code
    auth.logout()
    assert "Revoked" in client.get(f"/verify/{revoked_code}").get_data(as_text=True)
    assert "Valid" in client.get(f"/verify/{valid_code}").get_data(as_text=True)
    auth.login_as(ids.learner)
    mine = client.get("/certificates").get_data(as_text=True)
    assert valid_code in mine


def test_completed_again_by_the_course_after_withdrawal_gets_a_new_valid_certificate(client, auth, app, hub_setup):
    """Attendance removed (completion withdrawn, certificate revoked), then ticked again."""
    ids = hub_setup
    enrolment_id = _enrol(app, ids)
    with app.app_context():
        enrolment = db.session.get(Enrolment, enrolment_id)
        course = services.load_course(ids.course, questions=True)
        modules = {m.id: m for m in course.modules}
        services.complete_module(enrolment, modules[ids.reading])
        attempt = services.start_attempt(enrolment, modules[ids.check])
        services.submit_attempt(enrolment, modules[ids.check], attempt, ids.right)
        db.session.commit()
    auth.login_as(ids.facilitator)
    url = f"/hub/courses/{ids.course}/cohorts/{ids.cohort}/attendance/{ids.live}"
    client.post(url, data={"attended": str(enrolment_id)})
    client.post(url, data={})
    client.post(url, data={"attended": str(enrolment_id)})
    with app.app_context():
        statuses = db.session.scalars(
            select(Certificate.status).where(Certificate.user_id == ids.learner).order_by(Certificate.id)
        ).all()
        assert statuses == ["revoked", "valid"]


def test_a_revoked_certificate_cannot_be_reinstated_beside_its_replacement(client, auth, app, hub_setup):
    ids = hub_setup
    enrolment_id = _enrol(app, ids)
    _, record, withdraw = _urls(ids, enrolment_id)
    auth.login_as(ids.admin)
    client.post(record, data={"reason": "Attended elsewhere"})
    client.post(withdraw, data={"reason": "Wrong learner"})
    client.post(record, data={"reason": "Right learner after all"})
    with app.app_context():
        revoked = db.session.scalar(select(Certificate).where(Certificate.status == "revoked"))
        revoked_id = revoked.id
    response = client.post(f"/hub/certificates/{revoked_id}/reinstate", data={"reason": "Revoked in error"})
    assert response.status_code == 400
    assert "cannot be reinstated" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Certificate, revoked_id).status == "revoked"


# --- five clicks at once (real concurrent HTTP requests; the double-submit guard is off) ---------


def test_five_record_and_five_withdraw_clicks_at_once_make_one_change_each(app, hub_setup, live):  # noqa: F811
    from tests.courses.test_concurrency import _cookie, _fire

    ids = hub_setup
    enrolment_id = _enrol(app, ids)
    _, record, withdraw = _urls(ids, enrolment_id)
    cookies = [_cookie(app, ids.admin)] * 5
    assert set(_fire(live + record, cookies, {"reason": "Attended elsewhere"})) == {302}
    with app.app_context():
        assert _count(CourseCompletion) == 1
        assert _count(Certificate, Certificate.status == "valid") == 1
        assert _count(AuditEvent, AuditEvent.action == "course.completion_recorded_by_hand") == 1
        assert _count(AuditEvent, AuditEvent.action == "certificate.issued") == 1
    assert set(_fire(live + withdraw, cookies, {"reason": "Wrong learner"})) == {302}
    with app.app_context():
        assert _count(Certificate, Certificate.status == "revoked") == 1
        assert _count(Certificate, Certificate.status == "valid") == 0
        assert _count(AuditEvent, AuditEvent.action == "course.completion_withdrawn_by_hand") == 1
        assert _count(AuditEvent, AuditEvent.action == "certificate.revoked") == 1
    assert set(_fire(live + record, cookies, {"reason": "Right learner after all"})) == {302}
    with app.app_context():
        assert _count(Certificate, Certificate.status == "valid") == 1
        assert _count(AuditEvent, AuditEvent.action == "course.completion_recorded_by_hand") == 2


def test_override_reasons_are_in_the_subject_access_export_and_gone_after_erasure(app, hub_setup):
    from learnhub.privacy.erasure import erase_user
    from learnhub.privacy.export import export_data
    from learnhub.privacy.names import HOLDER_ERASED

    ids = hub_setup
    enrolment_id = _enrol(app, ids)
    with app.app_context():
        admin = db.session.get(User, ids.admin)
        enrolment = db.session.get(Enrolment, enrolment_id)
        services.record_completion(admin, enrolment, "Jo attended at Northshire")
        services.withdraw_completion_by_hand(admin, enrolment, "Jo asked us to withdraw it")
        db.session.commit()
        learner = db.session.get(User, ids.learner)
        exported = export_data(learner)["courses"][0]["completion"]
        assert exported["recorded_by_hand"] is True
        assert exported["recorded_reason"] == "Jo attended at Northshire"
        assert exported["withdrawn_reason"] == "Jo asked us to withdraw it"
        erase_user(admin, learner)
        db.session.commit()
        completion = db.session.scalar(select(CourseCompletion).where(CourseCompletion.enrolment_id == enrolment_id))
        assert completion.recorded_reason == HOLDER_ERASED
        assert completion.withdrawn_reason == HOLDER_ERASED


def test_record_of_learning_leaves_out_a_withdrawn_completion_and_its_hours(client, auth, app, hub_setup):
    ids = hub_setup
    enrolment_id = _enrol(app, ids)
    _, record, withdraw = _urls(ids, enrolment_id)
    auth.login_as(ids.admin)
    client.post(record, data={"reason": "Attended elsewhere"})
    auth.login_as(ids.learner)
    page = client.get("/certificates/record").get_data(as_text=True)
    assert "1 completion, 3.5 CPD hours" in page
    auth.login_as(ids.admin)
    client.post(withdraw, data={"reason": "Wrong learner"})
    auth.login_as(ids.learner)
    page = client.get("/certificates/record").get_data(as_text=True)
    assert "You have not completed a course yet." in page
    assert "Revoked" in client.get("/certificates").get_data(as_text=True)  # the certificate is still listed


def test_cohort_page_marks_completions_recorded_by_hand_and_withdrawn(client, auth, app, hub_setup):
    ids = hub_setup
    enrolment_id = _enrol(app, ids)
    _, record, withdraw = _urls(ids, enrolment_id)
    cohort_page = f"/hub/courses/{ids.course}/cohorts/{ids.cohort}"
    auth.login_as(ids.admin)
    client.post(record, data={"reason": "Attended elsewhere"})
    assert "(recorded by hand)" in client.get(cohort_page).get_data(as_text=True)
    client.post(withdraw, data={"reason": "Wrong learner"})
    page = client.get(cohort_page).get_data(as_text=True)
    assert "(recorded by hand)" not in page
    assert "Withdrawn" in page
