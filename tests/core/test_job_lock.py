"""Scheduled commands run once across hosts (issue 21): ``learnhub.locks.job_lock``.

Every host runs the same daily cron; the first run takes the lock and the others exit at once,
saying another host holds it. Tested on SQLite (a lock row) and PostgreSQL (advisory lock).
"""

from datetime import timedelta

from sqlalchemy import update

from learnhub.extensions import db
from learnhub.locks import JobLock, job_lock
from learnhub.timeutil import utcnow


def test_a_held_lock_is_refused_to_a_second_taker_and_free_again_after(app):
    with app.app_context():
        with job_lock("nightly") as first:
            assert first is True
            with job_lock("nightly") as second:
                assert second is False
            with job_lock("another") as other:
                assert other is True
        with job_lock("nightly") as again:
            assert again is True


def test_a_command_finding_the_lock_held_exits_cleanly_and_does_nothing(app):
    with app.app_context(), job_lock("send-eligibility-reminders") as taken:
        assert taken
        result = app.test_cli_runner().invoke(args=["send-eligibility-reminders", "--today", "2028-10-12"])
        assert result.exit_code == 0
        assert "another host (or process) holds the lock" in result.output
        assert "Sent" not in result.output
        result = app.test_cli_runner().invoke(args=["als", "purge-expired-notes"])
        assert result.exit_code == 0
        assert "Deleted" in result.output  # a different lock: not held


def test_a_lock_row_left_by_a_crashed_process_expires(app):
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # PostgreSQL drops an advisory lock with the session of a process that died; no row is used.
            with job_lock("nightly") as taken:
                assert taken
            assert db.session.query(JobLock).count() == 0
            return
        with job_lock("nightly") as taken:
            assert taken
            # The holder "crashes": its row stays, past its expiry.
            db.session.execute(update(JobLock).values(expires_at=utcnow() - timedelta(seconds=1)))
            db.session.commit()
            with job_lock("nightly") as second:
                assert second is True
