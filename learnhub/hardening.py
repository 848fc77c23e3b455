"""Response hardening and request tracing: security headers, proxy awareness, request ids.

- A Content-Security-Policy that allows only our own assets; the one inline script the NHS.UK
  page template needs carries a per-request nonce (``csp_nonce()`` in templates).
- ``X-Content-Type-Options``, ``Referrer-Policy``, ``frame-ancestors 'none'``, and HSTS when
  the request arrived over HTTPS.
- ``ProxyFix`` when LearnHub runs behind a reverse proxy (``PROXY_FIX_COUNT`` hops).
- A request id (from ``X-Request-ID`` if a proxy set one, otherwise new) in every log line and
  in the response headers, so a user's error report can be matched to the log.
"""

import hashlib
import json
import logging
import os
import re
import secrets
import time

from flask import Flask, Request, abort, g, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.utils import cached_property

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


#: Paths whose last part is a one-time secret (reset and invitation links): never logged as is.
SECRET_PATH = re.compile(r"^(/account/(?:password/reset|invitation)/)[^/?]+")


def loggable_path(path: str) -> str:
    """``path`` with the secret of a reset or invitation link replaced by ``[redacted]``."""
    return SECRET_PATH.sub(r"\1[redacted]", path or "")


class AccessJsonFormatter(logging.Formatter):
    """gunicorn's access log as JSON (``gunicorn.conf.py``), with the request id LearnHub answered with.

    gunicorn passes its "atoms" as the record's arguments; the query string is left out and
    the secret of a reset or invitation link is redacted.
    """

    def format(self, record: logging.LogRecord) -> str:
        """Render one request as JSON."""
        atoms = record.args if isinstance(record.args, dict) else {}
        status = atoms.get("s")
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": atoms.get("{x-request-id}o") or atoms.get("{x-request-id}i") or None,
            "remote_addr": atoms.get("h"),
            "method": atoms.get("m"),
            "path": loggable_path(str(atoms.get("U") or "")),
            "status": int(status) if str(status).isdigit() else status,
            "bytes": atoms.get("B"),
            "duration_ms": round(int(atoms.get("D") or 0) / 1000, 1),
            "user_agent": atoms.get("a"),
        }
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


def _without_nul(values: ImmutableMultiDict) -> ImmutableMultiDict:
    """The same fields with NUL characters removed (PostgreSQL text cannot store them)."""
    if not any("\x00" in key or "\x00" in value for key, value in values.items(multi=True)):
        return values
    return ImmutableMultiDict([(key.replace("\x00", ""), value.replace("\x00", "")) for key, value in values.items(multi=True)])


class LearnHubRequest(Request):
    """Form and query values never carry NUL characters.

    No person types one; a pasted or forged one would otherwise be saved on SQLite but make
    PostgreSQL refuse the whole statement (a 500), so they are dropped on the way in.
    """

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["form"] = _without_nul(self.__dict__["form"])

    @cached_property
    def args(self) -> ImmutableMultiDict:  # type: ignore[override]
        return _without_nul(super().args)


class StaticFingerprints:
    """``?v=<hash of the file's content>`` for static URLs, so a proxy can cache them for a year.

    The URL changes whenever the file does (a new release, ``make assets``), so browsers never
    keep a stale stylesheet. Hashes are remembered per file and modification time.
    """

    def __init__(self, folder: str | None) -> None:
        self.folder = folder
        self._known: dict[str, tuple[int, str]] = {}

    def __call__(self, endpoint: str, values: dict) -> None:
        """A ``url_defaults`` hook: add ``v`` to ``url_for('static', filename=...)``."""
        if endpoint != "static" or "v" in values or not self.folder:
            return
        filename = values.get("filename")
        if not filename:
            return
        path = os.path.join(self.folder, filename)
        try:
            mtime = os.stat(path).st_mtime_ns
        except OSError:
            return
        known = self._known.get(filename)
        if known is None or known[0] != mtime:
            if not os.path.isfile(path):
                return  # a folder (the NHS.UK template's asset path): no version
            with open(path, "rb") as file:
                known = (mtime, hashlib.sha256(file.read()).hexdigest()[:12])
            self._known[filename] = known
        values["v"] = known[1]


def configure_process_logging(app: Flask) -> None:
    """Log a whole process (a queue worker, a command) the app's way.

    JSON lines on stderr when ``LOG_FORMAT`` is json; libraries that log through the root
    logger (RQ) then use it too.
    """
    if app.config.get("LOG_FORMAT") != "json":
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.INFO)


def register(app: Flask) -> None:
    """Install the headers, proxy fix, NUL-free request values and paths, and request-id logging."""
    app.request_class = LearnHubRequest
    app.url_defaults(StaticFingerprints(app.static_folder))
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

    @app.url_value_preprocessor
    def _no_nul_in_path(endpoint: str | None, values: dict | None) -> None:
        # A path segment with a NUL names nothing we store; PostgreSQL would refuse the lookup
        # with an error (a 500) where SQLite finds nothing, so every route answers 404 first.
        if values and any(isinstance(value, str) and "\x00" in value for value in values.values()):
            abort(404)

    @app.before_request
    def _start_request() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else secrets.token_hex(8)
        g.request_started = time.perf_counter()

    @app.after_request
    def _headers(response):  # type: ignore[no-untyped-def]
        # A view that set its own (stricter) policy keeps it, e.g. uploaded images: default-src 'none'.
        if "Content-Security-Policy" not in response.headers:
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
