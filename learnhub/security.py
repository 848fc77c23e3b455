"""Authorisation helpers shared by the blueprints."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import abort, current_app, request
from flask_login import current_user, login_required


def is_safe_next(target: str | None) -> bool:
    """True only for a path on this site (no scheme, host, or protocol-relative '//')."""
    if not target:
        return False
    if any(ch in target for ch in ("\\", "\r", "\n", "\t")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")


def same_origin_post() -> bool:
    """True when a POST comes from one of our own pages (Origin or Referer matches the host)."""
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if not origin:
        current_app.logger.warning("form refused (same-site check) on %s %s: no Origin or Referer", request.method, request.path)
        return False
    if urlsplit(origin).netloc != request.host:
        current_app.logger.warning(
            "form refused (same-site check) on %s %s: sent from %s, but this request is for host %s",
            request.method,
            request.path,
            urlsplit(origin).netloc or "-",
            request.host,
        )
        return False
    return True


def hub_admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only hub administrators (of some hub) may use this view; others get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_hub_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def site_admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only site administrators may use this view; others get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_site_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
