"""Issuing, revoking and re-issuing certificates, and the eligibility they carry."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from learnhub.accounts.models import User
from learnhub.certificates.models import Certificate
from learnhub.certificates.services import CertificateError, find_issued, reissue_certificate, revoke_certificate
from learnhub.eligibility.models import EligibilityDeclaration, EligibilityEvent, EligibilityRecord
from learnhub.extensions import db
from learnhub.timeutil import utcnow

_REAL_FIND = find_issued


def _missing_once(real):  # type: ignore[no-untyped-def]
    """find_issued that misses the certificate the first time (it was not committed yet), then finds it."""
    calls = []

    def lookup(*args):  # type: ignore[no-untyped-def]
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    return lookup


def test_issue_snapshots_the_course_and_stores_the_pdf(app, make_user, issue):
    user_id = make_user(name="Dr Priya Shah")
    cert_id = issue(user_id, course_title="Supervising ARRS roles", cpd_hours="6.5")
    with app.app_context():
        cert = db.session.get(Certificate, cert_id)
        assert cert.holder_name == "Dr Priya Shah"
        assert cert.course_title == "Supervising ARRS roles"
        assert str(cert.cpd_hours) in ("6.5", "6.50")
        assert cert.hub_name.startswith("Hub ")
        assert cert.pdf.startswith(b"%PDF-")
        assert cert.status == "valid"
        assert cert.version == 1
        # Later changes to the person's name do not touch the issued certificate.
        db.session.get(User, user_id).name = "Dr P Shah-Jones"
        db.session.commit()
        assert db.session.get(Certificate, cert_id).holder_name == "Dr Priya Shah"


def test_issue_is_idempotent_per_completion(app, make_user, issue):
    user_id = make_user()
    first = issue(user_id, course_id=3, completion_id=11)
    assert issue(user_id, course_id=3, completion_id=11) == first
    assert issue(user_id, course_id=3, completion_id=12) != first


def test_qualifying_profession_gets_eligibility_with_history(app, make_user, issue, declare):
    user_id = make_user(professional_role="gp")
    with app.app_context():
        hub_id = db.session.get(User, user_id).hub_id
    declare(hub_id, 7, "arrs_clinical_supervisor", months=36, window=90)
    completed = date(2026, 1, 10)
    cert_id = issue(user_id, completed_at=completed)
    with app.app_context():
        record = db.session.scalar(select(EligibilityRecord).where(EligibilityRecord.user_id == user_id))
        assert record.expires_on == date(2029, 1, 10)
        assert record.certificate_id == cert_id
        cert = db.session.get(Certificate, cert_id)
        assert cert.valid_until == date(2029, 1, 10)
        assert cert.eligibilities == ["ARRS clinical supervisor until 10 January 2029"]

    # Renewal inside the window (a refresher course) counts from the previous expiry.
    declare(hub_id, 8, "arrs_clinical_supervisor", months=36, window=90)
    issue(user_id, course_id=8, course_title="Refresher", completed_at=date(2028, 12, 1))
    with app.app_context():
        record = db.session.scalar(select(EligibilityRecord).where(EligibilityRecord.user_id == user_id))
        assert record.expires_on == date(2032, 1, 10)
        assert record.first_granted_on == completed
        kinds = db.session.scalars(select(EligibilityEvent.kind).order_by(EligibilityEvent.id)).all()
        bases = db.session.scalars(select(EligibilityEvent.base).order_by(EligibilityEvent.id)).all()
        assert kinds == ["granted", "renewed"]
        assert bases == ["completion", "expiry"]


def test_profession_that_does_not_qualify_gets_certificate_and_a_reason(app, make_user, issue, declare):
    user_id = make_user(professional_role="hwbc")
    with app.app_context():
        hub_id = db.session.get(User, user_id).hub_id
    declare(hub_id, 7, "arrs_clinical_supervisor")
    cert_id = issue(user_id)
    with app.app_context():
        assert db.session.get(Certificate, cert_id).status == "valid"
        assert db.session.scalar(select(EligibilityRecord)) is None
        event = db.session.scalar(select(EligibilityEvent))
        assert event.kind == "not_granted"
        assert "Health and wellbeing coach" in event.reason
        assert "GP or a recognised advanced practitioner" in event.reason


def test_revoke_records_who_when_why_and_revokes_eligibility(app, make_user, issue, declare):
    admin_id = make_user(hub_role="hub_admin")
    with app.app_context():
        hub_id = db.session.get(User, admin_id).hub_id
    user_id = make_user(hub_id=hub_id)
    declare(hub_id, 7, "personalised_care_supervisor")
    cert_id = issue(user_id)
    with app.test_request_context():
        admin = db.session.get(User, admin_id)
        cert = db.session.get(Certificate, cert_id)
        with pytest.raises(CertificateError, match="Enter the reason"):
            revoke_certificate(admin, cert, "   ")
        revoke_certificate(admin, cert, "Attendance was recorded in error")
        assert cert.status == "revoked"
        assert cert.revoked_by_id == admin_id
        assert cert.revoked_at is not None
        record = db.session.scalar(select(EligibilityRecord))
        assert record.status_on(date.today()).value == "revoked"
        with pytest.raises(CertificateError, match="already revoked on .* by "):
            revoke_certificate(admin, cert, "again")
        assert cert.revoked_reason == "Attendance was recorded in error"
        with pytest.raises(CertificateError, match="revoked certificate cannot be re-issued"):
            reissue_certificate(admin, cert, "New Name")


def test_reissue_makes_a_new_version_and_supersedes_the_old(app, make_user, issue, declare):
    user_id = make_user(name="Dr Sian Jones")
    with app.app_context():
        hub_id = db.session.get(User, user_id).hub_id
    declare(hub_id, 7, "arrs_clinical_supervisor")
    cert_id = issue(user_id)
    with app.test_request_context():
        old = db.session.get(Certificate, cert_id)
        new = reissue_certificate(None, old, "Dr Siân Jones")
        assert new.version == 2
        assert new.holder_name == "Dr Siân Jones"
        assert new.code != old.code
        assert old.status == "superseded"
        assert old.superseded_by_id == new.id
        assert db.session.scalar(select(EligibilityRecord)).certificate_id == new.id
        with pytest.raises(CertificateError, match="already been re-issued"):
            reissue_certificate(None, old, "Other")
        assert b"%PDF" in new.pdf
        assert new.pdf != old.pdf


def test_certificate_expires_after_its_validity(app, make_user, issue, declare):
    user_id = make_user()
    with app.app_context():
        hub_id = db.session.get(User, user_id).hub_id
    declare(hub_id, 7, "als_facilitator", months=12, window=30)
    cert_id = issue(user_id, completed_at=date.today() - timedelta(days=400))
    with app.app_context():
        cert = db.session.get(Certificate, cert_id)
        assert cert.state_on(date.today()) == "expired"


def test_declaration_without_validity_still_issues_the_certificate_and_says_why(app, make_user, issue, course_for):
    user_id = make_user(professional_role="gp")
    with app.app_context():
        hub_id = db.session.get(User, user_id).hub_id
    course_id = course_for(hub_id, 7)
    with app.app_context():
        # Written straight to the table: the declaration form refuses this.
        db.session.execute(
            EligibilityDeclaration.__table__.insert().values(
                course_id=course_id,
                hub_id=hub_id,
                eligibility_type="als_facilitator",
                validity_months=0,
                renewal_window_days=0,
                created_at=utcnow(),
            )
        )
        db.session.commit()
    cert_id = issue(user_id)
    with app.app_context():
        assert db.session.get(Certificate, cert_id).valid_until is None
        assert "without a validity period" in db.session.scalar(select(EligibilityEvent.reason))


def test_a_second_issue_racing_the_first_returns_the_certificate_already_issued(app, make_user, issue, monkeypatch):
    """Two workers issue for one completion at once: the unique index stops the second, which returns the first."""
    from learnhub.certificates import services

    user_id = make_user()
    first = issue(user_id, completion_id=11)
    # The second caller looked before the first committed, so it did not see the first certificate.
    monkeypatch.setattr(services, "find_issued", _missing_once(_REAL_FIND))
    assert issue(user_id, completion_id=11) == first
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
        assert db.session.scalar(select(func.count()).select_from(EligibilityEvent)) == 0


def test_a_racing_issue_inside_the_completion_transaction_keeps_that_transaction(app, make_user, issue, monkeypatch):
    """Inside the caller's transaction (the completion callback) only a savepoint is rolled back."""
    from learnhub.certificates import services
    from learnhub.organisations.models import Hub

    user_id = make_user()
    first_id = issue(user_id, completion_id=11)
    monkeypatch.setattr(services, "find_issued", _missing_once(_REAL_FIND))
    with app.test_request_context():
        first = db.session.get(Certificate, first_id)
        user = db.session.get(User, user_id)
        user.name = "Changed In The Same Transaction"
        again = services.issue_certificate(
            user=user,
            hub=db.session.get(Hub, first.hub_id),
            course_id=first.course_id,
            completion_id=first.completion_id,
            course_title=first.course_title,
            cpd_hours=first.cpd_hours,
            outcomes=first.outcomes,
            completed_at=first.completed_on,
        )
        assert again.id == first_id
        db.session.commit()
        assert db.session.get(User, user_id).name == "Changed In The Same Transaction"
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_the_database_refuses_a_second_current_certificate_for_a_completion(app, make_user, issue):
    user_id = make_user()
    cert_id = issue(user_id)
    with app.app_context():
        columns = {c.name: getattr(db.session.get(Certificate, cert_id), c.name) for c in Certificate.__table__.columns}
        columns.update(id=None, code="ZZZZZZZZZZZZZZZZ", version=2)
        del columns["id"]
        with pytest.raises(IntegrityError):
            db.session.execute(Certificate.__table__.insert().values(**columns))
        db.session.rollback()
        # A superseded version for the same completion is allowed (that is what re-issue leaves).
        columns["status"] = Certificate.SUPERSEDED
        db.session.execute(Certificate.__table__.insert().values(**columns))
        db.session.commit()


def test_certificates_and_declarations_point_at_real_courses(app, make_user, issue, declare, course_for):
    from learnhub.courses.models import Course

    user_id = make_user()
    with app.app_context():
        hub_id = db.session.get(User, user_id).hub_id
    declare(hub_id, 7, "arrs_clinical_supervisor")
    declare(hub_id, 8, "arrs_clinical_supervisor")
    cert_id = issue(user_id)
    with app.app_context():
        columns = {c.name: getattr(db.session.get(Certificate, cert_id), c.name) for c in Certificate.__table__.columns}
        del columns["id"]
        columns.update(code="YYYYYYYYYYYYYYYY", course_id=99999999, completion_id=None)
        with pytest.raises(IntegrityError):  # no such course
            db.session.execute(Certificate.__table__.insert().values(**columns))
        db.session.rollback()
        # A course that certified someone cannot be deleted (RESTRICT) ...
        delete_used = Course.__table__.delete().where(Course.id == course_for(hub_id, 7))
        with pytest.raises(IntegrityError):
            db.session.execute(delete_used)
        db.session.rollback()
        # ... one that did not can, and its declarations go with it (CASCADE).
        db.session.execute(Course.__table__.delete().where(Course.id == course_for(hub_id, 8)))
        db.session.commit()
        assert db.session.scalars(select(EligibilityDeclaration.course_id)).all() == [course_for(hub_id, 7)]


def test_reissue_keeps_one_current_certificate_per_completion(app, make_user, issue):
    user_id = make_user()
    cert_id = issue(user_id)
    with app.test_request_context():
        new = reissue_certificate(None, db.session.get(Certificate, cert_id), "New Name")
        newer = reissue_certificate(None, new, "Newer Name")
        current = db.session.scalars(
            select(Certificate.id).where(Certificate.completion_id == newer.completion_id, Certificate.status != "superseded")
        ).all()
        assert current == [newer.id]
