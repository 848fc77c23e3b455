"""LearnHub: supervisor training, Action Learning Sets, evaluation and certificates."""

import logging
import os
import secrets
from pathlib import Path

from flask import Flask
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader

from learnhub.config import DEFAULTS, database_engine_options


class ConfigurationError(RuntimeError):
    """Raised when LearnHub cannot start with the configuration it was given."""


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the LearnHub application.

    Configuration is layered: defaults, then ``instance/config.py``, then ``LEARNHUB_*``
    environment variables. ``test_config`` replaces the last two layers in tests.
    """
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("LEARNHUB", loads=_env_value)
    else:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    _check_secret_key(app)
    _check_public_base_url(app)
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        # Served over HTTPS (production behind a proxy): cookies only travel over HTTPS.
        secure = app.config.get("PREFERRED_URL_SCHEME") == "https"
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = secure
    _configure_database(app)
    _configure_rate_limits(app)
    _configure_templates(app)
    _configure_logging(app)

    from learnhub import cli, errors, hardening, mail, submissions, templating, transactions
    from learnhub.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    transactions.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    submissions.init_app(app)

    # Models are imported so that metadata (and Alembic autogenerate) sees every table.
    from learnhub import models  # noqa: F401

    # Blueprints live in each feature's views module; package __init__ files stay import-free
    # so that models can import each other without circular imports.
    from learnhub.accounts.views import bp as accounts_bp
    from learnhub.als.views import bp as als_bp
    from learnhub.certificates.views import bp as certificates_bp
    from learnhub.courses.views import bp as courses_bp
    from learnhub.credentials.views import bp as credentials_bp
    from learnhub.eligibility.views import bp as eligibility_bp
    from learnhub.evaluation.views import bp as evaluation_bp
    from learnhub.main.views import bp as main_bp
    from learnhub.notifications.views import bp as notifications_bp
    from learnhub.organisations.views import bp as organisations_bp
    from learnhub.supervision.views import bp as supervision_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(organisations_bp)
    app.register_blueprint(courses_bp)
    app.register_blueprint(als_bp)
    app.register_blueprint(evaluation_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(eligibility_bp)
    app.register_blueprint(supervision_bp)
    app.register_blueprint(credentials_bp)
    app.register_blueprint(notifications_bp)

    from learnhub.wiring import connect_features

    connect_features()
    templating.register(app)
    errors.register(app)
    hardening.register(app)
    cli.register(app)
    mail.warn_if_unconfigured(app)
    return app


def _env_value(value: str) -> object:
    """Interpret a LEARNHUB_* variable: true/false and whole numbers, otherwise the text itself.

    Flask's default JSON parsing would turn a numeric secret or password into an int.
    """
    lowered = value.strip().lower()
    if lowered in {"true", "false"}:
        return lowered == "true"
    if value.strip().isdigit() and len(value.strip()) < 10:
        return int(value)
    return value


def _check_secret_key(app: Flask) -> None:
    """Refuse to start in production without a secret key; make a throwaway one in development."""
    if app.config.get("SECRET_KEY"):
        return
    if app.debug or app.testing:
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        app.logger.warning("No SECRET_KEY set: using a temporary key (sessions end on restart).")
        return
    raise ConfigurationError(
        "LearnHub needs a secret key. Set LEARNHUB_SECRET_KEY in the environment or "
        f"SECRET_KEY in {os.path.join(app.instance_path, 'config.py')} "
        "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
    )


def _check_public_base_url(app: Flask) -> None:
    """Links in emails and PDFs come from PUBLIC_BASE_URL: required in production, and checked.

    Flask's ``TRUSTED_HOSTS`` is set from it (plus the ``TRUSTED_HOSTS`` extras), so a request
    sent with another ``Host`` header gets 400 instead of being served.
    """
    from learnhub.urls import PublicUrlError, check_base_url, trusted_hosts

    where = (
        "Set LEARNHUB_PUBLIC_BASE_URL in the environment (for example "
        "LEARNHUB_PUBLIC_BASE_URL=https://learnhub.example.org, the address people type to reach LearnHub) "
        f"or PUBLIC_BASE_URL in {os.path.join(app.instance_path, 'config.py')}."
    )
    base = app.config.get("PUBLIC_BASE_URL")
    if base:
        try:
            app.config["PUBLIC_BASE_URL"] = check_base_url(str(base))
        except PublicUrlError as error:
            raise ConfigurationError(f"{error}. {where}") from None
    elif not (app.debug or app.testing):
        raise ConfigurationError(
            "LearnHub needs its public address: links in emails (password resets, invitations) and on "
            f"certificates are built from it, never from the request. {where}"
        )
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app)


def _configure_database(app: Flask) -> None:
    """Resolve the database URL; a relative SQLite path lives in the instance folder."""
    url = str(app.config.get("SQLALCHEMY_DATABASE_URI") or app.config["DATABASE_URL"])
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        url = prefix + os.path.join(app.instance_path, url[len(prefix) :])
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = database_engine_options(app.config, url)

    from learnhub import db_events  # noqa: F401  (registers SQLite pragmas)


def _configure_rate_limits(app: Flask) -> None:
    """Use Redis for rate-limit counters when configured, memory otherwise."""
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        redis_url = app.config.get("REDIS_URL")
        app.config["RATELIMIT_STORAGE_URI"] = redis_url or "memory://"
    # If Redis goes away, keep limiting in memory rather than failing requests.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)


def _configure_templates(app: Flask) -> None:
    """Load our templates first, then the NHS.UK frontend Jinja macros."""
    # Every template stays compiled: the NHS.UK components and our pages are more than Jinja's
    # default 400 (auto_reload follows TEMPLATES_AUTO_RELOAD/debug: off in production).
    app.jinja_options = {**app.jinja_options, "undefined": ChainableUndefined, "autoescape": _autoescape, "cache_size": 5000}
    app.jinja_loader = ChoiceLoader(  # type: ignore[assignment]
        [
            FileSystemLoader(os.path.join(app.root_path, "templates")),
            PackageLoader("nhsuk_frontend_jinja"),
        ]
    )


def _autoescape(template_name: str | None) -> bool:
    """Escape every template's output except plain-text and calendar files.

    Flask escapes only ``.html``-like names, so the NHS.UK frontend's ``.jinja`` macros printed
    their ``text`` parameters as raw HTML: a person's name in a flash message, a form error or a
    back link would have been markup. Every template is escaped instead, and a macro's ``html``
    parameter (which the macros mark ``| safe``) is the only way to pass markup.
    """
    return template_name is None or not template_name.endswith((".txt", ".ics"))


def _configure_logging(app: Flask) -> None:
    """Log at INFO in production so mail outbox notices and audit lines are visible."""
    if not app.debug and not app.testing:
        app.logger.setLevel(logging.INFO)
