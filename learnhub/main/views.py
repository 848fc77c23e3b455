"""Home page, service information pages and ``/healthz``."""

from flask import Blueprint, current_app, render_template
from flask_login import current_user
from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.extensions import db
from learnhub.mail import WaitingMessage, waiting_messages
from learnhub.security import hub_admin_required

bp = Blueprint("main", __name__, template_folder="templates")


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    """Home: what is due for a signed-in user, or what LearnHub is for."""
    if not current_user.is_authenticated:
        return render_template("main/landing.html")
    from learnhub.evaluation.services import surveys_due_count

    return render_template("main/home.html", surveys_due=surveys_due_count(current_user))


@bp.get("/hub")
@hub_admin_required
def hub_admin():  # type: ignore[no-untyped-def]
    """Hub administrators' starting point: every area they manage (and mail that did not go)."""
    return render_template("main/hub_admin.html", waiting=_waiting_for_my_hub())


@bp.get("/hub/mail-waiting")
@hub_admin_required
def mail_waiting():  # type: ignore[no-untyped-def]
    """Messages to this hub's people that the mail server did not take: who, what, since when."""
    return render_template("main/mail_waiting.html", waiting=_waiting_for_my_hub())


def _waiting_for_my_hub() -> list[WaitingMessage]:
    """Waiting messages addressed to people of the administrator's hub (never another hub's)."""
    waiting = waiting_messages(current_app)
    if not waiting:
        return []
    addresses = {message.to for message in waiting}
    ours = set(db.session.scalars(select(User.email).where(User.hub_id == current_user.hub_id, User.email.in_(addresses))))
    return [message for message in waiting if message.to in ours]


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
    """Each dependency's status as JSON: 503 when the database is down, 200 otherwise.

    ``status`` is "ok", or "degraded" when LearnHub works without a part (Redis down: rate
    limits counted in each worker's memory, bulk jobs run inline) — see docs/operations.md.
    """
    from learnhub import health

    body = health.report()
    if body["database"]["status"] != "ok":
        return body, 503, {"Retry-After": str(current_app.config.get("RETRY_AFTER_SECONDS") or 30)}
    return body, 200
