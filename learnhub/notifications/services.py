"""``notify``: write an email into the outbox, in the caller's transaction (flush only).

The row is written with the change that caused it, so a rolled-back change sends nothing; it
is delivered once the transaction commits (:mod:`learnhub.notifications.delivery`). A
deterministic ``key`` (``"enrolled:enrolment-12"``) makes a retried or doubled call add no
second row. Nobody who erased their data is written to, nor anyone who turned the (optional)
category off; service categories cannot be turned off.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.extensions import db
from learnhub.idempotent import insert_or_get
from learnhub.notifications.categories import OPTIONAL, SERVICE, is_optional
from learnhub.notifications.models import NotificationPreference, OutboxMessage
from learnhub.transactions import after_commit
from learnhub.urls import external_url

_SALT = "learnhub-unsubscribe"


class _Batch:
    """The messages written in one transaction: delivered together once it commits.

    It sits in the transaction's after-commit list, so a rollback discards it with the rows.
    """

    def __init__(self) -> None:
        self.ids: list[int] = []

    def __call__(self) -> None:
        from learnhub.notifications.delivery import schedule

        schedule(list(self.ids))


def _batch() -> _Batch:
    pending = db.session.info.get("learnhub_after_commit", [])
    for fn in pending:
        if isinstance(fn, _Batch):
            return fn
    batch = _Batch()
    after_commit(batch)
    return batch


def wants(user: User, category: str) -> bool:
    """Whether ``user`` receives messages of ``category`` (service messages: always)."""
    if user.erased_at is not None:
        return False
    if not is_optional(category):
        return True
    enabled = db.session.scalar(
        select(NotificationPreference.enabled).where(
            NotificationPreference.user_id == user.id, NotificationPreference.category == category
        )
    )
    return enabled is None or bool(enabled)


def preferences(user: User) -> dict[str, bool]:
    """Each optional category: on or off for ``user``."""
    rows = dict(
        db.session.execute(
            select(NotificationPreference.category, NotificationPreference.enabled).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return {category: bool(rows.get(category, True)) for category in OPTIONAL}


def set_preference(user: User, category: str, enabled: bool) -> None:
    """Turn an optional category on or off (service categories are refused with ValueError)."""
    if category not in OPTIONAL:
        raise ValueError(f"not an optional category: {category!r}")
    row, _ = insert_or_get(NotificationPreference, key={"user_id": user.id, "category": category}, values={"enabled": enabled})
    row.enabled = enabled
    db.session.flush()


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(user_id: int, category: str) -> str:
    return _serializer().dumps([user_id, category])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """``(user id, category)`` of a genuine token for an optional category, else None."""
    try:
        value = _serializer().loads(token)
    except BadSignature:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], int)
        or not isinstance(value[1], str)
        or value[1] not in OPTIONAL
    ):
        return None
    return value[0], value[1]


def render(template: str, **context: Any) -> tuple[str, str]:
    """``(subject, body)`` from a text template whose first line is ``Subject: …``."""
    text = render_template(f"notifications/email/{template}.txt", **context)
    first, _, rest = text.lstrip().partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"email template {template} must start with 'Subject:'")
    return first.removeprefix("Subject:").strip(), rest.strip() + "\n"


def notify(
    key: str,
    *,
    category: str,
    user: User | None = None,
    to: str | None = None,
    subject: str | None = None,
    body: str | None = None,
    template: str | None = None,
    context: dict[str, Any] | None = None,
    html: str | None = None,
    ics: bytes | None = None,
    ics_method: str | None = None,
) -> OutboxMessage | None:
    """Queue one email in the current transaction; None when it is not to be sent.

    Give ``user`` (the address is theirs unless ``to`` is given) or just ``to`` (someone
    without an account yet). Give ``subject`` and ``body``, or a ``template`` under
    ``notifications/email/`` rendered with ``context`` (and ``user``). Returns the row (the
    existing one when ``key`` was already used: no second message).
    """
    if category not in SERVICE and category not in OPTIONAL:
        raise ValueError(f"unknown notification category {category!r}")
    if user is not None and not wants(user, category):
        return None
    address = to or (user.email if user is not None else None)
    if not address:
        raise ValueError("notify needs a user or an address")
    if template is not None:
        subject, body = render(template, user=user, **(context or {}))
    if subject is None or body is None:
        raise ValueError("notify needs a subject and a body, or a template")
    unsubscribe = None
    if user is not None and is_optional(category):
        unsubscribe = external_url("notifications.unsubscribe", token=unsubscribe_token(user.id, category))
        label = OPTIONAL[category][0]
        body = (
            f"{body.rstrip()}\n\n--\nStop emails about {label.lower()}: {unsubscribe}\n"
            f"Choose which emails you get: {external_url('notifications.preferences')}\n"
        )
    row, created = insert_or_get(
        OutboxMessage,
        key={"idempotency_key": key[:200]},
        values={
            "user_id": user.id if user is not None else None,
            "to_address": address,
            "category": category,
            "subject": subject[:300],
            "body_text": body,
            "body_html": html,
            "ics": ics,
            "ics_method": ics_method,
            "unsubscribe_url": unsubscribe,
            "status": OutboxMessage.QUEUED,
            "attempts": 0,
        },
    )
    if created:
        _batch().ids.append(row.id)
    return row


def recent_for(user: User, limit: int = 20) -> list[OutboxMessage]:
    """The latest emails to ``user`` (for hub administrators: subject, time and status, never the body)."""
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.user_id == user.id).order_by(OutboxMessage.id.desc()).limit(limit)
        )
    )
