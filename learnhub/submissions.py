"""A form submitted twice is handled once: double clicks, impatient re-clicks and two tabs.

Every POST gets a key: who sent it (the signed-in user, else the client address), where to,
and exactly what (every field, and a digest of every uploaded file). The key is inserted as a
:class:`FormSubmission` row at the start of the request, inside the request's transaction
(:mod:`learnhub.transactions`), and the redirect the request ends with is stored on it.

* The first request wins. An identical request arriving while it runs waits for it (the
  unique key is locked until the first request commits), then gets the same outcome: a
  redirect to the same place. Nothing is created twice, nothing fails with a 500.
* Only redirects are replayed (a success, in the post/redirect/get pattern). A request that
  showed a page (a form with errors) or failed leaves nothing to replay, so sending it again
  is processed as new.
* Each rendering of a form carries a value of its own (:data:`RENDER_FIELD`, put in by
  ``form_hidden_fields``), so the same form filled in again later is a new submission even
  when it is sent within seconds (the CSRF token alone repeats for every rendering within the
  same second); the guard only joins true repeats of one rendered form. Repeats are joined for
  ``DOUBLE_SUBMIT_SECONDS`` (default 10; 0 turns the guard off).

Services still enforce their own rules (unique constraints, :func:`learnhub.idempotent.insert_or_get`):
this guard is the outer layer that makes the *same click* count once.
"""

from __future__ import annotations

import hashlib
import random
import secrets
import time
from datetime import datetime, timedelta

from flask import Flask, Response, g, redirect, request
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import String, delete
from sqlalchemy.orm import Mapped, mapped_column

from learnhub.extensions import db
from learnhub.timeutil import UTCDateTime, utcnow

#: POST endpoints never joined: their outcome lives in the session cookie of the response
#: (signing in or out, a link that signs you in), which a replayed redirect would not carry.
#: Each protects itself: a link token is consumed once, signing in twice is harmless.
#: Checking a credential changes nothing and answers with a page (nothing to replay): a repeat
#: would only wait for the first one.
EXEMPT = frozenset(
    {"accounts.login", "accounts.logout", "accounts.accept_invite", "accounts.reset_password", "credentials.verify", "static"}
)


#: The hidden field that makes each rendering of a form distinct (see the module's docstring).
RENDER_FIELD = "form_rendering"


def render_marker() -> Markup:
    """A hidden input with a value new to this rendering of a form."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(RENDER_FIELD, secrets.token_urlsafe(9))


class FormSubmission(db.Model):
    """One handled form submission: its key and where it sent the person."""

    __tablename__ = "form_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of sender, method, path, fields and file digests.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    #: The redirect the request ended with (None while running, or when it showed a page).
    location: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<FormSubmission {self.key[:8]}>"


def submission_key() -> str:
    """The key of the current POST request."""
    digest = hashlib.sha256()
    sender = f"user:{current_user.get_id()}" if current_user.is_authenticated else f"addr:{request.remote_addr}"
    for part in (sender, request.method, request.path, request.query_string.decode("latin-1")):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\x00")
    for name, value in sorted(request.form.items(multi=True)):
        digest.update(f"{name}={value}".encode("utf-8", "surrogatepass") + b"\x00")
    for name, upload in sorted(request.files.items(multi=True), key=lambda item: (item[0], item[1].filename or "")):
        content = upload.stream.read()
        upload.stream.seek(0)
        digest.update(f"{name}:{upload.filename}:".encode("utf-8", "surrogatepass") + hashlib.sha256(content).digest())
    return digest.hexdigest()


def init_app(app: Flask) -> None:
    """Install the guard (its after-request step runs before the request commits)."""

    @app.before_request
    def _join_repeats() -> Response | None:
        seconds = int(app.config.get("DOUBLE_SUBMIT_SECONDS", 10) or 0)
        if request.method != "POST" or not seconds or request.endpoint in EXEMPT or request.endpoint is None:
            return None
        from learnhub.idempotent import insert_or_get

        now = utcnow()
        row, created = insert_or_get(FormSubmission, {"key": submission_key()}, {"created_at": now})
        if not created:
            recent = row.created_at >= now - timedelta(seconds=seconds)
            # A first request that committed part of its work early (a bulk job starting) may
            # still be running: wait briefly for its outcome rather than running again.
            if recent and not row.location:
                # Nothing has been written by this request yet (the insert found the key): end
                # its transaction so that it holds no lock (SQLite's single write lock) while the
                # first request finishes.
                db.session.commit()
            for _ in range(50 if recent else 0):
                if row.location:
                    break
                time.sleep(0.1)
                db.session.refresh(row)
            if row.location and recent:
                return redirect(row.location)  # the same 302 the first request answered
            row.created_at, row.location = now, None
        elif random.random() < 0.01:  # noqa: S311  (housekeeping, not security)
            db.session.execute(delete(FormSubmission).where(FormSubmission.created_at < now - timedelta(days=1)))
        g.form_submission = row
        return None

    @app.after_request
    def _remember_outcome(response: Response) -> Response:
        row = g.pop("form_submission", None)
        if row is not None and 300 <= response.status_code < 400 and response.location:
            row.location = response.location[:2000]
        return response
