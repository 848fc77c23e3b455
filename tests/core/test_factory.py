"""The app factory, configuration layering, /healthz and error pages."""

import json

import pytest

from learnhub import ConfigurationError, create_app


@pytest.fixture(autouse=True)
def _public_base_url(monkeypatch):
    """Production-like apps in this file need a public base URL (start-up refuses otherwise)."""
    monkeypatch.setenv("LEARNHUB_PUBLIC_BASE_URL", "https://learnhub.example.org")


def test_testing_config_is_applied(app):
    assert app.testing
    assert app.config["SECRET_KEY"] == "test-secret-key"


def test_missing_secret_key_stops_startup_with_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.delenv("LEARNHUB_SECRET_KEY", raising=False)
    monkeypatch.setenv("LEARNHUB_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    with pytest.raises(ConfigurationError, match="LEARNHUB_SECRET_KEY"):
        create_app(instance_path=str(tmp_path))


def test_missing_public_base_url_stops_startup_with_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.setenv("LEARNHUB_SECRET_KEY", "x")
    monkeypatch.setenv("LEARNHUB_DATABASE_URL", f"sqlite:///{tmp_path}/p.sqlite")
    monkeypatch.delenv("LEARNHUB_PUBLIC_BASE_URL")
    with pytest.raises(ConfigurationError, match="Set LEARNHUB_PUBLIC_BASE_URL in the environment"):
        create_app(instance_path=str(tmp_path))


@pytest.mark.parametrize("bad", ["learnhub.example.org", "ftp://learnhub.example.org", "https://", "https://x.org/?a=1"])
def test_unusable_public_base_url_stops_startup(monkeypatch, tmp_path, bad):
    monkeypatch.setenv("LEARNHUB_SECRET_KEY", "x")
    monkeypatch.setenv("LEARNHUB_DATABASE_URL", f"sqlite:///{tmp_path}/p.sqlite")
    monkeypatch.setenv("LEARNHUB_PUBLIC_BASE_URL", bad)
    with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL must be the address"):
        create_app(instance_path=str(tmp_path))


def test_trusted_hosts_come_from_the_public_base_url_and_extras(monkeypatch, tmp_path):
    monkeypatch.setenv("LEARNHUB_SECRET_KEY", "x")
    monkeypatch.setenv("LEARNHUB_DATABASE_URL", f"sqlite:///{tmp_path}/t.sqlite")
    monkeypatch.setenv("LEARNHUB_PUBLIC_BASE_URL", "https://learnhub.example.org/")
    monkeypatch.setenv("LEARNHUB_TRUSTED_HOSTS", "learnhub.internal, 10.0.0.5")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["PUBLIC_BASE_URL"] == "https://learnhub.example.org"
    assert app.config["TRUSTED_HOSTS"] == ["learnhub.example.org", "learnhub.internal", "10.0.0.5"]
    client = app.test_client()
    assert client.get("/account/sign-in", headers={"Host": "learnhub.example.org"}).status_code == 200
    assert client.get("/account/sign-in", headers={"Host": "learnhub.internal:8443"}).status_code == 200
    refused = client.get("/account/sign-in", headers={"Host": "attacker.example"})
    assert refused.status_code == 400


def test_environment_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("LEARNHUB_SECRET_KEY", "from-env")
    monkeypatch.setenv("LEARNHUB_DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite")
    monkeypatch.setenv("LEARNHUB_PASSWORD_RESET_TTL_MINUTES", "15")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["PASSWORD_RESET_TTL_MINUTES"] == 15
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/env.sqlite"


def test_numeric_looking_secret_stays_text(monkeypatch, tmp_path):
    monkeypatch.setenv("LEARNHUB_SECRET_KEY", "12345678901234567890")
    monkeypatch.setenv("LEARNHUB_DATABASE_URL", f"sqlite:///{tmp_path}/n.sqlite")
    assert create_app(instance_path=str(tmp_path)).config["SECRET_KEY"] == "12345678901234567890"


def test_relative_sqlite_path_lives_in_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("LEARNHUB_SECRET_KEY", "x")
    monkeypatch.delenv("LEARNHUB_DATABASE_URL", raising=False)
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/learnhub.sqlite"


def test_postgres_url_uses_psycopg3(monkeypatch, tmp_path):
    monkeypatch.setenv("LEARNHUB_SECRET_KEY", "x")
    monkeypatch.setenv("LEARNHUB_DATABASE_URL", "postgresql://u@db/learnhub")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/learnhub"


def test_instance_config_file_is_read_and_environment_wins(monkeypatch, tmp_path):
    (tmp_path / "config.py").write_text("SECRET_KEY = 'from-file'\nSERVICE_NAME = 'Hub Learning'\n")
    monkeypatch.delenv("LEARNHUB_SECRET_KEY", raising=False)
    monkeypatch.setenv("LEARNHUB_DATABASE_URL", f"sqlite:///{tmp_path}/f.sqlite")
    monkeypatch.setenv("LEARNHUB_SERVICE_NAME", "Env Learning")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SECRET_KEY"] == "from-file"
    assert app.config["SERVICE_NAME"] == "Env Learning"


def test_debug_without_secret_key_uses_a_temporary_one(monkeypatch, tmp_path):
    monkeypatch.delenv("LEARNHUB_SECRET_KEY", raising=False)
    monkeypatch.setenv("LEARNHUB_DATABASE_URL", f"sqlite:///{tmp_path}/d.sqlite")
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app(instance_path=str(tmp_path))
    assert len(app.config["SECRET_KEY"]) == 64


def test_healthz_reports_app_and_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["database"]["dialect"] in {"sqlite", "postgresql"}


def test_healthz_reports_database_down(app, monkeypatch):
    from learnhub.extensions import db

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("connection refused")

    with app.test_client() as client:
        monkeypatch.setattr(db.session, "execute", broken)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.data)["database"]["status"] == "error"


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"Page not found" in response.data
    assert b"nhsuk-header" in response.data


def test_unhandled_error_rolls_back_and_shows_500_page(make_app):
    app = make_app()  # its own app: the test adds a route

    @app.get("/boom")
    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.data


def test_pages_use_nhsuk_layout_with_skip_link(client):
    html = client.get("/account/sign-in").data.decode()
    assert 'class="nhsuk-skip-link"' in html
    assert 'href="#maincontent"' in html
    assert "nhsuk-footer" in html
    assert "LearnHub" in html


def test_cookies_are_secure_when_served_over_https(monkeypatch, tmp_path):
    monkeypatch.setenv("LEARNHUB_SECRET_KEY", "x")
    monkeypatch.setenv("LEARNHUB_DATABASE_URL", f"sqlite:///{tmp_path}/c.sqlite")
    monkeypatch.setenv("LEARNHUB_PREFERRED_URL_SCHEME", "https")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_session_cookie_flags_on_sign_in(client, make_user):
    make_user("gp@example.org")
    response = client.post("/account/sign-in", data={"email": "gp@example.org", "password": "correct-horse-battery-staple"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
