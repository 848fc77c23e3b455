"""Home page, service information pages and ``/healthz``."""

import time

from flask import Blueprint, current_app, render_template
from flask_login import current_user
from sqlalchemy import text

from learnhub.extensions import db
from learnhub.security import hub_admin_required

bp = Blueprint("main", __name__, template_folder="templates")


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    """Home: what is due for a signed-in user, or what LearnHub is for."""
    if not current_user.is_authenticated:
        return render_template("main/landing.html")
    return render_template("main/home.html")


@bp.get("/hub")
@hub_admin_required
def hub_admin():  # type: ignore[no-untyped-def]
    """Hub administrators' starting point: every area they manage."""
    return render_template("main/hub_admin.html")


@bp.get("/accessibility")
def accessibility():  # type: ignore[no-untyped-def]
    """Accessibility statement."""
    return render_template("main/accessibility.html")


@bp.get("/contact")
def contact():  # type: ignore[no-untyped-def]
    """Help and contact: the hub's contact details (the same footer link on every page)."""
    return render_template("main/contact.html")


@bp.get("/privacy")
def privacy():  # type: ignore[no-untyped-def]
    """Privacy notice: what LearnHub keeps and who sees it."""
    return render_template("main/privacy.html")


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """Report application and database status as JSON (503 when the database is down)."""
    started = time.perf_counter()
    try:
        db.session.execute(text("SELECT 1"))
        database = {"status": "ok", "dialect": db.engine.dialect.name}
        status = 200
    except Exception as error:  # noqa: BLE001 - any failure means "database down"
        db.session.rollback()
        current_app.logger.warning("healthz: database check failed: %s", error)
        database = {"status": "error", "error": type(error).__name__}
        status = 503
    body = {
        "status": "ok" if status == 200 else "degraded",
        "app": {"status": "ok", "version": current_app.config.get("VERSION", "0.1.0")},
        "database": database,
        "elapsed_ms": round((time.perf_counter() - started) * 1000, 2),
    }
    return body, status
