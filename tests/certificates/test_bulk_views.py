"""Issuing and re-issuing a cohort's certificates from the cohort page, with the progress page."""

from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.certificates.models import BulkJob, Certificate
from learnhub.extensions import db
from tests.certificates.fixtures import cohort_with_completions
from tests.helpers import assert_redirect


def _hub_of(app, user_id: int) -> int:
    with app.app_context():
        return db.session.get(User, user_id).hub_id


def _certificates(app) -> list[Certificate]:
    with app.app_context():
        certs = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
        for cert in certs:
            db.session.expunge(cert)
        return list(certs)


def test_cohort_page_issues_to_members_who_completed_and_have_none(client, app, auth, make_user):
    admin_id = make_user(hub_role="hub_admin")
    hub_id = _hub_of(app, admin_id)
    done = [make_user(hub_id=hub_id, name=f"Learner {i}") for i in range(3)]
    not_done = make_user(hub_id=hub_id, name="Still Learning")
    cohort_id, _ = cohort_with_completions(app, hub_id, done, also_enrolled=[not_done])
    auth.login_as(admin_id)

    listing = client.get("/hub/certificates/bulk").get_data(as_text=True)
    assert "Spring 2026" in listing
    assert f"/hub/certificates/cohorts/{cohort_id}" in listing
    page = client.get(f"/hub/certificates/cohorts/{cohort_id}").get_data(as_text=True)
    assert "3 people have completed the course in this cohort and have no certificate yet" in page
    assert "Issue 3 certificates" in page
    assert "Nobody in this cohort has a current certificate to re-issue" in page

    response = client.post(f"/hub/certificates/cohorts/{cohort_id}", data={"kind": "issue"})
    assert_redirect(response)
    progress = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 of 3 certificates issued" in progress
    assert "Finished" in progress
    assert 'http-equiv="refresh"' not in progress  # no timed refresh (WCAG 2.2.1); the page links to itself instead
    certs = _certificates(app)
    assert sorted(c.holder_name for c in certs) == ["Learner 0", "Learner 1", "Learner 2"]
    assert all(c.status == "valid" and c.completion_id is not None for c in certs)


def test_double_submit_issues_once_and_says_there_is_nothing_left(client, app, auth, make_user):
    admin_id = make_user(hub_role="hub_admin")
    hub_id = _hub_of(app, admin_id)
    cohort_id, _ = cohort_with_completions(app, hub_id, [make_user(hub_id=hub_id) for _ in range(2)])
    auth.login_as(admin_id)
    first = client.post(f"/hub/certificates/cohorts/{cohort_id}", data={"kind": "issue"})
    second = client.post(f"/hub/certificates/cohorts/{cohort_id}", data={"kind": "issue"})
    assert_redirect(first)
    assert second.status_code == 400
    text = second.get_data(as_text=True)
    assert "There is a problem" in text
    assert "already has a certificate. Nothing was issued." in text
    assert len(_certificates(app)) == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BulkJob)) == 1


def test_second_submit_while_a_job_is_queued_goes_to_that_job(client, app, auth, make_user):
    admin_id = make_user(hub_role="hub_admin")
    hub_id = _hub_of(app, admin_id)
    cohort_id, completions = cohort_with_completions(app, hub_id, [make_user(hub_id=hub_id)])
    with app.app_context():
        queued = BulkJob(hub_id=hub_id, kind="issue", items=completions, total=1, cohort_id=cohort_id)
        db.session.add(queued)
        db.session.commit()
        queued_id = queued.id
    auth.login_as(admin_id)
    page = client.get(f"/hub/certificates/cohorts/{cohort_id}").get_data(as_text=True)
    assert "being issued now" in page
    response = client.post(f"/hub/certificates/cohorts/{cohort_id}", data={"kind": "issue"})
    assert response.headers["Location"].endswith(f"/hub/certificates/jobs/{queued_id}")
    progress = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "already being issued" in progress
    assert "0 of 1 certificate issued" in progress
    assert "Refresh to see progress" in progress
    assert _certificates(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BulkJob)) == 1


def test_reissue_for_a_cohort_after_a_signatory_change(client, app, auth, make_user):
    from learnhub.organisations.models import Hub

    admin_id = make_user(hub_role="hub_admin")
    hub_id = _hub_of(app, admin_id)
    cohort_id, _ = cohort_with_completions(app, hub_id, [make_user(hub_id=hub_id) for _ in range(2)])
    auth.login_as(admin_id)
    client.post(f"/hub/certificates/cohorts/{cohort_id}", data={"kind": "issue"})
    with app.app_context():
        db.session.get(Hub, hub_id).signatory = "Dr New Lead, Clinical Director"
        db.session.commit()
    assert "Re-issue 2 certificates" in client.get(f"/hub/certificates/cohorts/{cohort_id}").get_data(as_text=True)
    response = client.post(f"/hub/certificates/cohorts/{cohort_id}", data={"kind": "reissue"})
    assert "2 of 2 certificates re-issued" in client.get(response.headers["Location"]).get_data(as_text=True)
    certs = _certificates(app)
    assert sorted(c.status for c in certs) == ["superseded", "superseded", "valid", "valid"]
    assert {c.signatory for c in certs if c.status == "valid"} == {"Dr New Lead, Clinical Director"}
    # Nothing is left to issue: re-issued certificates count as the cohort's certificates.
    assert "There is nothing to issue" in client.get(f"/hub/certificates/cohorts/{cohort_id}").get_data(as_text=True)


def test_another_hubs_cohort_is_not_found(client, app, auth, make_user):
    owner_admin = make_user(hub_role="hub_admin")
    hub_id = _hub_of(app, owner_admin)
    cohort_id, _ = cohort_with_completions(app, hub_id, [make_user(hub_id=hub_id)])
    auth.login_as(make_user(hub_role="hub_admin"))  # another hub
    assert client.get(f"/hub/certificates/cohorts/{cohort_id}").status_code == 404
    assert client.post(f"/hub/certificates/cohorts/{cohort_id}", data={"kind": "issue"}).status_code == 404
    assert "Spring 2026" not in client.get("/hub/certificates/bulk").get_data(as_text=True)
    assert client.get("/hub/certificates/cohorts/999999").status_code == 404
    assert _certificates(app) == []
    auth.login_as(make_user(hub_id=hub_id))  # a learner of the same hub
    assert client.get(f"/hub/certificates/cohorts/{cohort_id}").status_code == 403


def test_unknown_action_is_refused_without_changes(client, app, auth, make_user):
    admin_id = make_user(hub_role="hub_admin")
    hub_id = _hub_of(app, admin_id)
    cohort_id, _ = cohort_with_completions(app, hub_id, [make_user(hub_id=hub_id)])
    auth.login_as(admin_id)
    assert client.post(f"/hub/certificates/cohorts/{cohort_id}", data={"kind": "delete"}).status_code == 400
    assert _certificates(app) == []
