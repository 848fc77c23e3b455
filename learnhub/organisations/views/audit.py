"""The hub's audit log."""

from datetime import UTC

from flask import render_template, request
from sqlalchemy.orm import selectinload

from learnhub.extensions import db
from learnhub.organisations.forms import (
    AuditFilterForm,
)
from learnhub.organisations.views import bp
from learnhub.organisations.views.common import (
    _current_hub,
)
from learnhub.params import MAX_DATE, arg_int, arg_text
from learnhub.security import hub_admin_required

# --- hub administration: audit log -------------------------------------------------------------

AUDIT_PAGE_SIZE = 50


def _in_range(day):  # type: ignore[no-untyped-def]
    return day is None or day <= MAX_DATE


def _start_of(day):  # type: ignore[no-untyped-def]
    from datetime import datetime

    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None


@bp.get("/hub/audit")
@hub_admin_required
def audit_log():  # type: ignore[no-untyped-def]
    """Sensitive actions in the administrator's hub, newest first, filterable and paginated."""
    from datetime import timedelta

    from learnhub.audit import HIDDEN_FROM_HUB_ADMINS, Action, AuditEvent, audit_events

    hub = _current_hub()
    action = arg_text("action").value
    actor = arg_text("actor", max_length=254).value
    filters = AuditFilterForm(request.args)
    filters.validate()
    for date_field in (filters.date_from, filters.date_to):
        if not date_field.errors and not _in_range(date_field.data):
            date_field.errors = [f"{date_field.label.text} must be before {MAX_DATE.year + 1}"]
    # Dates past MAX_DATE are refused by the field's own range; the day after the last is safe.
    since = _start_of(filters.date_from.data) if not filters.date_from.errors and _in_range(filters.date_from.data) else None
    until = _start_of(filters.date_to.data) if not filters.date_to.errors and _in_range(filters.date_to.data) else None
    if until is not None:
        until = until + timedelta(days=1)
    page = arg_int("page", default=1, maximum=1_000_000)
    query = audit_events(hub_id=hub.id, action=action, actor=actor, since=since, until=until).where(
        AuditEvent.action.not_in(HIDDEN_FROM_HUB_ADMINS)
    )
    # The actor is shown on every row: load them together (one statement), not one per actor.
    events = db.paginate(
        query.options(selectinload(AuditEvent.actor)), page=page.value, per_page=AUDIT_PAGE_SIZE, error_out=False
    )
    # "page 2 of 5" in the title and caption: pages of one list must not share a title.
    pages = max(1, events.pages or 1)
    # Filter by any action a hub administrator may see (a code that is not an Action shows nothing).
    actions = sorted((a for a in Action if a not in HIDDEN_FROM_HUB_ADMINS), key=lambda a: a.label)
    return render_template(
        "organisations/audit.html",
        hub=hub,
        events=events,
        page=events.page,
        pages=pages,
        actions=actions,
        args={"action": action, "actor": actor}
        | {k: v for k, v in request.args.items() if k.startswith(("date_from", "date_to")) and v},
        filters=filters,
    )
