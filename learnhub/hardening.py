"""Response hardening and request tracing: security headers, proxy awareness, request ids.

- A Content-Security-Policy that allows only our own assets; the one inline script the NHS.UK
  page template needs carries a per-request nonce (``csp_nonce()`` in templates).
- ``X-Content-Type-Options``, ``Referrer-Policy``, ``frame-ancestors 'none'``, and HSTS when
  the request arrived over HTTPS.
- ``ProxyFix`` when LearnHub runs behind a reverse proxy (``PROXY_FIX_COUNT`` hops).
- A request id (from ``X-Request-ID`` if a proxy set one, otherwise new) in every log line and
  in the response headers, so a user's error report can be matched to the log.
"""

import json
import logging
import re
import secrets
import time

from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def csp_nonce() -> str:
    """A per-request nonce for inline scripts."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str) -> str:
    """The policy: our own origin only, no inline code except the nonced script."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class JsonFormatter(logging.Formatter):
    """One JSON object per log line, with the request id when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        """Render a record as JSON."""
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class RequestIdFilter(logging.Filter):
    """Attach the current request id (if any) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add ``request_id`` to the record."""
        try:
            from flask import has_request_context

            record.request_id = g.get("request_id") if has_request_context() else None
        except RuntimeError:
            record.request_id = None
        return True


def register(app: Flask) -> None:
    """Install the headers, proxy fix and request-id logging on the app."""
    hops = int(app.config.get("PROXY_FIX_COUNT") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]

    if app.config.get("LOG_FORMAT") == "json":
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RequestIdFilter())
        app.logger.handlers = [handler]
        app.logger.propagate = False
    else:
        for handler in app.logger.handlers:
            handler.addFilter(RequestIdFilter())

    @app.before_request
    def _start_request() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else secrets.token_hex(8)
        g.request_started = time.perf_counter()

    @app.after_request
    def _headers(response):  # type: ignore[no-untyped-def]
        response.headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if "request_id" in g:
            response.headers["X-Request-ID"] = g.request_id
        if request.endpoint and request.endpoint != "static" and response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response
