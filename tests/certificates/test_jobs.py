"""Bulk issue and re-issue: inline without Redis, queued on RQ with it."""

from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.certificates import jobs
from learnhub.certificates.models import BulkJob, Certificate
from learnhub.extensions import db
from tests.certificates.fixtures import cohort_with_completions


def completions_of(app, user_ids: list[int]) -> list[int]:
    """A course in the first user's hub with a completion for each user; returns the completion ids."""
    with app.app_context():
        hub_id = db.session.get(User, user_ids[0]).hub_id
    return cohort_with_completions(app, hub_id, user_ids)[1]


def test_bulk_issue_runs_inline_without_redis_and_skips_bad_items(app, make_user):
    admin_id = make_user(hub_role="hub_admin")
    with app.app_context():
        hub_id = db.session.get(User, admin_id).hub_id
    learners = [make_user(hub_id=hub_id) for _ in range(3)]
    other_hub = completions_of(app, [make_user()])  # a completion of another hub's course
    items = completions_of(app, learners) + [999999] + other_hub
    with app.test_request_context():
        job = jobs.start_bulk_job(db.session.get(User, admin_id), hub_id, "issue", items)
        assert (job.total, job.done, job.failed, job.state) == (5, 3, 2, "finished")
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 3
        # Running it again (e.g. a worker restarted) issues nothing twice.
        jobs.run_bulk_job(job.id)
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 3
        # A second job for the same completions finds their certificates and issues none.
        again = jobs.start_bulk_job(None, hub_id, "issue", items[:3])
        assert (again.done, again.failed) == (3, 0)
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 3


def test_bulk_job_is_queued_on_rq_when_redis_is_configured(app, make_user, monkeypatch):
    queued = []

    class FakeQueue:
        def __init__(self, name, connection):  # type: ignore[no-untyped-def]
            queued.append(name)

        def enqueue(self, func, job_id, **options):  # type: ignore[no-untyped-def]
            queued.append((func, job_id))

    monkeypatch.setattr("rq.Queue", FakeQueue)
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    user_id = make_user()
    items = completions_of(app, [user_id])
    with app.test_request_context():
        hub_id = db.session.get(User, user_id).hub_id
        job = jobs.start_bulk_job(None, hub_id, "issue", items)
        assert queued == [jobs.QUEUE, (jobs.run_in_new_app, job.id)]
        assert db.session.get(BulkJob, job.id).state == "queued"
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0
        jobs.run_bulk_job(job.id)  # what the worker does
        assert db.session.get(BulkJob, job.id).done == 1
