"""Data protection: a person downloads their own data; an administrator erases a person.

One scene is built through the real services: a GP who is a member of an ALS set (with an
action, a bid, a calendar feed and attendance), enrolled on a course with a pre/post survey
that nine colleagues also answered, holding a certificate that granted an eligibility.
"""

import json
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from learnhub.accounts.models import PasswordToken, User
from learnhub.audit import AuditEvent
from learnhub.extensions import db
from tests.als.conftest import build_world, world  # noqa: F401
from tests.certificates.fixtures import completion_for, course_for, declare, issue  # noqa: F401
from tests.conftest import PASSWORD
from tests.courses.conftest import make_course  # noqa: F401
from tests.evaluation.conftest import make_survey  # noqa: F401
from tests.helpers import assert_redirect

SUBJECT_NAME = "Member 00"
OWN_ACTION = "MY-OWN-ACTION call the social prescriber"
OTHER_ACTION = "OTHER-PERSON-ACTION shared with the set"
NOTE = "SECRET-NOTE-TEXT about the set"
OWN_COMMENT = "My own comment"


def _count(model, *where) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def scene(app, world, make_user, make_course, make_survey, declare, issue, course_for, client, auth):  # type: ignore[no-untyped-def]  # noqa: F811
    from learnhub.als.models import AlsSession
    from learnhub.als.services import participation as als_participation
    from learnhub.audit import audit
    from learnhub.courses import services as courses
    from learnhub.courses.models import Cohort
    from learnhub.evaluation import services as evaluation
    from learnhub.evaluation.models import POST, PRE, Attachment

    group_a = world.groups[0]
    past, future = world.sessions[group_a][0], world.sessions[group_a][1]
    members = world.members[group_a]
    subject, other = members[0], members[1]
    with app.app_context():
        lead = world.facilitator_of(past)
        person = db.session.get(User, subject)
        person.registration_body, person.registration_number = "GMC", "7654321"
        person.professional_role = "gp"
        db.session.commit()
    # The lead facilitator records the past session: a note, the subject's action and another's.
    data = {f"attendance_{uid}": "present" for uid in members}
    data.update(
        presenters=[str(subject), str(other)],
        notes=NOTE,
        action_0_owner=str(subject),
        action_0_text=OWN_ACTION,
        action_1_owner=str(other),
        action_1_text=OTHER_ACTION,
        action_1_shared="y",
    )
    auth.login_as(lead)
    assert_redirect(client.post(f"/als/sessions/{past}/record", data=data))
    auth.logout()

    course = make_course(world.hub)
    course_for.use(world.hub, course.course, course.course)
    survey = make_survey(world.hub, course_id=course.course)
    items = survey["items"]
    with app.test_request_context():
        admin = db.session.get(User, world.admin)
        cohort = db.session.get(Cohort, course.cohort)
        people = [subject] + world.members[world.groups[1]][:5] + members[1:5]
        for uid in people:
            courses.enrol(admin, cohort, db.session.get(User, uid))
        db.session.commit()  # services do not commit: the request (here the test) does
        attachment = db.session.get(Attachment, survey["attachment_id"])
        for n, uid in enumerate(people):
            user = db.session.get(User, uid)
            evaluation.save_response(
                user,
                attachment,
                PRE,
                {
                    items["I feel confident supervising."]: 1 + n % 5,
                    items["I feel isolated at work."]: 5 - n % 5,
                    items["How satisfied are you?"]: n,
                },
                submit=True,
            )
            db.session.commit()
            post = {
                items["I feel confident supervising."]: 2 + n % 4,
                items["I feel isolated at work."]: 1 + n % 3,
                items["How satisfied are you?"]: 10 - n,
                items["Will you supervise?"]: 1,
            }
            if uid == subject:
                post[items["Any comments?"]] = OWN_COMMENT
            evaluation.save_response(user, attachment, POST, post, submit=True)
            db.session.commit()
        person = db.session.get(User, subject)
        als_participation.calendar_token(person)
        als_participation.set_participation(person, db.session.get(AlsSession, future), als_participation.BID, True)
        # An earlier event that carried the person's email (as registration does).
        audit(person, "account.registered", email=person.email)
        db.session.commit()
        email = person.email
    declare(world.hub, course.course, "arrs_clinical_supervisor")
    certificate_id = issue(subject, course_id=course.course)
    return SimpleNamespace(
        world=world,
        subject=subject,
        email=email,
        other=other,
        lead=lead,
        course=course,
        survey=survey,
        certificate_id=certificate_id,
        past=past,
        future=future,
    )


# --- "Download my data" -----------------------------------------------------------------------------


def _download(client, auth, user_id):  # type: ignore[no-untyped-def]
    auth.login_as(user_id)
    response = client.post("/account/my-data")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    return response.get_data(as_text=True)


def test_profile_page_offers_the_download(client, auth, scene):  # type: ignore[no-untyped-def]
    auth.login_as(scene.subject)
    page = client.get("/account/profile").get_data(as_text=True)
    assert 'action="/account/my-data"' in page
    assert "Download my data" in page


def test_download_holds_everything_about_the_person(app, client, auth, scene):  # type: ignore[no-untyped-def]
    from learnhub.certificates.models import Certificate

    body = _download(client, auth, scene.subject)
    data = json.loads(body)
    assert data["account"]["name"] == SUBJECT_NAME
    assert data["account"]["email"] == scene.email
    assert data["account"]["registration_number"] == "7654321"
    assert data["organisation"]["hub"]
    assert data["permissions"]["hub_permission"] == "learner"
    # The cohort enrolment, and the completed attempt the certificate was issued for.
    assert {(e["course"], e["cohort"]) for e in data["courses"]} == {("Supervising ARRS roles", "Spring cohort")}
    assert len(data["courses"]) == 2
    with app.app_context():
        code = db.session.get(Certificate, scene.certificate_id).display_code
    assert [c["code"] for c in data["certificates"]] == [code]
    assert data["certificates"][0]["status"] == "valid"
    assert [r["eligibility"] for r in data["eligibility"]["records"]] == ["ARRS clinical supervisor"]
    assert [e["event"] for e in data["eligibility"]["history"]] == ["granted"]
    als = data["action_learning_sets"]
    assert [m["programme"] for m in als["memberships"]] == ["Test programme"]
    assert [a["recorded"] for a in als["attendance_and_apologies"]] == ["Present"]
    assert len(als["presented_at"]) == 1
    assert len(als["presenter_bids"]) == 1
    assert [a["action"] for a in als["actions"]] == [OWN_ACTION]
    assert als["calendar_feed"]["exists"] is True
    surveys = data["surveys"]
    assert sorted(s["timepoint"] for s in surveys["submitted"]) == ["post", "pre"]
    post = next(r for r in surveys["your_answers"] if r["timepoint"] == "post")
    answers = {a["question"]: a["answer"] for a in post["answers"]}
    assert answers["Any comments?"] == OWN_COMMENT
    assert answers["Will you supervise?"] == "Yes"
    actions = {e["action"] for e in data["audit_events"]}
    assert {"als.bid", "account.registered", "evaluation.response_submitted"} <= actions


def test_download_leaves_out_other_people_secrets_and_group_notes(app, client, auth, scene):  # type: ignore[no-untyped-def]
    from learnhub.als.models import AlsCalendarFeed

    body = _download(client, auth, scene.subject)
    with app.app_context():
        user = db.session.get(User, scene.subject)
        feed_token = db.session.scalar(select(AlsCalendarFeed.token).where(AlsCalendarFeed.user_id == scene.subject))
        others = db.session.scalars(select(User.name).where(User.id != scene.subject)).all()
        other_emails = db.session.scalars(select(User.email).where(User.id != scene.subject)).all()
        assert user.password_hash
        assert user.password_hash not in body
    assert feed_token not in body
    assert NOTE not in body
    assert OTHER_ACTION not in body
    assert "password_hash" not in body
    for name in others:
        assert name not in body, name
    for email in other_emails:
        assert email not in body, email
    # Only the person's own survey answers: nobody else's comment or response appears.
    data = json.loads(body)
    assert len(data["surveys"]["your_answers"]) == 2


def test_download_is_audited_and_only_by_post(app, client, auth, scene):  # type: ignore[no-untyped-def]
    _download(client, auth, scene.subject)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.personal_data"))
        assert event.actor_id == scene.subject
        assert event.hub_id == scene.world.hub
    assert client.get("/account/my-data").status_code == 405
    auth.logout()
    response = client.post("/account/my-data")
    assert_redirect(response)
    assert "/account/sign-in" in response.headers["Location"]


# --- erasure ----------------------------------------------------------------------------------------


def _results(app, client, scene):  # type: ignore[no-untyped-def]
    """The dashboard's aggregate results (as computed and as exported) for the scene's survey."""
    from learnhub.evaluation import analysis, services
    from learnhub.evaluation.models import Instrument

    with app.app_context():
        instrument = db.session.get(Instrument, scene.survey["instrument_id"])
        computed = repr(analysis.compute(instrument, analysis.Filters(), services.threshold_for(instrument.hub_id)))
    csv_bytes = client.get(f"/evaluation/instruments/{scene.survey['instrument_id']}/results.csv").get_data()
    return computed, csv_bytes


def test_confirmation_page_says_what_happens_and_needs_the_box_ticked(app, client, auth, scene):  # type: ignore[no-untyped-def]
    auth.login_as(scene.world.admin)
    detail = client.get(f"/hub/users/{scene.subject}").get_data(as_text=True)
    assert f"/hub/users/{scene.subject}/erase" in detail
    page = client.get(f"/hub/users/{scene.subject}/erase")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "What happens" in text
    assert "1 valid certificate will be revoked" in text
    assert "holder erased" in text
    refused = client.post(f"/hub/users/{scene.subject}/erase", data={})
    assert refused.status_code == 400
    assert "Confirm that you understand the erasure cannot be undone" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, scene.subject).erased_at is None


def test_erasure_removes_personal_data_and_keeps_aggregates(app, client, auth, scene):  # type: ignore[no-untyped-def]
    from learnhub.als.models import AlsAction, AlsAttendance, AlsBid, AlsCalendarFeed, AlsMember, AlsNote
    from learnhub.certificates.models import Certificate
    from learnhub.eligibility.models import EligibilityEvent, EligibilityRecord
    from learnhub.evaluation.models import Answer, Completion, Response

    # The person is signed in elsewhere.
    their_browser = app.test_client()
    their_browser.post("/account/sign-in", data={"email": scene.email, "password": PASSWORD})
    assert their_browser.get("/account/profile").status_code == 200

    auth.login_as(scene.world.admin)
    before = _results(app, client, scene)
    with app.app_context():
        responses_before = _count(Response)
        answers_before = _count(Answer)
        code = db.session.get(Certificate, scene.certificate_id).code

    response = client.post(f"/hub/users/{scene.subject}/erase", data={"confirm": "y"})
    assert_redirect(response)
    assert "personal data has been erased" in client.get(response.headers["Location"]).get_data(as_text=True)

    with app.app_context():
        user = db.session.get(User, scene.subject)
        assert user.name == "Erased person"
        assert user.email == f"erased-{scene.subject}@erased.invalid"
        assert user.registration_body is None
        assert user.registration_number is None
        assert user.practice_id is None
        assert user.password_hash is None
        assert not user.active
        assert user.erased_at is not None
        assert _count(PasswordToken, PasswordToken.user_id == scene.subject) == 0
        # Certificates: revoked as "holder erased", no name, no PDF.
        cert = db.session.get(Certificate, scene.certificate_id)
        assert cert.status == Certificate.REVOKED
        assert cert.revoked_reason == "holder erased"
        assert cert.holder_name == ""
        assert not cert.pdf
        # Eligibility revoked, with a history line.
        record = db.session.scalar(select(EligibilityRecord).where(EligibilityRecord.user_id == scene.subject))
        assert record.revoked_at is not None
        assert record.revoked_reason == "holder erased"
        assert _count(EligibilityEvent, EligibilityEvent.user_id == scene.subject, EligibilityEvent.kind == "revoked") == 1
        # ALS: what they wrote or asked for is gone; past attendance and membership stay as counts.
        assert _count(AlsAction, AlsAction.owner_id == scene.subject) == 0
        assert _count(AlsAction, AlsAction.owner_id == scene.other) == 1
        assert _count(AlsBid, AlsBid.user_id == scene.subject) == 0
        assert _count(AlsCalendarFeed, AlsCalendarFeed.user_id == scene.subject) == 0
        assert _count(AlsAttendance, AlsAttendance.user_id == scene.subject) == 1
        assert _count(AlsMember, AlsMember.user_id == scene.subject) == 1
        assert db.session.scalar(select(AlsNote.text).where(AlsNote.session_id == scene.past)) == NOTE
        # Evaluation: who submitted is gone, the pseudonymous answers stay.
        assert _count(Completion, Completion.user_id == scene.subject) == 0
        assert _count(Response) == responses_before
        assert _count(Answer) == answers_before
        # The audit log: the erasure, without the person's name or email; earlier events scrubbed.
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.erased"))
        assert event.actor_id == scene.world.admin
        assert event.hub_id == scene.world.hub
        assert (event.object_type, event.object_id) == ("user", scene.subject)
        details = json.dumps(event.details)
        assert SUBJECT_NAME not in details
        assert scene.email not in details
        every_detail = " ".join(json.dumps(e.details) for e in db.session.scalars(select(AuditEvent)))
        assert scene.email not in every_detail

    # Aggregate survey results are byte-identical.
    assert _results(app, client, scene) == before

    # The verify page shows the certificate revoked, without the holder's name.
    page = client.get(f"/verify/{code}", follow_redirects=True).get_data(as_text=True)
    assert "Status: Revoked" in page
    assert "holder erased" in page
    assert SUBJECT_NAME not in page
    assert "personal data has been erased" in page

    # Signed out everywhere; cannot sign in again with the old email.
    assert_redirect(their_browser.get("/account/profile"))
    failed = their_browser.post("/account/sign-in", data={"email": scene.email, "password": PASSWORD})
    assert failed.status_code == 200


def test_erasing_twice_is_harmless(app, client, auth, scene):  # type: ignore[no-untyped-def]
    auth.login_as(scene.world.admin)
    assert_redirect(client.post(f"/hub/users/{scene.subject}/erase", data={"confirm": "y"}))
    with app.app_context():
        first = db.session.get(User, scene.subject).erased_at
    again = client.post(f"/hub/users/{scene.subject}/erase", data={"confirm": "y"}, follow_redirects=True)
    assert "already been erased" in again.get_data(as_text=True)
    page = client.get(f"/hub/users/{scene.subject}/erase").get_data(as_text=True)
    assert "This person's personal data has been erased" in page
    with app.app_context():
        assert db.session.get(User, scene.subject).erased_at == first
        assert _count(AuditEvent, AuditEvent.action == "user.erased") == 1


def test_an_erased_account_cannot_be_reactivated_or_given_permissions(app, client, auth, scene):  # type: ignore[no-untyped-def]
    auth.login_as(scene.world.admin)
    client.post(f"/hub/users/{scene.subject}/erase", data={"confirm": "y"})
    client.post(f"/hub/users/{scene.subject}/reactivate")
    client.post(f"/hub/users/{scene.subject}/permission", data={"hub_role": "hub_admin"})
    client.post(f"/hub/users/{scene.subject}/resend-invitation")
    with app.app_context():
        user = db.session.get(User, scene.subject)
        assert not user.active
        assert user.hub_role == "learner"
        assert _count(PasswordToken, PasswordToken.user_id == scene.subject) == 0


def test_erasing_yourself_or_the_last_hub_admin_is_refused(app, client, auth, make_user, world):  # type: ignore[no-untyped-def]  # noqa: F811
    auth.login_as(world.admin)
    page = client.get(f"/hub/users/{world.admin}/erase").get_data(as_text=True)
    assert "You cannot erase your own account" in page
    response = client.post(f"/hub/users/{world.admin}/erase", data={"confirm": "y"}, follow_redirects=True)
    assert "You cannot erase your own account" in response.get_data(as_text=True)
    site = make_user(is_site_admin=True)
    auth.login_as(site)
    assert client.post("/admin/people/erase", data={"email": "nobody@example.org"}).status_code == 400
    with app.app_context():
        admin_email = db.session.get(User, world.admin).email
    page = client.post("/admin/people/erase", data={"email": admin_email}).get_data(as_text=True)
    assert "is the only hub administrator" in page
    response = client.post(
        "/admin/people/erase", data={"email": admin_email, "step": "confirm", "confirm": "y"}, follow_redirects=True
    )
    assert "is the only hub administrator" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world.admin).erased_at is None
        assert _count(AuditEvent, AuditEvent.action == "user.erased") == 0


def test_another_hubs_admin_cannot_reach_the_erasure(app, client, auth, world):  # type: ignore[no-untyped-def]  # noqa: F811
    member = world.members[world.groups[0]][0]
    auth.login_as(world.other_hub_admin)
    assert client.get(f"/hub/users/{member}/erase").status_code == 404
    assert client.post(f"/hub/users/{member}/erase", data={"confirm": "y"}).status_code == 404
    auth.login_as(member)
    assert client.get(f"/hub/users/{member}/erase").status_code == 403
    with app.app_context():
        assert db.session.get(User, member).erased_at is None


def test_site_admin_erases_by_email_after_confirming(app, client, auth, make_user, world):  # type: ignore[no-untyped-def]  # noqa: F811
    member = world.members[world.groups[0]][0]
    with app.app_context():
        email = db.session.get(User, member).email
    auth.login_as(make_user(is_site_admin=True))
    assert "Erase a person" in client.get("/admin/hubs").get_data(as_text=True)
    assert client.get("/admin/people/erase").status_code == 200
    unknown = client.post("/admin/people/erase", data={"email": "nobody@example.org"})
    assert "No account has this email address" in unknown.get_data(as_text=True)
    confirm = client.post("/admin/people/erase", data={"email": email.upper()})
    assert confirm.status_code == 200
    assert SUBJECT_NAME in confirm.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, member).erased_at is None
    unticked = client.post("/admin/people/erase", data={"email": email, "step": "confirm"})
    assert unticked.status_code == 400
    done = client.post("/admin/people/erase", data={"email": email, "step": "confirm", "confirm": "y"})
    assert_redirect(done)
    with app.app_context():
        assert db.session.get(User, member).erased_at is not None
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.erased"))
        assert event.hub_id == world.hub


def test_erasure_removes_a_waiting_list_place_but_keeps_enrolments(app, client, auth, make_course, world):  # type: ignore[no-untyped-def]  # noqa: F811
    from learnhub.courses import services as courses
    from learnhub.courses.models import Cohort, Enrolment

    course = make_course(world.hub, capacity=1)
    first, second = world.members[world.groups[0]][:2]
    with app.test_request_context():
        admin = db.session.get(User, world.admin)
        cohort = db.session.get(Cohort, course.cohort)
        courses.enrol(admin, cohort, db.session.get(User, first))
        courses.enrol(admin, cohort, db.session.get(User, second))
        db.session.commit()  # services do not commit: the request (here the test) does
    auth.login_as(world.admin)
    for uid in (first, second):
        assert_redirect(client.post(f"/hub/users/{uid}/erase", data={"confirm": "y"}))
    with app.app_context():
        assert _count(Enrolment, Enrolment.user_id == first) == 1
        assert _count(Enrolment, Enrolment.user_id == second) == 0


def test_no_certificate_is_issued_to_an_erased_person(app, client, auth, world):  # type: ignore[no-untyped-def]  # noqa: F811
    from learnhub.certificates.course_link import issue_for_completion
    from learnhub.certificates.models import Certificate

    member = world.members[world.groups[0]][0]
    auth.login_as(world.admin)
    assert_redirect(client.post(f"/hub/users/{member}/erase", data={"confirm": "y"}))
    with app.test_request_context():
        # A course change re-checks completions; one for an erased person issues nothing.
        issue_for_completion(SimpleNamespace(id=1, user=db.session.get(User, member)))
        db.session.commit()
        assert _count(Certificate, Certificate.user_id == member) == 0
