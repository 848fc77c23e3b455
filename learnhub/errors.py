"""Error pages and template helpers shared by every blueprint."""

from urllib.parse import urlsplit

from flask import Flask, current_app, g, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, SecurityError

from learnhub.extensions import db, login_manager
from learnhub.forms_bridge import error_list, hidden_fields, nhsuk_field
from learnhub.hardening import csp_nonce

MESSAGES = {
    400: ("Sorry, there is a problem with that request", "Go back and try again."),
    403: ("You do not have permission to see this page", "If you think you should, ask your training hub administrator."),
    404: ("Page not found", "If you typed the web address, check it is correct. If you pasted it, check you copied all of it."),
    405: ("Sorry, that action is not possible here", "Go back and try again."),
    413: ("The file is too large", "Choose a smaller file and try again."),
    429: ("Too many attempts", "Wait a few minutes, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later. Nothing you entered has been saved in a broken state."),
    503: ("Sorry, the service is unavailable", "Try again in a few minutes."),
}


def _forbidden_hint() -> str:
    """Whom to ask depends on who is asking: a hub administrator cannot ask themselves."""
    from flask_login import current_user

    if getattr(current_user, "is_authenticated", False):
        if current_user.is_site_admin:
            return "Some pages, such as an action learning set's confidential notes, are closed to administrators by design."
        if current_user.is_hub_admin:
            return (
                "Some pages, such as an action learning set's confidential notes, are closed to hub administrators "
                "by design. If you need a permission you do not have, ask a site administrator."
            )
    return MESSAGES[403][1]


def _render(status: int, detail: str | None = None):  # type: ignore[no-untyped-def]
    title, hint = MESSAGES.get(status, MESSAGES[500])
    headers = {}
    if status == 503:
        headers["Retry-After"] = str(current_app.config.get("RETRY_AFTER_SECONDS") or 30)
    if status == 403 and detail is None:
        hint = _forbidden_hint()
    if request.accept_mimetypes.best == "application/json":
        return {"error": title, "status": status}, status, headers
    try:
        page = render_template("errors/error.html", status=status, title=title, hint=detail or hint)
    except (OperationalError, InterfaceError) as error:
        # Drawing the page needed the database (the layout loads the signed-in user) and it is
        # down: e.g. a stale form posted during an outage. Answer with our 503 page, drawn as
        # for a signed-out visitor, rather than letting gunicorn send a bare 500.
        _discard_session()
        current_app.logger.error("database unavailable while drawing the %s page: %s", status, error)
        g._login_user = login_manager.anonymous_user()
        title, hint = MESSAGES[503]
        page = render_template("errors/error.html", status=503, title=title, hint=hint)
        return page, 503, {"Retry-After": str(current_app.config.get("RETRY_AFTER_SECONDS") or 30)}
    return page, status, headers


def _discard_session() -> None:
    """Roll back; if the connection died (database restarted), throw the connection away instead."""
    try:
        db.session.rollback()
    except DBAPIError:
        db.session().invalidate()


def unavailable_page(error: DBAPIError):  # type: ignore[no-untyped-def]
    """Our 503 page for a database that cannot be reached (also when the request's commit fails)."""
    _discard_session()
    current_app.logger.error("database unavailable: %s", error)
    # The page must not need the database: the signed-in user cannot be loaded now, so
    # the layout is drawn as for a signed-out visitor.
    g._login_user = login_manager.anonymous_user()
    return make_response(_render(503))


def register(app: Flask) -> None:
    """Install error handlers and the template globals the layouts use."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # type: ignore[no-untyped-def]
        # Say why (expired token, referrer on another host or port, ...) without the token or
        # the full referring address, which can hold a reset link's token.
        app.logger.warning(
            "form refused (CSRF) on %s %s: %s (host %s, origin %s, referrer host %s)",
            request.method,
            request.path,
            error.description,
            request.host,
            request.headers.get("Origin") or "-",
            urlsplit(request.referrer or "").netloc or "-",
        )
        return _render(400, "The form had expired or was sent from another site. Go back, reload the page and try again.")

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):  # type: ignore[no-untyped-def]
        # A Host header outside TRUSTED_HOSTS (set from PUBLIC_BASE_URL): no URL can be built
        # for this request, so the answer is plain text, and the log says why.
        app.logger.warning("request refused: %s (TRUSTED_HOSTS is set from PUBLIC_BASE_URL)", error.description)
        return "Bad request: this site is not served at that address.\n", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        if error.code is None or error.code < 400:
            return error
        if error.code == 429:
            app.logger.warning(
                "rate limit reached on %s %s from %s: %s", request.method, request.path, request.remote_addr, error.description
            )
        return _render(
            error.code,
            error.description
            if error.code in (400, 409) and error.description and not error.description.startswith("The browser")
            else None,
        )

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error: DBAPIError):  # type: ignore[no-untyped-def]
        return unavailable_page(error)

    @app.teardown_appcontext
    def _close_session(_error: BaseException | None) -> None:
        # Runs before Flask-SQLAlchemy's own teardown. Rolling back on a connection the
        # database closed (a restart) raises; the response is ready, so do not turn it into a
        # 500: discard the connection and let the pool make a new one.
        try:
            db.session.close()
        except DBAPIError as error:
            app.logger.warning("database connection lost after the response: %s", error)
            db.session().invalidate()

    @app.errorhandler(Exception)
    def server_error(error: Exception):  # type: ignore[no-untyped-def]
        _discard_session()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _render(500)

    app.jinja_env.globals.update(
        nhsuk_field=nhsuk_field,
        form_error_list=error_list,
        form_hidden_fields=hidden_fields,
        csp_nonce=csp_nonce,
    )
