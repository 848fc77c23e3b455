"""Default configuration. Overridden by instance/config.py, then LEARNHUB_* variables."""

import os

DEFAULTS: dict[str, object] = {
    "SERVICE_NAME": "LearnHub",
    "SECRET_KEY": None,
    # Relative SQLite paths are resolved against the instance folder by the factory.
    "DATABASE_URL": "sqlite:///learnhub.sqlite",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "REDIS_URL": None,
    # Rate limits: memory by default, Redis when REDIS_URL is configured.
    "RATELIMIT_STORAGE_URI": None,
    "RATELIMIT_HEADERS_ENABLED": True,
    "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
    "LOGIN_EMAIL_RATE_LIMIT": "5 per 5 minutes",
    # Mail: with no MAIL_SERVER, messages are written to the outbox folder and the log.
    "MAIL_SERVER": None,
    "MAIL_PORT": 587,
    "MAIL_USE_TLS": True,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "LearnHub <no-reply@learnhub.invalid>",
    "MAIL_OUTBOX_DIR": "outbox",
    #: Identical form submissions within this many seconds are handled once (0: off).
    "DOUBLE_SUBMIT_SECONDS": 10,
    "PASSWORD_RESET_TTL_MINUTES": 60,
    "INVITE_TTL_DAYS": 14,
    "PASSWORD_MIN_LENGTH": 12,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    #: Set to "https" in production: links in emails use it and cookies become Secure.
    "PREFERRED_URL_SCHEME": "http",
    #: None = decided from PREFERRED_URL_SCHEME.
    "SESSION_COOKIE_SECURE": None,
    "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
    #: Number of reverse proxies in front of LearnHub whose X-Forwarded-* headers to trust.
    "PROXY_FIX_COUNT": 0,
    #: "json" for one JSON object per log line (production), "text" otherwise.
    "LOG_FORMAT": "text",
}


def env_flag(name: str) -> bool:
    """Read a yes/no environment variable."""
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}
