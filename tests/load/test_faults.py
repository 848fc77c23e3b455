"""Faults under load, on loopback only: a worker killed, the database restarted, Redis gone.

The database restart uses a throwaway PostgreSQL cluster in a temporary folder on a free port
(never the machine's shared server). It is skipped only when the PostgreSQL server binaries
are missing, and never in CI.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from benchmarks.load import UNAVAILABLE, Acks, Server, SimUser, Stats, free_port, migrated_app, prepare, run_load, verify

pytestmark = pytest.mark.load

PG_BIN = Path(os.environ.get("LEARNHUB_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _wait_for(condition, seconds: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the load to get going")
        time.sleep(0.05)


def _in_background(server: Server, world, rounds: int) -> tuple[threading.Thread, Stats, Acks, dict]:  # type: ignore[no-untyped-def]
    stats, acks, done = Stats(), Acks(), {}

    def load() -> None:
        done["result"] = run_load(server.url, world, rounds=rounds, tolerate_faults=True, stats=stats, acks=acks)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    return thread, stats, acks, done


def _every_submission_acknowledged(world, acks: Acks, rounds: int) -> None:  # type: ignore[no-untyped-def]
    by_role = {role: sum(1 for p in world.people if p.role == role) for role in ("participant", "learner", "facilitator")}
    assert len(acks.surveys) == by_role["participant"] * rounds
    assert sum(len(ids) for ids in acks.checks.values()) == by_role["learner"] * rounds
    assert len(acks.sessions) == by_role["facilitator"] * rounds


def test_killing_a_worker_mid_load_loses_and_half_writes_nothing(app, database_url, tmp_path):
    rounds = 3
    world = prepare(app, users=12, rounds=rounds)
    with Server(database_url, tmp_path, workers=3) as server:
        thread, stats, acks, done = _in_background(server, world, rounds)
        _wait_for(lambda: acks.attempted >= 6)
        victim = server.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        thread.join(timeout=300)
        assert "result" in done, "the load did not finish"
        # The master replaces the dead worker; the others carried on meanwhile.
        _wait_for(lambda: len(server.worker_pids()) == 3 and victim not in server.worker_pids())

    assert stats.problems == []
    assert stats.count("500") == 0
    _every_submission_acknowledged(world, acks, rounds)
    assert verify(app, world, acks, strict=False) == []


# --- PostgreSQL restart ------------------------------------------------------------------------------


class ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary folder, on a free 127.0.0.1 port, trust authentication."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="learnhub-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._as_postgres: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            shutil.chown(self.dir, "postgres")
            self._as_postgres = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as_postgres, *args], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def throwaway_postgres():  # type: ignore[no-untyped-def]
    if not (PG_BIN / "initdb").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL server binaries are missing from {PG_BIN}; CI must run the restart test")
        pytest.skip(f"PostgreSQL server binaries not found in {PG_BIN} (set LEARNHUB_PG_BIN)")
    cluster = ThrowawayPostgres()
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


def test_database_restart_mid_load_gives_the_503_page_then_recovers(throwaway_postgres, tmp_path):
    rounds = 3
    with migrated_app(throwaway_postgres.url, tmp_path) as app:
        world = prepare(app, users=9, rounds=rounds)
        with Server(throwaway_postgres.url, tmp_path, workers=2) as server:
            probe_person = next(p for p in world.people if p.role == "participant")
            probe = SimUser(server.url, probe_person, Stats(), tolerate_faults=False, timeout=15)
            probe.sign_in()
            thread, stats, acks, done = _in_background(server, world, rounds)
            _wait_for(lambda: acks.attempted >= 4)

            throwaway_postgres.stop()
            # While the database is down: the 503 page, quickly (no hang), never a 500.
            for path in ["/", f"/evaluation/surveys/{probe_person.targets[0]}/pre", "/evaluation/surveys"]:
                response = probe.http.get(server.url + path, timeout=15)
                assert response.status_code == 503, path
                assert UNAVAILABLE in response.text
            assert probe.http.get(server.url + "/healthz", timeout=15).status_code == 503
            time.sleep(1)
            throwaway_postgres.start()

            # After the restart the pool reconnects (pool_pre_ping): the same pages work again.
            assert probe.http.get(server.url + "/evaluation/surveys", timeout=15).status_code == 200
            thread.join(timeout=300)
            probe.http.close()
            assert "result" in done, "the load did not finish"

        assert stats.problems == []
        assert stats.count("500") == 0
        _every_submission_acknowledged(world, acks, rounds)
        assert verify(app, world, acks, strict=False) == []


# --- Redis unavailable ---------------------------------------------------------------------------------


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on: Redis is 'down'."""
    return free_port()


def test_site_works_and_sign_in_limits_fall_back_to_memory_without_redis(make_app, make_user, closed_port):
    from tests.conftest import PASSWORD

    app = make_app(REDIS_URL=f"redis://127.0.0.1:{closed_port}/0", RATELIMIT_STORAGE_URI=None, LOGIN_RATE_LIMIT="3 per minute")
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("redis://")
    with app.app_context():
        user_id = make_user()
        from learnhub.accounts.models import User
        from learnhub.extensions import db

        email = db.session.get(User, user_id).email
    client = app.test_client()
    assert client.get("/account/sign-in").status_code == 200
    assert client.post("/account/sign-in", data={"email": email, "password": PASSWORD}).status_code == 302
    assert client.get("/").status_code == 200
    client.post("/account/sign-out", headers={"Origin": "http://localhost"})

    # Failed sign-ins are still limited, counted in the worker's memory while Redis is away.
    # (Another email: this browser has signed in as ``email``, so only its device limit would apply.)
    other = "someone.else@example.org"
    statuses = [client.post("/account/sign-in", data={"email": other, "password": "wrong"}).status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]


def test_bulk_certificate_job_runs_inline_when_redis_is_down(make_app, make_user, closed_port, caplog, monkeypatch):
    from sqlalchemy import func, select

    from learnhub.accounts.models import User
    from learnhub.certificates import jobs
    from learnhub.certificates.models import BulkJob, Certificate
    from learnhub.extensions import db
    from tests.certificates.test_jobs import completions_of

    app = make_app(REDIS_URL=f"redis://127.0.0.1:{closed_port}/0")
    # Alembic's logging set-up (the migrations run by the schema fixture) disables existing loggers.
    monkeypatch.setattr(app.logger, "disabled", False)
    user_id = make_user()
    items = completions_of(app, [user_id])
    with app.test_request_context():
        user = db.session.get(User, user_id)
        job = jobs.start_bulk_job(None, user.hub_id, "issue", items)
        assert db.session.get(BulkJob, job.id).state == "finished"
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
    assert "job queue (Redis) is unavailable" in caplog.text
