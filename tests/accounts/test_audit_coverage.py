"""Every sensitive event the production-readiness issue lists leaves an audit row.

Permission changes, certificate revocation and re-issue, eligibility changes, exports and
reads of ALS notes are each done through the web pages, and the test looks for the
``AuditEvent`` with the right action, actor, hub and object.
"""

import pytest
from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.audit import AuditEvent
from learnhub.extensions import db
from tests.als.conftest import build_world, world  # noqa: F401
from tests.certificates.fixtures import completion_for, course_for, declare, issue  # noqa: F401
from tests.courses.conftest import make_course  # noqa: F401
from tests.evaluation.conftest import make_survey  # noqa: F401
from tests.helpers import assert_redirect


def _event(app, action: str) -> AuditEvent:  # type: ignore[no-untyped-def]
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()
        assert events, f"no audit event {action!r}"
        db.session.expunge_all()
        return events[-1]


@pytest.fixture
def hub_a(world, make_course, declare, issue, course_for):  # type: ignore[no-untyped-def]  # noqa: F811
    course = make_course(world.hub)
    course_for.use(world.hub, course.course, course.course)
    member = world.members[world.groups[0]][0]
    return world, course, member


def test_permission_change_is_audited(app, client, auth, hub_a):  # type: ignore[no-untyped-def]
    w, _, member = hub_a
    auth.login_as(w.admin)
    assert_redirect(client.post(f"/hub/users/{member}/permission", data={"hub_role": "facilitator"}))
    event = _event(app, "user.permission_changed")
    assert (event.actor_id, event.hub_id) == (w.admin, w.hub)
    assert (event.object_type, event.object_id) == ("user", member)
    assert (event.details["old"], event.details["new"]) == ("learner", "facilitator")


def test_deactivation_is_audited(app, client, auth, hub_a):  # type: ignore[no-untyped-def]
    w, _, member = hub_a
    auth.login_as(w.admin)
    assert_redirect(client.post(f"/hub/users/{member}/deactivate"))
    event = _event(app, "user.deactivated")
    assert (event.actor_id, event.hub_id, event.object_id) == (w.admin, w.hub, member)


def test_certificate_revocation_and_the_eligibility_it_carries_are_audited(app, client, auth, hub_a, declare, issue):  # type: ignore[no-untyped-def]  # noqa: F811
    from learnhub.eligibility.models import EligibilityRecord

    w, course, member = hub_a
    with app.app_context():
        db.session.get(User, member).professional_role = "gp"
        db.session.commit()
    declare(w.hub, course.course, "arrs_clinical_supervisor")
    certificate_id = issue(member, course_id=course.course)
    granted = _event(app, "eligibility.granted")
    assert granted.hub_id == w.hub
    assert granted.details["user"] == member
    auth.login_as(w.admin)
    response = client.post(f"/hub/certificates/{certificate_id}/revoke", data={"reason": "Issued in error"})
    assert_redirect(response)
    event = _event(app, "certificate.revoked")
    assert (event.actor_id, event.hub_id) == (w.admin, w.hub)
    assert (event.object_type, event.object_id) == ("certificate", certificate_id)
    revoked = _event(app, "eligibility.revoked")
    with app.app_context():
        record_id = db.session.scalar(select(EligibilityRecord.id).where(EligibilityRecord.user_id == member))
    assert (revoked.actor_id, revoked.hub_id) == (w.admin, w.hub)
    assert (revoked.object_type, revoked.object_id) == ("eligibility_record", record_id)


def test_certificate_reissue_is_audited(app, client, auth, hub_a, issue):  # type: ignore[no-untyped-def]  # noqa: F811
    w, course, member = hub_a
    certificate_id = issue(member, course_id=course.course)
    auth.login_as(w.admin)
    response = client.post(f"/hub/certificates/{certificate_id}/reissue", data={"holder_name": "Corrected Name"})
    assert_redirect(response)
    event = _event(app, "certificate.reissued")
    assert (event.actor_id, event.hub_id) == (w.admin, w.hub)
    assert (event.object_type, event.object_id) == ("certificate", certificate_id)
    assert event.details["new"] != certificate_id


def test_eligibility_declarations_are_audited(app, client, auth, hub_a):  # type: ignore[no-untyped-def]
    from learnhub.eligibility.models import EligibilityDeclaration

    w, course, _ = hub_a
    auth.login_as(w.admin)
    data = {"eligibility_type": "arrs_clinical_supervisor", "validity_months": "36", "renewal_window_days": "90"}
    assert_redirect(client.post(f"/hub/courses/{course.course}/eligibility", data=data))
    declared = _event(app, "eligibility.declared")
    assert (declared.actor_id, declared.hub_id) == (w.admin, w.hub)
    assert declared.details["type"] == "arrs_clinical_supervisor"
    with app.app_context():
        declaration = db.session.scalar(
            select(EligibilityDeclaration.id).where(EligibilityDeclaration.course_id == course.course)
        )
    assert_redirect(client.post(f"/hub/courses/{course.course}/eligibility/{declaration}/remove"))
    removed = _event(app, "eligibility.declaration_removed")
    assert (removed.actor_id, removed.hub_id) == (w.admin, w.hub)


def test_every_export_is_audited(app, client, auth, hub_a, make_survey):  # type: ignore[no-untyped-def]  # noqa: F811
    w, course, member = hub_a
    survey = make_survey(w.hub, course_id=course.course)
    auth.login_as(w.admin)
    exports = {
        "export.cohort_progress": f"/hub/courses/{course.course}/cohorts/{course.cohort}/report.csv",
        "export.evaluation_results": f"/evaluation/instruments/{survey['instrument_id']}/results.csv",
        "export.eligibility_register": "/hub/eligibility?format=csv",
        "export.als_programme": f"/als/programmes/{w.programme}/dashboard.csv",
    }
    for action, url in exports.items():
        assert client.get(url).status_code == 200, url
        event = _event(app, action)
        assert (event.actor_id, event.hub_id) == (w.admin, w.hub), action
        assert event.details["format"] == "csv"
    auth.login_as(member)
    assert client.post("/account/my-data").status_code == 200
    event = _event(app, "export.personal_data")
    assert (event.actor_id, event.hub_id) == (member, w.hub)


def test_reading_als_notes_is_audited(app, client, auth, hub_a):  # type: ignore[no-untyped-def]
    w, _, _ = hub_a
    group = w.groups[0]
    session_id = w.sessions[group][0]
    with app.app_context():
        lead = w.facilitator_of(session_id)
    members = w.members[group]
    auth.login_as(lead)
    data = {f"attendance_{uid}": "present" for uid in members}
    data["notes"] = "Process notes"
    assert_redirect(client.post(f"/als/sessions/{session_id}/record", data=data))
    # The session page shows the notes: a read (opening the record form to edit is not, issue 16).
    assert client.get(f"/als/sessions/{session_id}").status_code == 200
    event = _event(app, "als.notes_read")
    assert (event.actor_id, event.hub_id) == (lead, w.hub)
    assert (event.object_type, event.object_id) == ("session", session_id)


def test_erasure_is_audited(app, client, auth, hub_a):  # type: ignore[no-untyped-def]
    w, _, member = hub_a
    auth.login_as(w.admin)
    assert_redirect(client.post(f"/hub/users/{member}/erase", data={"confirm": "y"}))
    event = _event(app, "user.erased")
    assert (event.actor_id, event.hub_id) == (w.admin, w.hub)
    assert (event.object_type, event.object_id) == ("user", member)
