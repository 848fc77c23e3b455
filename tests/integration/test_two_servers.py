"""Two app servers, one RQ worker, one PostgreSQL and one Redis: a stateless web tier (issue 21).

Two gunicorn servers (A and B) on two loopback ports and ``flask worker`` (RQ) share the
suite's PostgreSQL database and Redis (database 11, a key prefix of this run for the limits).
One person's browser moves between them, as behind a load balancer that does not stick:

- signs in on A and is signed in on B (sessions are cookies, nothing on either server's disk);
- a course image uploaded on A is served by B, with the same ETag;
- a course completed on B gives a certificate downloaded from A;
- a cohort's certificates issued on A are made by the RQ worker;
- failed sign-ins are counted across both (limits kept in Redis);
- the reminder command started on both hosts at once sends one email to each person;
- a load through a small failover proxy (the load balancer) goes on while A is stopped:
  B serves everything after, and every acknowledged submission is stored exactly once.

Needs PostgreSQL (``LEARNHUB_TEST_DATABASE_URL``) and Redis on 127.0.0.1:6379; skipped on a
SQLite-only run. In CI (``CI`` set) a missing Redis fails the test instead of skipping it.
"""

import http.server
import os
import secrets
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from benchmarks.load import UNAVAILABLE, Acks, Server, free_port, prepare, run_load, verify
from tests import scale_flows as flows
from tests.smtp_sink import smtp_sink

pytestmark = pytest.mark.scale

REDIS_URL = "redis://127.0.0.1:6379/11"
ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 3


@pytest.fixture
def redis_db(database_url):  # type: ignore[no-untyped-def]
    """Redis database 11, emptied before and after (on a PostgreSQL run only)."""
    import redis

    if database_url.startswith("sqlite"):
        pytest.skip("the two-server test needs PostgreSQL (LEARNHUB_TEST_DATABASE_URL): SQLite is one host's file")

    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except redis.exceptions.RedisError as error:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Redis on 127.0.0.1:6379 for the two-server test: {error}")
        pytest.skip(f"the two-server test needs Redis on 127.0.0.1:6379: {error}")
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


class FailoverProxy:
    """The load balancer: round-robin over the app servers; a server that refuses connections is skipped.

    A request that could not be delivered to one server (connection refused) is sent to the
    next; one that failed after it was sent is answered 503 (the person presses the button
    again, and the application's idempotency keeps it once).
    """

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self.turn = 0
        self.lock = threading.Lock()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.served: dict[str, int] = {b: 0 for b in backends}
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "accept-encoding")}
                headers["Accept-Encoding"] = "identity"
                for backend in proxy.order():
                    try:
                        answer = requests.request(
                            self.command, backend + self.path, data=body, headers=headers, allow_redirects=False, timeout=120
                        )
                    except requests.ConnectionError as error:
                        if "refused" in str(error).lower():
                            continue  # never reached the server: the next one gets it
                        self._reply(503, [], UNAVAILABLE.encode())
                        return
                    with proxy.lock:
                        proxy.served[backend] += 1
                    pairs = [(k, v) for k, v in answer.headers.items() if k.lower() not in _HOP_BY_HOP]
                    pairs += [("Set-Cookie", c) for c in answer.raw.headers.getlist("Set-Cookie")]
                    self._reply(answer.status_code, pairs, answer.content)
                    return
                self._reply(503, [], UNAVAILABLE.encode())

            def _reply(self, status: int, pairs: list, content: bytes) -> None:
                self.send_response(status)
                for key, value in pairs:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_HEAD = _forward  # noqa: N815 - http.server's names

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def order(self) -> list[str]:
        with self.lock:
            self.turn += 1
            start = self.turn % len(self.backends)
        return self.backends[start:] + self.backends[:start]

    def __enter__(self) -> "FailoverProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "set-cookie", "content-encoding"}


def _completed(results: list[subprocess.CompletedProcess]) -> list[str]:
    assert [r.returncode for r in results] == [0] * len(results), [r.stderr[-2000:] for r in results]
    return [r.stdout.strip() for r in results]


def test_two_app_servers_and_a_worker_share_everything_and_survive_losing_one(redis_db, app, database_url, tmp_path):
    world = prepare(app, users=6, rounds=ROUNDS)
    mix = world.mix
    learner = next(p for p in world.people if p.role == "learner")
    with app.app_context():
        from learnhub.accounts.models import User
        from learnhub.extensions import db

        hub_id = db.session.get(User, learner.user_id).hub_id
    due = flows.people_due_a_reminder(app, hub_id, 20)

    with smtp_sink(delay=0.1) as sink:
        shared = {
            **sink.environment(),
            "LEARNHUB_SECRET_KEY": "scale-" + secrets.token_hex(16),
            "LEARNHUB_REDIS_URL": REDIS_URL,
            "LEARNHUB_RATELIMIT_KEY_PREFIX": "scale-" + secrets.token_hex(4),
            "LEARNHUB_LOGIN_EMAIL_RATE_LIMIT": "5 per 5 minutes",
        }
        hosts = [tmp_path / "a", tmp_path / "b"]
        for host in hosts:
            host.mkdir()
        a = Server(database_url, hosts[0], workers=2, env=shared).start(timeout=300)
        b = Server(database_url, hosts[1], workers=2, env=shared)
        worker = None
        worker_log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115
        try:
            b.start(timeout=300)
            env = {**os.environ, **a._env, "LEARNHUB_BIND": ""}
            worker = subprocess.Popen(
                flows.flask_command(tmp_path / "worker", "worker"),
                cwd=ROOT,
                env=env,
                stdout=worker_log,
                stderr=subprocess.STDOUT,
            )

            # Sign in on A; the same cookie is signed in on B.
            person = flows.Browser(a.url)
            person.sign_in(learner.email)
            person.base = b.url
            person.get("/account/sign-in", expect=(302,))  # already signed in: sent on to the home page
            assert person.get("/certificates").status_code == 200

            # An image uploaded on A is served by B, byte for byte, with the same strong ETag.
            admin = flows.Browser(a.url)
            admin.sign_in(mix.admin)
            picture = flows.png("blue")
            src = flows.upload_image(admin, mix.course_id, picture)
            from_b = person.get(src)
            person.base = a.url
            from_a = person.get(src)
            assert from_b.content == from_a.content
            assert from_b.headers["ETag"] == from_a.headers["ETag"]
            person.base = b.url
            assert person.get(src, headers={"If-None-Match": from_a.headers["ETag"]}, expect=(304,)).content == b""

            # Complete a course on B; download the certificate from A.
            flows.complete_course(person, mix.course_id, mix.cohort_id, mix.module_id)
            person.base = a.url
            assert flows.download_certificate(person).startswith(b"%PDF")

            # A cohort's certificates issued on A: the RQ worker makes them.
            cohort = f"/hub/certificates/cohorts/{mix.records_cohort_id}"
            admin.submit(cohort, cohort, {"kind": "issue"})
            assert _bulk_job_finished(app, mix.records_cohort_id, timeout=180), (tmp_path / "worker.log").read_text()[-3000:]

            # Failed sign-ins count on both servers together (the limits are in Redis): 5 allowed.
            stranger = flows.Browser(a.url)
            for n in range(5):
                stranger.base = (a.url, b.url)[n % 2]
                stranger.sign_in(mix.site_admin, "not-the-password", expect=(200,))
            stranger.base = b.url  # B has seen only two of them itself
            stranger.sign_in(mix.site_admin, "not-the-password", expect=(429,))

            # The reminder command on both hosts at the same moment: one email each.
            commands = [flows.flask_command(host, "send-eligibility-reminders", "--today", flows.REMINDER_DAY) for host in hosts]
            outputs = _completed(flows.run_at_once(commands, env))
            assert f"Sent {len(due)} eligibility reminders." in outputs
            # The emails leave through the outbox after the commands commit (the RQ worker or the
            # commands' own post-commit step): wait for them, then a little longer for any duplicate.
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and len({to for to in sink.recipients() if to in due}) < len(due):
                time.sleep(0.25)
            time.sleep(3)
            reminded = [to for to in sink.recipients() if to in due]
            assert sorted(reminded) == sorted(due)

            # Load through the failover proxy; stop A once a few submissions are in. B serves the rest.
            acks = Acks()
            with FailoverProxy([a.url, b.url]) as proxy:
                outcome: list = []
                load = threading.Thread(
                    target=lambda: outcome.append(run_load(proxy.url, world, rounds=ROUNDS, tolerate_faults=True, acks=acks))
                )
                load.start()
                deadline = time.monotonic() + 120
                while len(acks.surveys) + len(acks.sessions) < 2 and time.monotonic() < deadline and load.is_alive():
                    time.sleep(0.05)
                a.stop()
                served_by_a = proxy.served[a.url]
                load.join(timeout=600)
                after_b = proxy.served[b.url]
            stats = outcome[0][0]
            assert stats.problems == [], "\n".join(stats.problems)
            assert served_by_a > 0
            assert proxy.served[a.url] == served_by_a  # nothing reached A once it had stopped
            assert after_b > 0
            with pytest.raises(requests.ConnectionError):
                requests.get(a.url + "/healthz", timeout=5)
            assert requests.get(b.url + "/healthz", timeout=30).status_code == 200
            by_role = {role: sum(1 for p in world.people if p.role == role) for role in ("participant", "facilitator")}
            assert len(acks.surveys) == by_role["participant"] * ROUNDS
            assert len(acks.sessions) == by_role["facilitator"] * ROUNDS
            assert verify(app, world, acks, strict=False) == []
        finally:
            if worker is not None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
            worker_log.close()
            b.stop()
            a.stop()
    for host in hosts:
        assert not (host / "outbox").exists()


def _bulk_job_finished(app, cohort_id: int, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from learnhub.certificates.models import BulkJob
    from learnhub.extensions import db

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            job = db.session.scalar(select(BulkJob).where(BulkJob.cohort_id == cohort_id))
            if job is not None and job.finished_at is not None:
                return job.done == job.total and job.total > 0
            db.session.remove()
        time.sleep(0.5)
    return False
