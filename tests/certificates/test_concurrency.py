"""Ten clicks on "Issue certificates" for a cohort, at once, against a live server: one job."""

from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.certificates.models import BulkJob, Certificate
from learnhub.extensions import db
from tests.certificates.fixtures import cohort_with_completions
from tests.live_concurrency import csrf_token, post_at_once, signed_in, statuses


def test_ten_clicks_on_issue_make_one_bulk_job_and_one_certificate_each(app, live_server_url, make_user):
    admin_id = make_user("admin@example.org", hub_role="hub_admin")
    with app.app_context():
        hub_id = db.session.get(User, admin_id).hub_id
    learners = [make_user(hub_id=hub_id, name=f"Learner {i}") for i in range(3)]
    cohort_id, _ = cohort_with_completions(app, hub_id, learners)
    browser = signed_in(live_server_url, "admin@example.org")
    url = f"{live_server_url}/hub/certificates/cohorts/{cohort_id}"
    token = csrf_token(browser.get(url).text)
    responses = post_at_once(browser, url, {"csrf_token": token, "kind": "issue"})
    # The first click starts the job; the others are shown its progress, or (when it has
    # already finished) that everyone has a certificate. Never a 500.
    assert all(r.status_code in (302, 400) for r in responses), statuses(responses)
    assert all("already has a certificate" in r.text for r in responses if r.status_code == 400)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BulkJob)) == 1
        job = db.session.scalar(select(BulkJob))
        assert (job.total, job.done, job.failed) == (3, 3, 0)
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 3
    jobs = {r.headers["Location"] for r in responses if r.status_code == 302}
    assert jobs == {f"/hub/certificates/jobs/{job.id}"}
