"""Email: one path, the notifications outbox (:mod:`learnhub.notifications`).

Every message is a row written in the transaction of the change that caused it and delivered
after that transaction commits (SMTP when MAIL_SERVER is configured, otherwise the outbox
folder ``instance/outbox/``, readable by the service user only). Two rules hold whatever
happens:

- **Nothing is logged but the recipient and subject.** Bodies carry one-time links (password
  reset, invitations), so they never go to the log, nor to the hub's "Emails not sent" page.
- **Mail never fails the request.** Delivery happens after the response has been sent; a
  server that cannot be reached leaves the message queued for a retry with backoff.

Messages the server did not take are *waiting*: hub administrators see those addressed to their
hub's people on the hub page (:func:`waiting_messages`), ``/healthz`` counts them, and
``flask --app learnhub mail resend`` tries them all again at once (:func:`resend_waiting`;
docs/operations.md, "Email").
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from flask import Flask
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session


def send_mail(to: str, subject: str, body: str, *, key: str | None = None, category: str = "account") -> None:
    """Queue a plain-text service email to an address (prefer :func:`learnhub.notifications.services.notify`).

    Written in the current transaction; sent after it commits.
    """
    from learnhub.notifications.services import notify

    notify(key or f"mail:{uuid.uuid4().hex}", category=category, to=to, subject=subject, body=body)


def outbox_dir(app: Flask) -> Path:
    """The folder where messages go when no MAIL_SERVER is set (``instance/outbox/`` by default)."""
    return Path(app.instance_path) / app.config["MAIL_OUTBOX_DIR"]


def write_to_outbox(app: Flask, msg: EmailMessage) -> Path:
    outbox = outbox_dir(app)
    outbox.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = outbox / f"{stamp}.eml"
    path.touch(mode=0o600)
    path.write_bytes(bytes(msg))
    return path


@dataclass(frozen=True)
class WaitingMessage:
    """A message the mail server has not taken: who it is for, what about, since when (never its body)."""

    to: str
    subject: str
    kept_at: datetime
    status: str = "queued"
    attempts: int = 0
    last_error: str | None = None


def _not_delivered():  # type: ignore[no-untyped-def]
    from learnhub.notifications.models import OutboxMessage as M

    return or_(
        and_(M.status.in_((M.QUEUED, M.SENDING)), M.attempts > 0),
        M.status.in_((M.FAILED, M.BOUNCED)),
    )


def waiting_messages(app: Flask, *, include_bounced: bool = True) -> list[WaitingMessage]:
    """Messages tried and not delivered (retrying, failed, bounced), oldest first; headers only."""
    from learnhub.extensions import db
    from learnhub.notifications.models import OutboxMessage as M

    with app.app_context(), Session(db.engine) as session:
        query = select(M).where(_not_delivered()).order_by(M.id)
        if not include_bounced:
            query = query.where(M.status != M.BOUNCED)
        return [
            WaitingMessage(
                to=row.to_address.lower(),
                subject=row.subject,
                kept_at=row.created_at,
                status=row.status,
                attempts=row.attempts,
                last_error=(row.last_error or "").split(":", 1)[0] or None,
            )
            for row in session.scalars(query)
        ]


def resend_waiting(app: Flask) -> tuple[int, int]:
    """Try every waiting message again now (retrying and failed; not bounced); return (sent, still waiting).

    Each message is claimed before it is sent, so two runs at once never send one twice.
    """
    from learnhub.notifications.delivery import deliver_due

    if not app.config.get("MAIL_SERVER"):
        raise RuntimeError("LEARNHUB_MAIL_SERVER is not set: there is no mail server to send the waiting messages to")
    result = deliver_due(app, force=True)
    return len(result.sent), len(result.retrying) + len(result.failed) + len(result.bounced)


def warn_if_unconfigured(app: Flask) -> None:
    """At start-up in production: say loudly that no email will leave the machine."""
    if app.config.get("MAIL_SERVER") or app.debug or app.testing:
        return
    app.logger.warning(
        "LEARNHUB_MAIL_SERVER is not set: no email will be sent (password resets, invitations, reminders); "
        "messages are only written to %s",
        Path(app.instance_path) / app.config["MAIL_OUTBOX_DIR"],
    )
