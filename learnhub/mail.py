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
"""

import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from flask import Flask, after_this_request, current_app, has_request_context


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

    if not has_request_context():
        _deliver(app, msg)
        return

    @after_this_request
    def _send_after_response(response):  # type: ignore[no-untyped-def]
        if response.status_code >= 400:  # the request's transaction is rolled back (learnhub.transactions)
            app.logger.warning("mail to %s (%s) not sent: the request failed", to, subject)
        else:
            response.call_on_close(lambda: _deliver_in_context(app, msg))
        return response


def _deliver_in_context(app: Flask, msg: EmailMessage) -> None:
    with app.app_context():
        _deliver(app, msg)


def _deliver(app: Flask, msg: EmailMessage) -> None:
    """Hand the message to the SMTP server; on failure keep it in the outbox and log an error."""
    try:
        with smtplib.SMTP(app.config["MAIL_SERVER"], int(app.config["MAIL_PORT"]), timeout=20) as smtp:
            if app.config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if app.config.get("MAIL_USERNAME"):
                smtp.login(app.config["MAIL_USERNAME"], app.config["MAIL_PASSWORD"])
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as error:
        path = _write_to_outbox(app, msg)
        app.logger.error(
            "mail to %s (%s) NOT sent: %s: %s; kept in %s", msg["To"], msg["Subject"], type(error).__name__, error, path
        )
        return
    app.logger.info("mail sent to %s: %s", msg["To"], msg["Subject"])


def _write_to_outbox(app: Flask, msg: EmailMessage) -> Path:
    outbox = Path(app.instance_path) / app.config["MAIL_OUTBOX_DIR"]
    outbox.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = outbox / f"{stamp}.eml"
    path.touch(mode=0o600)
    path.write_bytes(bytes(msg))
    return path


def warn_if_unconfigured(app: Flask) -> None:
    """At start-up in production: say loudly that no email will leave the machine."""
    if app.config.get("MAIL_SERVER") or app.debug or app.testing:
        return
    app.logger.warning(
        "LEARNHUB_MAIL_SERVER is not set: no email will be sent (password resets, invitations, reminders); "
        "messages are only written to %s",
        Path(app.instance_path) / app.config["MAIL_OUTBOX_DIR"],
    )
