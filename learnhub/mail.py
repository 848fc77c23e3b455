"""Sending email: SMTP when MAIL_SERVER is configured, otherwise an outbox folder.

Two rules hold whatever happens:

- **Nothing is logged but the recipient and subject.** Bodies carry one-time links (password
  reset, invitations), so they never go to the log.
- **Mail never fails the request.** During a request, the SMTP conversation happens after the
  response has been sent (``response.call_on_close``) and only when the request succeeded
  (so a rolled-back change sends no link to a token that was never stored). If the server
  cannot be reached, the message is written to the outbox folder (``instance/outbox/``,
  readable by the service user only) and an error is logged, so an administrator can forward
  it; the person sees the same page either way (no account enumeration through a 500).

Messages left in the outbox are *waiting*: hub administrators see those addressed to their
hub's people on the hub page (:func:`waiting_messages`), ``/healthz`` counts them, and
``flask --app learnhub mail resend`` hands them to the mail server once it works
(:func:`resend_waiting`; docs/operations.md, "When something fails").
"""

import os
import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from pathlib import Path

from flask import Flask, current_app

from learnhub.deferred import after_response


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text email (see the module notes: never raises, never logs the body).

    Under test the message is also kept in ``app.extensions['outbox']``.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    msg = EmailMessage()
    msg["From"] = app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)

    if app.testing:
        app.extensions.setdefault("outbox", []).append(msg)

    if not app.config.get("MAIL_SERVER"):
        path = _write_to_outbox(app, msg)
        app.logger.info("mail to %s (%s) written to %s: no MAIL_SERVER is set", to, subject, path)
        return

    after_response(lambda: _deliver(app, msg), only_if_successful=True)


def _smtp_send(app: Flask, msg: EmailMessage) -> None:
    """One SMTP conversation (raises ``OSError`` or ``smtplib.SMTPException`` on failure)."""
    with smtplib.SMTP(app.config["MAIL_SERVER"], int(app.config["MAIL_PORT"]), timeout=20) as smtp:
        if app.config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if app.config.get("MAIL_USERNAME"):
            smtp.login(app.config["MAIL_USERNAME"], app.config["MAIL_PASSWORD"])
        smtp.send_message(msg)


def _deliver(app: Flask, msg: EmailMessage) -> None:
    """Hand the message to the SMTP server; on failure keep it in the outbox and log an error."""
    try:
        _smtp_send(app, msg)
    except (OSError, smtplib.SMTPException) as error:
        path = _write_to_outbox(app, msg)
        app.logger.error(
            "mail to %s (%s) NOT sent: %s: %s; kept in %s", msg["To"], msg["Subject"], type(error).__name__, error, path
        )
        return
    app.logger.info("mail sent to %s: %s", msg["To"], msg["Subject"])


def outbox_dir(app: Flask) -> Path:
    """The folder where unsent messages wait (``instance/outbox/`` by default)."""
    return Path(app.instance_path) / app.config["MAIL_OUTBOX_DIR"]


def _write_to_outbox(app: Flask, msg: EmailMessage) -> Path:
    outbox = outbox_dir(app)
    outbox.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = outbox / f"{stamp}.eml"
    path.touch(mode=0o600)
    path.write_bytes(bytes(msg))
    return path


@dataclass(frozen=True)
class WaitingMessage:
    """A message in the outbox: who it is for, what it is about and since when (never its body)."""

    to: str
    subject: str
    kept_at: datetime


def waiting_messages(app: Flask) -> list[WaitingMessage]:
    """Every message waiting in the outbox, oldest first (headers only: bodies hold one-time links)."""
    found = []
    for path in sorted(outbox_dir(app).glob("*.eml")):
        try:
            with path.open("rb") as handle:
                headers = BytesHeaderParser(policy=policy.default).parse(handle)
            kept_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except OSError:  # sent (and removed) by ``mail resend`` while we looked
            continue
        to = parseaddr(str(headers["To"] or ""))[1].lower()
        found.append(WaitingMessage(to=to, subject=str(headers["Subject"] or ""), kept_at=kept_at))
    return found


def resend_waiting(app: Flask) -> tuple[int, int]:
    """Try every waiting message again; return (sent, still waiting).

    Each file is claimed by renaming it first, so two runs at once never send a message twice;
    a message the server refuses again goes back to the outbox unchanged.
    """
    if not app.config.get("MAIL_SERVER"):
        raise RuntimeError("LEARNHUB_MAIL_SERVER is not set: there is no mail server to send the waiting messages to")
    sent = failed = 0
    for path in sorted(outbox_dir(app).glob("*.eml")):
        claimed = path.with_name(f"{path.name}.sending-{os.getpid()}")
        try:
            path.rename(claimed)
        except OSError:  # another run took it
            continue
        msg = message_from_bytes(claimed.read_bytes(), policy=policy.default)
        try:
            _smtp_send(app, msg)  # type: ignore[arg-type]
        except (OSError, smtplib.SMTPException) as error:
            claimed.rename(path)
            failed += 1
            app.logger.error("mail to %s (%s) still NOT sent: %s: %s", msg["To"], msg["Subject"], type(error).__name__, error)
            continue
        claimed.unlink()
        sent += 1
        app.logger.info("waiting mail sent to %s: %s", msg["To"], msg["Subject"])
    return sent, failed


def warn_if_unconfigured(app: Flask) -> None:
    """At start-up in production: say loudly that no email will leave the machine."""
    if app.config.get("MAIL_SERVER") or app.debug or app.testing:
        return
    app.logger.warning(
        "LEARNHUB_MAIL_SERVER is not set: no email will be sent (password resets, invitations, reminders); "
        "messages are only written to %s",
        Path(app.instance_path) / app.config["MAIL_OUTBOX_DIR"],
    )
