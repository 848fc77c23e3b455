"""Absolute URLs for emails, PDFs and calendar feeds: always from the configured public base URL.

A link that leaves the site (a password reset or invitation email, a certificate's verify link
and QR code, a reminder, a calendar entry) must never be built from the request: the ``Host``
and ``X-Forwarded-Host`` headers are chosen by whoever sends the request, so
``POST /account/password/forgot`` with ``Host: attacker.example`` would otherwise email a live
reset token to the attacker's site. ``external_url`` builds every such link from
``PUBLIC_BASE_URL`` (``LEARNHUB_PUBLIC_BASE_URL``), which production must set (start-up stops
without it), and Flask's ``TRUSTED_HOSTS`` is set from the same value.
"""

from urllib.parse import urlsplit

from flask import Flask, current_app

#: Used only in development and tests when neither PUBLIC_BASE_URL nor SERVER_NAME is set.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


class PublicUrlError(ValueError):
    """PUBLIC_BASE_URL is not a usable absolute http(s) URL."""


def check_base_url(value: str) -> str:
    """The base URL without a trailing slash; raises ``PublicUrlError`` when it is not usable."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise PublicUrlError(
            f"PUBLIC_BASE_URL must be the address people use to reach LearnHub, such as "
            f"https://learnhub.example.org (got {value!r})"
        )
    return value.strip().rstrip("/")


def public_base_url(app: Flask | None = None) -> str:
    """The configured public base URL (no trailing slash).

    Development and tests without one fall back to ``SERVER_NAME`` or ``DEVELOPMENT_BASE_URL``;
    never to the request's host.
    """
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    base = app.config.get("PUBLIC_BASE_URL")
    if base:
        return str(base).rstrip("/")
    server = app.config.get("SERVER_NAME")
    if server:
        return f"{app.config.get('PREFERRED_URL_SCHEME') or 'http'}://{server}"
    return DEVELOPMENT_BASE_URL


def public_host(app: Flask | None = None) -> str:
    """The host name of the public base URL (for calendar UIDs and Message-IDs)."""
    return urlsplit(public_base_url(app)).hostname or "learnhub"


def external_url(endpoint: str, **values: object) -> str:
    """The absolute URL of ``endpoint`` on the public site, for emails, PDFs and feeds.

    ``external_url("accounts.reset_password", token=raw)`` gives
    ``https://learnhub.example.org/account/password/reset/<raw>`` whatever host the current
    request was sent to, and works outside a request (CLI, queue worker) too.
    """
    parts = urlsplit(public_base_url())
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


def trusted_hosts(app: Flask) -> list[str] | None:
    """Host names requests may be sent to: the public base URL's, plus ``TRUSTED_HOSTS`` extras.

    None (any host) when no public base URL is set, which start-up allows only in development
    and tests. Extras come from ``TRUSTED_HOSTS`` as a list or a comma-separated string
    (``LEARNHUB_TRUSTED_HOSTS=localhost,127.0.0.1`` lets a health check on the machine itself in).
    """
    base = app.config.get("PUBLIC_BASE_URL")
    if not base:
        return None
    extras = app.config.get("TRUSTED_HOSTS") or []
    if isinstance(extras, str):
        extras = [h.strip() for h in extras.split(",")]
    hosts = [urlsplit(str(base)).hostname or ""]
    hosts += [h for h in extras if h and h not in hosts]
    return hosts
