"""Sending email: SMTP when MAIL_SERVER is configured, otherwise an outbox folder and the log."""

import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from flask import current_app


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text email.

    In development (no MAIL_SERVER) the message is written to ``instance/outbox/`` and logged,
    so links in it can be followed. Under test it is also kept in ``app.extensions['outbox']``.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    msg = EmailMessage()
    msg["From"] = app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)

    if app.testing:
        app.extensions.setdefault("outbox", []).append(msg)

    server = app.config.get("MAIL_SERVER")
    if server:
        with smtplib.SMTP(server, int(app.config["MAIL_PORT"]), timeout=20) as smtp:
            if app.config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if app.config.get("MAIL_USERNAME"):
                smtp.login(app.config["MAIL_USERNAME"], app.config["MAIL_PASSWORD"])
            smtp.send_message(msg)
        app.logger.info("mail sent to %s: %s", to, subject)
        return

    outbox = Path(app.instance_path) / app.config["MAIL_OUTBOX_DIR"]
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = outbox / f"{stamp}.eml"
    path.write_bytes(bytes(msg))
    app.logger.info("mail to %s written to %s (no MAIL_SERVER set)\n%s", to, path, body)
