"""Delivering the outbox: claim a message with a lease, send it, record the outcome.

Each message is *claimed* first by a conditional UPDATE (queued and due, or ``sending`` with an
expired lease — its sender died), committed on its own, so two runs at once (two workers, the
post-commit step and cron) never send one message twice. Then:

- no MAIL_SERVER: the message is written to the outbox folder (``instance/outbox/``, the demo
  and development) and marked sent;
- the server accepted it: ``sent``;
- the server rejected it for good (a 5xx reply: unknown mailbox, refused address): ``bounced``,
  never retried, shown to the hub;
- anything else (server down, timeout, 4xx): back to ``queued`` with exponential backoff
  (``MAIL_RETRY_BASE_SECONDS`` × 2^(attempts-1)); after ``MAIL_MAX_ATTEMPTS`` it is ``failed``,
  shown to the hub administrators and on ``/healthz``; ``flask mail resend`` tries again.

Runs in its own database session, so it can be called from an after-commit step.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from flask import Flask, current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from learnhub.deferred import after_response
from learnhub.extensions import db
from learnhub.notifications.models import OutboxMessage
from learnhub.timeutil import utcnow
from learnhub.urls import public_base_url

QUEUE = "learnhub-mail"
LEASE = timedelta(minutes=5)


@dataclass
class DeliveryResult:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    bounced: list[int] = field(default_factory=list)


def schedule(ids: list[int]) -> None:
    """After a commit: deliver these messages after the response (or on the RQ queue)."""
    if not ids:
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    after_response(lambda: dispatch(app, ids))


def dispatch(app: Flask, ids: list[int] | None) -> None:
    """Queue the delivery on RQ when REDIS_URL is set (inline if Redis is down), else deliver now."""
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        from redis import Redis
        from redis.exceptions import RedisError
        from rq import Queue

        try:
            connection = Redis.from_url(str(redis_url), socket_connect_timeout=3, socket_timeout=5)
            Queue(QUEUE, connection=connection).enqueue(deliver_in_new_app, ids, job_timeout=3600)
            return
        except RedisError as error:
            app.logger.warning("job queue (Redis) is unavailable, sending mail inline: %s", error)
    deliver_due(app, ids)


def deliver_in_new_app(ids: list[int] | None = None) -> None:
    """RQ entry point: build the app from the environment and deliver."""
    from learnhub import create_app

    deliver_due(create_app(), ids)


def _claimable(now, force: bool):  # type: ignore[no-untyped-def]
    waiting = OutboxMessage.status == OutboxMessage.QUEUED
    if force:
        waiting = OutboxMessage.status.in_((OutboxMessage.QUEUED, OutboxMessage.FAILED))
    else:
        waiting = and_(waiting, OutboxMessage.next_attempt_at <= now)
    abandoned = and_(OutboxMessage.status == OutboxMessage.SENDING, OutboxMessage.claimed_until < now)
    return or_(waiting, abandoned)


def deliver_due(app: Flask, ids: list[int] | None = None, *, force: bool = False, limit: int = 1000) -> DeliveryResult:
    """Send the due messages (only ``ids`` when given); ``force`` also retries failed and not-yet-due ones."""
    with app.app_context():
        result = DeliveryResult()
        sender = _Sender(app)
        try:
            with Session(db.engine) as session:
                now = utcnow()
                query = select(OutboxMessage.id).where(_claimable(now, force)).order_by(OutboxMessage.id).limit(limit)
                if ids is not None:
                    query = query.where(OutboxMessage.id.in_(ids))
                candidates = list(session.scalars(query))
                session.commit()
                for message_id in candidates:
                    _deliver_one(app, session, sender, message_id, force, result)
        finally:
            sender.close()
        return result


def _deliver_one(app: Flask, session: Session, sender: _Sender, message_id: int, force: bool, result: DeliveryResult) -> None:
    now = utcnow()
    claimed = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, _claimable(now, force))
        .values(status=OutboxMessage.SENDING, claimed_until=now + LEASE, attempts=OutboxMessage.attempts + 1)
    ).rowcount
    session.commit()
    if claimed != 1:  # another run has it, or it was sent meanwhile
        return
    row = session.get(OutboxMessage, message_id, populate_existing=True)
    assert row is not None
    try:
        msg = build_message(app, row)
        if app.testing and row.attempts == 1:
            app.extensions.setdefault("outbox", []).append(msg)
        outcome, error = sender.send(msg)
    except Exception as problem:  # a bug, not the server: count the attempt so it ends as failed
        app.logger.exception("mail %s could not be built or handed over", message_id)
        outcome, error = "retry", f"{type(problem).__name__}: {problem}"[:500]
    done = utcnow()
    values: dict = {"claimed_until": None, "last_error": error}
    if outcome == "sent":
        values.update(status=OutboxMessage.SENT, sent_at=done)
        result.sent.append(message_id)
        app.logger.info("mail sent to %s: %s", row.to_address, row.subject)
    elif outcome == "bounced":
        values.update(status=OutboxMessage.BOUNCED)
        result.bounced.append(message_id)
        app.logger.error("mail to %s (%s) BOUNCED: %s", row.to_address, row.subject, error)
    elif row.attempts >= int(app.config.get("MAIL_MAX_ATTEMPTS") or 8):
        values.update(status=OutboxMessage.FAILED)
        result.failed.append(message_id)
        app.logger.error("mail to %s (%s) FAILED after %d attempts: %s", row.to_address, row.subject, row.attempts, error)
    else:
        base = float(app.config.get("MAIL_RETRY_BASE_SECONDS", 60))
        values.update(status=OutboxMessage.QUEUED, next_attempt_at=done + timedelta(seconds=base * 2 ** (row.attempts - 1)))
        result.retrying.append(message_id)
        app.logger.error(
            "mail to %s (%s) NOT sent (attempt %d), will retry: %s", row.to_address, row.subject, row.attempts, error
        )
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxMessage.SENDING)
        .values(**values)
    )
    session.commit()


def build_message(app: Flask, row: OutboxMessage) -> EmailMessage:
    """The MIME message of an outbox row (stdlib ``email``)."""
    # Headers are not folded below RFC 5322's 998-character limit: the standard library folds a
    # long subject before its first word, which some clients then show with a leading space.
    msg = EmailMessage(policy=policy.default.clone(max_line_length=998))
    msg["From"] = app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = row.to_address
    msg["Subject"] = row.subject
    msg["Date"] = format_datetime(row.created_at)
    msg["Message-ID"] = make_msgid(idstring=f"outbox-{row.id}", domain=urlsplit(public_base_url(app)).hostname)
    if row.unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{row.unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(row.body_text)
    if row.body_html:
        msg.add_alternative(row.body_html, subtype="html")
    if row.ics:
        method = row.ics_method or "REQUEST"
        msg.add_attachment(row.ics, maintype="text", subtype="calendar", filename="invite.ics", params={"method": method})
    return msg


def _permanent(error: Exception) -> bool:
    """A 5xx reply about this message: retrying will not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        return error.smtp_code >= 500
    return False


class _Sender:
    """One SMTP connection reused for a run (or the outbox folder when no MAIL_SERVER is set)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.smtp: smtplib.SMTP | None = None

    def send(self, msg: EmailMessage) -> tuple[str, str | None]:
        if not self.app.config.get("MAIL_SERVER"):
            from learnhub.mail import write_to_outbox

            try:
                path = write_to_outbox(self.app, msg)
            except OSError as error:  # disk full, permissions: try again later
                return "retry", f"{type(error).__name__}: {error}"[:500]
            self.app.logger.info("mail to %s (%s) written to %s: no MAIL_SERVER is set", msg["To"], msg["Subject"], path)
            return "sent", None
        try:
            if self.smtp is None:
                self.smtp = self._connect()
            self.smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as error:
            if not isinstance(error, (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
                self.close()  # the connection may be broken: the next message opens a new one
            outcome = "bounced" if _permanent(error) else "retry"
            return outcome, f"{type(error).__name__}: {error}"[:500]
        return "sent", None

    def _connect(self) -> smtplib.SMTP:
        config = self.app.config
        smtp = smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=20)
        try:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        except BaseException:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None
