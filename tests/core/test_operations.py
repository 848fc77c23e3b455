"""What an operator relies on: /healthz per dependency, timeouts, the 503 page, logs, mail."""

import importlib.metadata
import logging
import re
import socket
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from benchmarks.load import free_port
from learnhub import create_app
from learnhub.config import database_engine_options
from learnhub.mail import waiting_messages
from tests.conftest import PASSWORD, make_test_config


@pytest.fixture
def silent_server():
    """A loopback port that accepts connections and never answers (a hung database host)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


# --- /healthz -------------------------------------------------------------------------------------------


def test_healthz_reports_the_installed_version_and_each_dependency(client):
    body = client.get("/healthz").get_json()
    assert body["app"]["version"] == importlib.metadata.version("learnhub")
    assert body["status"] == "ok"
    assert body["redis"] == {"status": "not configured"}
    assert body["queue"]["status"] == "inline"
    assert body["rate_limits"] == {"storage": "memory", "in_memory_fallback": False}
    assert body["bulk_jobs"] == {"unfinished": 0, "oldest_unfinished_age_s": None}


def test_healthz_says_degraded_and_logs_when_redis_is_down(make_app, caplog):
    app = make_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    with caplog.at_level(logging.WARNING):
        response = app.test_client().get("/healthz")
    assert response.status_code == 200  # the site works without Redis
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["redis"]["status"] == "error"
    assert "Redis unreachable" in caplog.text
    assert "rate limits are counted in each worker's memory" in caplog.text


def test_healthz_reports_queue_depth_oldest_job_and_workers(make_app):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/13"
    try:
        connection = redis.Redis.from_url(url, socket_connect_timeout=1)
        connection.ping()
    except redis.exceptions.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    from rq import Queue

    from learnhub.certificates.jobs import QUEUE

    queue = Queue(QUEUE, connection=connection)
    queue.empty()
    try:
        queue.enqueue("learnhub.certificates.jobs.run_in_new_app", 0)
        queue.enqueue("learnhub.certificates.jobs.run_in_new_app", 0)
        app = make_app(REDIS_URL=url)
        body = app.test_client().get("/healthz").get_json()
    finally:
        queue.empty()
    assert body["redis"]["status"] == "ok"
    assert body["queue"]["depth"] == 2
    assert body["queue"]["oldest_job_age_s"] >= 0
    assert body["queue"]["workers"] == 0
    assert body["queue"]["status"] == "no worker"
    assert body["status"] == "degraded"


def test_healthz_answers_503_when_the_database_host_accepts_but_never_answers(silent_server, tmp_path):
    config = make_test_config(f"postgresql+psycopg://learnhub@127.0.0.1:{silent_server}/learnhub", DATABASE_CONNECT_TIMEOUT=1)
    config.pop("SQLALCHEMY_DATABASE_URI")
    config["DATABASE_URL"] = f"postgresql+psycopg://learnhub@127.0.0.1:{silent_server}/learnhub"
    app = create_app(config, instance_path=str(tmp_path))
    result = {}

    def probe() -> None:
        result["response"] = app.test_client().get("/healthz")

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(60)  # without a connect timeout libpq waits for ever
    assert "response" in result, "/healthz hung on a database host that never answers"
    assert result["response"].status_code == 503
    assert result["response"].headers["Retry-After"] == "30"


# --- database timeouts -------------------------------------------------------------------------------------


def test_postgresql_gets_connect_and_statement_timeouts_by_default_and_they_can_be_changed():
    url = "postgresql+psycopg://u@h/d"
    defaults = database_engine_options({"DATABASE_CONNECT_TIMEOUT": 5, "DATABASE_STATEMENT_TIMEOUT_MS": 30000}, url)
    assert defaults["connect_args"] == {"connect_timeout": 5, "options": "-c statement_timeout=30000"}
    off = database_engine_options({"DATABASE_CONNECT_TIMEOUT": 10, "DATABASE_STATEMENT_TIMEOUT_MS": 0}, url)
    assert off["connect_args"] == {"connect_timeout": 10}
    explicit = database_engine_options(
        {"DATABASE_STATEMENT_TIMEOUT_MS": 100, "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": "-c x=1"}}}, url
    )
    assert explicit["connect_args"]["options"] == "-c x=1"
    assert database_engine_options({"DATABASE_STATEMENT_TIMEOUT_MS": 100}, "sqlite:///x") == {}


def test_the_statement_timeout_is_in_force_on_postgresql(app, database_url):
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL only")
    from learnhub.extensions import db

    with app.app_context():
        assert db.session.execute(text("SHOW statement_timeout")).scalar() == "30s"


# --- the 503 page ----------------------------------------------------------------------------------------------


def test_a_stale_form_posted_while_the_database_is_down_gets_the_503_page(tmp_path, silent_server):
    dead = f"postgresql+psycopg://learnhub@127.0.0.1:{free_port()}/learnhub"
    config = make_test_config(dead, WTF_CSRF_ENABLED=True, DATABASE_CONNECT_TIMEOUT=1)
    app = create_app(config, instance_path=str(tmp_path))
    client = app.test_client()
    with client.session_transaction() as session:  # a signed-in browser whose form has expired
        session["_user_id"] = "1.0"
        session["_fresh"] = True
    response = client.post("/account/profile", data={"name": "x", "csrf_token": "stale"})
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "30"


# --- logs ----------------------------------------------------------------------------------------------------------


def test_csrf_rejections_are_logged_with_the_reason_but_not_the_token(make_app, caplog):
    app = make_app(WTF_CSRF_ENABLED=True)
    with caplog.at_level(logging.WARNING):
        response = app.test_client().post(
            "/account/sign-in",
            data={"email": "a@example.org", "password": "secret-password-1", "csrf_token": "forged-token-value"},
            headers={"Referer": "https://localhost:8443/account/password/reset/SECRET-RESET-TOKEN"},
            base_url="https://localhost",
        )
    assert response.status_code == 400
    assert "form refused (CSRF) on POST /account/sign-in" in caplog.text
    assert "referrer host localhost:8443" in caplog.text
    assert "host localhost," in caplog.text
    for secret in ("forged-token-value", "SECRET-RESET-TOKEN", "secret-password-1"):
        assert secret not in caplog.text


def test_same_site_rejection_of_sign_out_is_logged(client, auth, make_user, caplog):
    auth.login_as(make_user())
    with caplog.at_level(logging.WARNING):
        response = client.post("/account/sign-out", headers={"Origin": "https://evil.example"})
    assert response.status_code == 400
    assert "form refused (same-site check) on POST /account/sign-out: sent from evil.example" in caplog.text


def test_failed_sign_ins_and_429s_are_logged_without_passwords(make_app, make_user, caplog):
    app = make_app(LOGIN_RATE_LIMIT="2 per minute")
    user_id = make_user("known@example.org")
    client = app.test_client()
    with caplog.at_level(logging.WARNING):
        client.post("/account/sign-in", data={"email": "known@example.org", "password": "wrong-password-1"})
        client.post("/account/sign-in", data={"email": "nobody@example.org", "password": "wrong-password-2"})
        limited = client.post("/account/sign-in", data={"email": "known@example.org", "password": PASSWORD})
    assert limited.status_code == 429
    assert f"sign-in failed: wrong password (user {user_id}," in caplog.text
    assert "sign-in failed: no account with that email (user -," in caplog.text
    assert "rate limit reached on POST /account/sign-in" in caplog.text
    for secret in ("wrong-password-1", "wrong-password-2", PASSWORD, "nobody@example.org"):
        assert secret not in caplog.text


# --- mail -------------------------------------------------------------------------------------------------------------


def test_mail_without_a_server_logs_neither_body_nor_link(make_app, make_user, caplog):
    app = make_app()
    make_user("reset.me@example.org")
    with caplog.at_level(logging.DEBUG):
        app.test_client().post("/account/password/forgot", data={"email": "reset.me@example.org"})
    (message,) = app.extensions["outbox"]
    link = next(line for line in message.get_content().splitlines() if "/password/reset/" in line)
    token = link.rsplit("/", 1)[1]
    assert "written to" in caplog.text
    assert token not in caplog.text
    assert "Use this link" not in caplog.text


def test_an_unreachable_smtp_server_never_fails_the_request_nor_reveals_the_account(make_app, make_user, caplog):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False)
    make_user("real.person@example.org")
    client = app.test_client()
    with caplog.at_level(logging.INFO):
        real = client.post("/account/password/forgot", data={"email": "real.person@example.org"})
        real.close()  # the server closes the response after sending it: that is when mail goes
        unknown = client.post("/account/password/forgot", data={"email": "nobody@example.org"})
        unknown.close()
    assert real.status_code == unknown.status_code == 200

    def page(response) -> str:  # type: ignore[no-untyped-def]
        html = response.get_data(as_text=True).replace("real.person@example.org", "E").replace("nobody@example.org", "E")
        return re.sub(r'nonce="[^"]+"', "", html)

    assert page(real) == page(unknown)
    assert "mail to real.person@example.org (Reset your LearnHub password) NOT sent (attempt 1), will retry" in caplog.text
    assert "ConnectionRefusedError" in caplog.text
    (kept,) = waiting_messages(app)  # kept in the outbox table for a retry
    assert (kept.to, kept.status, kept.attempts) == ("real.person@example.org", "queued", 1)
    token = app.extensions["outbox"][0].get_content().split("/password/reset/")[1].split()[0]
    assert token not in caplog.text


def test_production_start_up_warns_when_no_mail_server_is_set(tmp_path, caplog):
    config = {
        "SECRET_KEY": "x" * 32,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}",
        "PUBLIC_BASE_URL": "https://learnhub.example.org",
    }
    with caplog.at_level(logging.WARNING):
        create_app(config, instance_path=str(tmp_path))
    assert "LEARNHUB_MAIL_SERVER is not set: no email will be sent" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        create_app({**config, "MAIL_SERVER": "smtp.example.org"}, instance_path=str(tmp_path))
    assert "MAIL_SERVER" not in caplog.text


def test_the_invitation_states_the_configured_lifetime(make_app, make_user, make_hub):
    app = make_app(INVITE_TTL_DAYS=3)
    hub_id = make_hub()
    admin = make_user("lifetime.admin@example.org", hub_id=hub_id, hub_role="hub_admin")
    client = app.test_client()
    with client.session_transaction() as session:
        from learnhub.accounts.models import User
        from learnhub.extensions import db

        with app.app_context():
            user = db.session.get(User, admin)
            session["_user_id"] = f"{user.id}.{user.session_version}"
            session["_fresh"] = True
    assert "The link works for 3 days." in client.get("/hub/users/invite").get_data(as_text=True)
    client.post(
        "/hub/users/invite",
        data={"name": "Dr Three Days", "email": "three@example.org", "professional_role": "gp", "hub_role": "learner"},
    )
    (message,) = app.extensions["outbox"]
    assert "expires in 3 days" in message.get_content()
    assert "14 days" not in message.get_content()


def test_gunicorn_access_lines_are_json_with_the_request_id_and_no_link_secret():
    import json

    from learnhub.hardening import AccessJsonFormatter

    atoms = {"h": "127.0.0.1", "m": "GET", "U": "/account/invitation/SECRET-INVITE", "s": "200", "B": 512, "D": 12345,
             "a": "Firefox", "{x-request-id}o": "abc123def456"}  # fmt: skip
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(h)s", (atoms,), None)
    line = json.loads(AccessJsonFormatter().format(record))
    assert line["request_id"] == "abc123def456"
    assert line["path"] == "/account/invitation/[redacted]"
    assert line["status"] == 200
    assert line["duration_ms"] == 12.3
