"""Abandoned bulk jobs: seen by their heartbeat, resumed or cancelled from the job page, never duplicating."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from learnhub.accounts.models import User
from learnhub.certificates import jobs
from learnhub.certificates.models import BulkJob, Certificate
from learnhub.extensions import db
from learnhub.timeutil import utcnow
from tests.certificates.fixtures import cohort_with_completions


class Killed(BaseException):
    """The process dying mid-job (SIGKILL): nothing after it runs, nothing is committed."""


@pytest.fixture
def cohort(app, make_user):  # type: ignore[no-untyped-def]
    admin_id = make_user(hub_role="hub_admin")
    with app.app_context():
        hub_id = db.session.get(User, admin_id).hub_id
    learners = [make_user(hub_id=hub_id) for _ in range(4)]
    cohort_id, completions = cohort_with_completions(app, hub_id, learners)
    return {"admin": admin_id, "hub": hub_id, "cohort": cohort_id, "completions": completions}


def _kill_on_call(monkeypatch, target: str, call: int) -> None:  # type: ignore[no-untyped-def]
    """Make ``jobs.<target>`` die on its ``call``-th call (the earlier calls run as normal)."""
    real = getattr(jobs, target)
    calls = {"n": 0}

    def dying(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == call:
            raise Killed
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs, target, dying)


def _start_and_kill(app, cohort, kind: str = "issue") -> int:  # type: ignore[no-untyped-def]
    items = cohort["completions"]
    if kind == "reissue":
        with app.app_context():
            items = list(db.session.scalars(select(Certificate.id).order_by(Certificate.id)))
    with app.test_request_context():
        admin = db.session.get(User, cohort["admin"])
        with pytest.raises(Killed):
            jobs.start_bulk_job(admin, cohort["hub"], kind, items, cohort_id=cohort["cohort"])
        db.session.rollback()  # the dead process's open transaction never commits
        return db.session.scalars(select(BulkJob.id).order_by(BulkJob.id.desc())).first()


def _age_heartbeat(app, job_id: int, minutes: int = 10) -> None:
    with app.app_context():
        db.session.execute(update(BulkJob).where(BulkJob.id == job_id).values(heartbeat_at=utcnow() - timedelta(minutes=minutes)))
        db.session.commit()


def _state(app, job_id: int) -> tuple:  # type: ignore[no-untyped-def]
    with app.app_context():
        job = db.session.get(BulkJob, job_id)
        current = db.session.scalar(select(func.count()).select_from(Certificate).where(Certificate.status == Certificate.VALID))
        every = db.session.scalar(select(func.count()).select_from(Certificate))
        return job.state, job.done, job.failed, current, every


def test_a_job_killed_mid_item_is_seen_as_stopped_and_resumes_without_duplicates(app, client, auth, cohort, monkeypatch):
    # Dies while writing the third certificate: its progress was written but never committed.
    _kill_on_call(monkeypatch, "_issue_item", 3)
    job_id = _start_and_kill(app, cohort)
    monkeypatch.undo()
    assert _state(app, job_id) == ("running", 2, 0, 2, 2)

    auth.login_as(cohort["admin"])
    page = client.get(f"/hub/certificates/jobs/{job_id}").get_data(as_text=True)
    assert "Working through the list" in page  # a live job is not offered a resume
    refused = client.post(f"/hub/certificates/jobs/{job_id}/resume", follow_redirects=True).get_data(as_text=True)
    assert "This job is not stuck" in refused
    assert _state(app, job_id) == ("running", 2, 0, 2, 2)

    _age_heartbeat(app, job_id)
    page = client.get(f"/hub/certificates/jobs/{job_id}").get_data(as_text=True)
    assert "This job has stopped" in page
    assert "Resume it to do the 2 that are left" in page
    # A second click on the cohort page goes to the stopped job, which can be resumed there.
    again = client.post(f"/hub/certificates/cohorts/{cohort['cohort']}", data={"kind": "issue"})
    assert again.headers["Location"].endswith(f"/hub/certificates/jobs/{job_id}")

    resumed = client.post(f"/hub/certificates/jobs/{job_id}/resume", follow_redirects=True).get_data(as_text=True)
    assert "started again from where it stopped" in resumed
    assert "Finished." in resumed
    assert _state(app, job_id) == ("finished", 4, 0, 4, 4)
    with app.app_context():
        per_completion = db.session.execute(
            select(Certificate.completion_id, func.count()).group_by(Certificate.completion_id)
        ).all()
        assert sorted(count for _, count in per_completion) == [1, 1, 1, 1]
        actions = db.session.scalars(select(db.metadata.tables["audit_event"].c.action)).all()
        assert "certificate.bulk_job_resumed" in actions


def test_a_killed_reissue_resumes_without_reissuing_twice(app, cohort, monkeypatch):
    with app.test_request_context():
        jobs.start_bulk_job(None, cohort["hub"], "issue", cohort["completions"], cohort_id=cohort["cohort"])
    _kill_on_call(monkeypatch, "_record", 2)  # the second item's progress: the first re-issue is committed
    job_id = _start_and_kill(app, cohort, kind="reissue")
    monkeypatch.undo()
    # 4 first versions, one of which was re-issued before the kill.
    assert _state(app, job_id)[:3] == ("running", 1, 0)
    _age_heartbeat(app, job_id)
    with app.test_request_context():
        assert jobs.resume_bulk_job(db.session.get(User, cohort["admin"]), db.session.get(BulkJob, job_id))
    state, done, failed, current, every = _state(app, job_id)
    assert (state, done, failed, current, every) == ("finished", 4, 0, 4, 8)
    with app.app_context():
        versions = db.session.scalars(select(Certificate.version).where(Certificate.status == Certificate.VALID)).all()
        assert sorted(versions) == [2, 2, 2, 2]


def test_a_live_runner_keeps_its_job(app, cohort):
    with app.app_context():
        job = BulkJob(hub_id=cohort["hub"], kind="issue", items=cohort["completions"], total=4, state="running",
                      runner="someone-else", heartbeat_at=utcnow())  # fmt: skip
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    with app.app_context():
        jobs.run_bulk_job(job_id)  # e.g. RQ delivering the job a second time
    assert _state(app, job_id) == ("running", 0, 0, 0, 0)


def test_cancel_stops_the_job_and_keeps_what_was_issued(app, client, auth, cohort, monkeypatch):
    _kill_on_call(monkeypatch, "_issue_item", 2)
    job_id = _start_and_kill(app, cohort)
    monkeypatch.undo()
    auth.login_as(cohort["admin"])
    _age_heartbeat(app, job_id)
    page = client.post(f"/hub/certificates/jobs/{job_id}/cancel", follow_redirects=True).get_data(as_text=True)
    assert "The job has been cancelled" in page
    assert "Cancelled." in page
    assert _state(app, job_id) == ("cancelled", 1, 0, 1, 1)
    with app.app_context():
        jobs.run_bulk_job(job_id)  # a late worker does nothing with a cancelled job
    assert _state(app, job_id) == ("cancelled", 1, 0, 1, 1)
    # The cohort is free for a new job, which issues the rest.
    response = client.post(f"/hub/certificates/cohorts/{cohort['cohort']}", data={"kind": "issue"})
    assert response.headers["Location"] != f"/hub/certificates/jobs/{job_id}"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 4


def test_a_running_job_can_be_cancelled_and_its_runner_stops_at_the_next_item(app, cohort, monkeypatch):
    real = jobs._record
    calls = []

    def cancel_midway(job_id, runner, **counts):  # type: ignore[no-untyped-def]
        calls.append(counts)
        if len(calls) == 2:  # between items, an administrator presses "Cancel the job" in another request
            with app.app_context():
                jobs.cancel_bulk_job(db.session.get(User, cohort["admin"]), db.session.get(BulkJob, job_id))
        return real(job_id, runner, **counts)

    monkeypatch.setattr(jobs, "_record", cancel_midway)
    with app.test_request_context():
        job = jobs.start_bulk_job(None, cohort["hub"], "issue", cohort["completions"], cohort_id=cohort["cohort"])
        job_id = job.id
    assert len(calls) == 2
    assert _state(app, job_id) == ("cancelled", 1, 0, 1, 1)
