"""Default configuration. Overridden by instance/config.py, then LEARNHUB_* variables."""

import os

DEFAULTS: dict[str, object] = {
    "SERVICE_NAME": "LearnHub",
    "SECRET_KEY": None,
    #: Encrypts the hubs' credential signing keys at rest (HKDF-derived password); SECRET_KEY when
    #: unset. Keep it when rotating SECRET_KEY, or rotate the hubs' keys (docs/credentials.md).
    "CREDENTIAL_KEY_SECRET": None,
    # Relative SQLite paths are resolved against the instance folder by the factory.
    "DATABASE_URL": "sqlite:///learnhub.sqlite",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    #: PostgreSQL: give up connecting after this many seconds (a host that accepts the
    #: connection but never answers would otherwise hold a request, or /healthz, for minutes).
    "DATABASE_CONNECT_TIMEOUT": 5,
    #: PostgreSQL: cancel any statement running longer than this (milliseconds; 0 = no limit).
    "DATABASE_STATEMENT_TIMEOUT_MS": 30000,
    #: A bulk certificate job with no progress for this many seconds was abandoned (its worker
    #: was killed or restarted): its page offers to resume or cancel it.
    "BULK_JOB_STALL_SECONDS": 120,
    #: Seconds a browser is told to wait (Retry-After) on the 503 page.
    "RETRY_AFTER_SECONDS": 30,
    "REDIS_URL": None,
    #: On SQLite, a daily command's lock row (learnhub.locks) left by a crashed process expires after this.
    "JOB_LOCK_TTL_SECONDS": 6 * 3600,
    # Rate limits: memory by default, Redis when REDIS_URL is configured.
    "RATELIMIT_STORAGE_URI": None,
    "RATELIMIT_HEADERS_ENABLED": True,
    #: Failed sign-ins per client address, all emails together (a practice may share one address).
    "LOGIN_RATE_LIMIT": "20 per minute;100 per hour",
    #: Failed sign-ins per email *and* client address: an attacker elsewhere cannot lock the owner out.
    "LOGIN_EMAIL_RATE_LIMIT": "5 per 5 minutes",
    #: Failed sign-ins on a browser that has signed in as that email before (its device cookie).
    "LOGIN_DEVICE_RATE_LIMIT": "10 per 5 minutes",
    # Mail: with no MAIL_SERVER, messages are written to the outbox folder and the log.
    "MAIL_SERVER": None,
    "MAIL_PORT": 587,
    "MAIL_USE_TLS": True,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "LearnHub <no-reply@learnhub.invalid>",
    "MAIL_OUTBOX_DIR": "outbox",
    # Outbox delivery: a message the server did not take is retried after 60 s, 120 s, 240 s…
    # and marked failed (shown to the hub) after MAIL_MAX_ATTEMPTS tries.
    "MAIL_MAX_ATTEMPTS": 8,
    "MAIL_RETRY_BASE_SECONDS": 60,
    #: Identical form submissions within this many seconds are handled once (0: off).
    "DOUBLE_SUBMIT_SECONDS": 10,
    "PASSWORD_RESET_TTL_MINUTES": 60,
    "INVITE_TTL_DAYS": 14,
    "PASSWORD_MIN_LENGTH": 12,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    #: The address people use to reach LearnHub (https://learnhub.example.org). Every link in an
    #: email, PDF or calendar feed is built from it; required outside development and tests.
    "PUBLIC_BASE_URL": None,
    #: Host names accepted besides PUBLIC_BASE_URL's (comma-separated): checks on the machine itself.
    "TRUSTED_HOSTS": "localhost,127.0.0.1",
    #: Set to "https" in production: links in emails use it and cookies become Secure.
    "PREFERRED_URL_SCHEME": "http",
    #: None = decided from PREFERRED_URL_SCHEME.
    "SESSION_COOKIE_SECURE": None,
    "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
    #: Number of reverse proxies in front of LearnHub whose X-Forwarded-* headers to trust.
    "PROXY_FIX_COUNT": 0,
    #: "json" for one JSON object per log line (production), "text" otherwise.
    "LOG_FORMAT": "text",
    # Help and contact (the footer's "Help and contact" page and the accessibility statement).
    #: The organisation that runs this LearnHub, e.g. "North Lakes Training Hub".
    "HUB_CONTACT_NAME": None,
    "HUB_CONTACT_EMAIL": None,
    "HUB_CONTACT_PHONE": None,
    #: When the phone is answered, e.g. "Monday to Friday, 9am to 5pm (except bank holidays)".
    "HUB_CONTACT_HOURS": None,
    #: Working days within which the hub replies to a help or accessibility request.
    "HUB_CONTACT_RESPONSE_DAYS": 5,
    #: Dates for the accessibility statement, as text ("2 December 2026").
    "ACCESSIBILITY_STATEMENT_PREPARED": "2 December 2026",
    "ACCESSIBILITY_STATEMENT_REVIEWED": "2 December 2026",
    "ACCESSIBILITY_LAST_TESTED": "2 December 2026",
}


def database_engine_options(config: dict, url: str) -> dict:
    """SQLAlchemy engine options with the connect and statement timeouts for PostgreSQL.

    Options the configuration already sets (``SQLALCHEMY_ENGINE_OPTIONS["connect_args"]``)
    win, so either timeout can be changed or removed there as well.
    """
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if not url.startswith("postgresql"):
        return options
    connect_args = {"connect_timeout": int(config.get("DATABASE_CONNECT_TIMEOUT") or 0) or None}
    statement_ms = int(config.get("DATABASE_STATEMENT_TIMEOUT_MS") or 0)
    if statement_ms:
        connect_args["options"] = f"-c statement_timeout={statement_ms}"
    connect_args = {key: value for key, value in connect_args.items() if value is not None}
    options["connect_args"] = {**connect_args, **dict(options.get("connect_args") or {})}
    return options


def env_flag(name: str) -> bool:
    """Read a yes/no environment variable."""
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}
