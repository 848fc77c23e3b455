"""The failed-job view for hub administrators, and RQ retries of bulk jobs (issue 21)."""

import operator
from datetime import timedelta

import pytest

from learnhub.accounts.models import User
from learnhub.certificates import jobs
from learnhub.certificates.models import BulkJob
from learnhub.extensions import db
from learnhub.timeutil import utcnow

REDIS_URL = "redis://127.0.0.1:6379/10"


def _job(app, hub_id: int, **values) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        job = BulkJob(hub_id=hub_id, kind="issue", items=[1, 2, 3], total=3, **values)
        db.session.add(job)
        db.session.commit()
        return job.id


def _hub_admin(app, make_user) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    admin_id = make_user(hub_role="hub_admin")
    with app.app_context():
        return admin_id, db.session.get(User, admin_id).hub_id


def test_hub_admins_see_their_own_jobs_with_failures_or_stopped(client, app, auth, make_user):
    admin_id, hub_id = _hub_admin(app, make_user)
    long_ago = utcnow() - timedelta(hours=1)
    failed = _job(app, hub_id, done=2, failed=1, state="finished", finished_at=utcnow())
    stopped = _job(app, hub_id, done=1, state="running", heartbeat_at=long_ago, created_at=long_ago)
    _job(app, hub_id, done=3, state="finished", finished_at=utcnow())  # all well: not listed
    _job(app, hub_id, state="running", heartbeat_at=utcnow())  # working: not listed
    _, other_hub = _hub_admin(app, make_user)
    elsewhere = _job(app, other_hub, done=0, failed=3, state="finished", finished_at=utcnow())

    auth.login_as(admin_id)
    page = client.get("/hub/certificates/jobs").get_data(as_text=True)
    table = page.split('id="jobs-needing-attention"', 1)[1].split("</table>", 1)[0]
    assert f"/hub/certificates/jobs/{failed}" in table
    assert "2 of 3 done, 1 could not be made" in table
    assert f"/hub/certificates/jobs/{stopped}" in table
    assert "stopped (no progress)" in table
    assert table.count("/hub/certificates/jobs/") == 2
    assert f"/hub/certificates/jobs/{elsewhere}" not in page
    assert "The job queue is not in use" in page
    assert "/hub/certificates/jobs" in client.get("/hub/certificates/bulk").get_data(as_text=True)

    auth.login_as(make_user(hub_id=hub_id))  # a learner of the same hub
    assert client.get("/hub/certificates/jobs").status_code == 403


@pytest.fixture
def redis_queue():  # type: ignore[no-untyped-def]
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.exceptions.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    connection.flushdb()
    yield connection
    connection.flushdb()


def test_jobs_the_queue_gave_up_on_are_listed_for_their_hub_only_by_error_type(client, app, auth, make_user, redis_queue):
    from rq import Queue, SimpleWorker

    admin_id, hub_id = _hub_admin(app, make_user)
    own = _job(app, hub_id, state="queued")
    _, other_hub = _hub_admin(app, make_user)
    theirs = _job(app, other_hub, state="queued")
    queue = Queue(jobs.QUEUE, connection=redis_queue)
    for job_id in (own, theirs):
        queue.enqueue(operator.truediv, job_id, 0)  # raises ZeroDivisionError: "division by zero"
    SimpleWorker([queue], connection=redis_queue).work(burst=True)

    app.config["REDIS_URL"] = REDIS_URL
    auth.login_as(admin_id)
    page = client.get("/hub/certificates/jobs").get_data(as_text=True)
    failures = page.split('id="queue-failures"', 1)[1].split("</ul>", 1)[0]
    assert f"/hub/certificates/jobs/{own}" in failures
    assert "ZeroDivisionError" in failures
    assert "division by zero" not in failures  # the type only, never the message
    assert f"/hub/certificates/jobs/{theirs}" not in page


def test_a_queued_bulk_job_is_retried_after_the_stall_time(app, make_user, redis_queue):
    from rq import Queue

    app.config["REDIS_URL"] = REDIS_URL
    _, hub_id = _hub_admin(app, make_user)
    with app.test_request_context():
        job = jobs.start_bulk_job(None, hub_id, "issue", [999999])
        stall = int(app.config["BULK_JOB_STALL_SECONDS"])
    (queued,) = Queue(jobs.QUEUE, connection=redis_queue).get_jobs()
    assert queued.args == (job.id,)
    assert queued.retries_left == jobs.RETRIES
    assert queued.retry_intervals == [stall + 30]
