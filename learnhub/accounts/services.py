"""Account state changes. Each function is one transaction and logs who did what."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, g, has_request_context, request, url_for
from sqlalchemy import select

from learnhub.accounts.models import AuditEvent, PasswordToken, User
from learnhub.extensions import db
from learnhub.mail import send_mail
from learnhub.roles import HubRole
from learnhub.timeutil import utcnow


def audit(actor: User | None, action: str, **details: object) -> None:
    """Record a sensitive action in the application log and as an ``AuditEvent`` row.

    The row is added to the caller's session, so it is committed (or rolled back) together
    with the change it records. The hub is ``hub=`` in the details, else the actor's hub; the
    object is the first detail whose value is an integer id (``certificate=12``).
    """
    if actor is not None and actor.id is None:
        db.session.flush()
    who = f"user {actor.id}" if actor else "anonymous"
    extra = " ".join(f"{k}={v}" for k, v in details.items())
    current_app.logger.info("audit %s: %s %s", who, action, extra)
    hub = details.get("hub")
    hub_id = hub if isinstance(hub, int) and not isinstance(hub, bool) else (actor.hub_id if actor else None)
    object_type = object_id = None
    for key, value in details.items():
        if key != "hub" and isinstance(value, int) and not isinstance(value, bool):
            object_type, object_id = key, value
            break
    request_id = g.get("request_id") if has_request_context() else None
    db.session.add(
        AuditEvent(
            actor_id=actor.id if actor else None,
            hub_id=hub_id,
            action=action[:100],
            object_type=object_type,
            object_id=object_id,
            details={k: v if isinstance(v, (int, float, bool, str)) or v is None else str(v) for k, v in details.items()},
            request_id=request_id,
        )
    )


def audit_events(*, hub_id: int | None, action: str = "", actor: str = "", since=None, until=None):  # type: ignore[no-untyped-def]
    """Query of audit events, newest first; ``hub_id=None`` means every hub (site admins)."""
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if hub_id is not None:
        query = query.where(AuditEvent.hub_id == hub_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if actor:
        query = query.join(User, AuditEvent.actor_id == User.id).where(User.email == actor.strip().lower())
    if since is not None:
        query = query.where(AuditEvent.created_at >= since)
    if until is not None:
        query = query.where(AuditEvent.created_at < until)
    return query


def get_user_by_email(email: str) -> User | None:
    """Find an account by (normalised) email."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def register_user(*, name: str, email: str, password: str, professional_role: str, hub_id: int | None) -> User:
    """Create a learner account."""
    user = User(
        name=name.strip(),
        email=email.strip().lower(),
        professional_role=professional_role,
        hub_id=hub_id,
        hub_role=HubRole.LEARNER.value,
    )
    user.set_password(password)
    db.session.add(user)
    audit(user, "registered", email=user.email)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None.

    The password is checked against a dummy hash when the email is unknown so that the
    response time does not reveal whether an account exists.
    """
    user = get_user_by_email(email)
    if user is None or not user.password_hash:
        User(password_hash=_dummy_hash()).check_password(password)
        _failed_sign_in("no account with that email" if user is None else "account has no password yet (invited)", user)
        return None
    if not user.check_password(password):
        _failed_sign_in("wrong password", user)
        return None
    if not user.active:
        _failed_sign_in("account deactivated", user)
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def _failed_sign_in(reason: str, user: User | None) -> None:
    """Log a failed sign-in with its reason: never the password, and no email for unknown accounts."""
    current_app.logger.warning(
        "sign-in failed: %s (user %s, from %s)",
        reason,
        user.id if user is not None else "-",
        request.remote_addr if has_request_context() else "-",
    )


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        from werkzeug.security import generate_password_hash

        _DUMMY.append(generate_password_hash(secrets.token_hex(16)))
    return _DUMMY[0]


def issue_token(user: User, purpose: str) -> str:
    """Create a single-use link token; earlier unused tokens of the same purpose stop working."""
    now = utcnow()
    for old in db.session.scalars(
        select(PasswordToken).where(
            PasswordToken.user_id == user.id,
            PasswordToken.purpose == purpose,
            PasswordToken.used_at.is_(None),
        )
    ):
        old.used_at = now
    if purpose == PasswordToken.INVITE:
        ttl = timedelta(days=int(current_app.config["INVITE_TTL_DAYS"]))
    else:
        ttl = timedelta(minutes=int(current_app.config["PASSWORD_RESET_TTL_MINUTES"]))
    raw = secrets.token_urlsafe(32)
    db.session.add(PasswordToken(user_id=user.id, token_hash=PasswordToken.hash(raw), purpose=purpose, expires_at=now + ttl))
    db.session.commit()
    return raw


def request_password_reset(email: str) -> None:
    """Email a reset link if an active account exists. Says nothing either way to the caller."""
    user = get_user_by_email(email)
    if user is None or not user.active:
        current_app.logger.info("password reset asked for unknown or inactive email")
        return
    raw = issue_token(user, PasswordToken.RESET)
    link = url_for("accounts.reset_password", token=raw, _external=True)
    minutes = current_app.config["PASSWORD_RESET_TTL_MINUTES"]
    send_mail(
        user.email,
        "Reset your LearnHub password",
        f"Hello {user.name},\n\nUse this link to choose a new LearnHub password:\n\n{link}\n\n"
        f"The link works once and expires in {minutes} minutes. If you did not ask for it, "
        "you can ignore this email: your password has not changed.\n",
    )
    audit(user, "password reset requested")
    db.session.commit()


@dataclass
class TokenCheck:
    """Outcome of looking up a link token."""

    user: User | None
    problem: str | None


def check_token(raw: str, purpose: str) -> TokenCheck:
    """Find the user a token belongs to, or say why the link cannot be used."""
    token = db.session.scalar(
        select(PasswordToken).where(PasswordToken.token_hash == PasswordToken.hash(raw), PasswordToken.purpose == purpose)
    )
    if token is None:
        return TokenCheck(None, "This link is not valid. Check you copied all of it, or ask for a new one.")
    if token.used_at is not None:
        return TokenCheck(None, "This link has already been used. Ask for a new one if you need to.")
    if token.expires_at < utcnow():
        return TokenCheck(None, "This link has expired. Ask for a new one.")
    if not token.user.active:
        return TokenCheck(None, "This account has been deactivated. Contact your training hub administrator.")
    return TokenCheck(token.user, None)


def use_token(raw: str, purpose: str, new_password: str) -> User | None:
    """Set a new password through a link token, marking the token used. None if the token is bad."""
    check = check_token(raw, purpose)
    if check.user is None:
        return None
    token = db.session.scalar(select(PasswordToken).where(PasswordToken.token_hash == PasswordToken.hash(raw)))
    assert token is not None
    token.used_at = utcnow()
    check.user.set_password(new_password)
    audit(check.user, "password set", via=purpose)
    db.session.commit()
    return check.user


def change_password(user: User, new_password: str) -> None:
    """Change a signed-in user's password (other sessions are signed out)."""
    user.set_password(new_password)
    audit(user, "password changed")
    db.session.commit()


def update_profile(user: User, **fields: object) -> None:
    """Save profile changes."""
    for key, value in fields.items():
        setattr(user, key, value)
    audit(user, "profile updated", fields=",".join(sorted(fields)))
    db.session.commit()
