"""Account state changes. Each function is one transaction and logs who did what."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import select, update

from learnhub.accounts.models import PasswordToken, User
from learnhub.audit import Action, audit
from learnhub.extensions import db
from learnhub.idempotent import insert_or_get
from learnhub.mail import send_mail
from learnhub.roles import HubRole
from learnhub.timeutil import utcnow


def get_user_by_email(email: str) -> User | None:
    """Find an account by (normalised) email."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def register_user(*, name: str, email: str, password: str, professional_role: str, hub_id: int | None) -> User | None:
    """Create a learner account; None if an account with this email exists already.

    The same form sent twice at once (a double click) creates one account: the insert does
    nothing when the email is taken (:func:`learnhub.idempotent.insert_or_get`). A racing copy
    from the same person (same password) gets the account that was just made, so both clicks
    end signed in; anyone else gets None.
    """
    draft = User()
    draft.set_password(password)
    user, created = insert_or_get(
        User,
        key={"email": email.strip().lower()},
        values={
            "name": name.strip(),
            "professional_role": professional_role,
            "hub_id": hub_id,
            "hub_role": HubRole.LEARNER.value,
            "password_hash": draft.password_hash,
        },
    )
    if created:
        audit(user, Action.ACCOUNT_REGISTERED, email=user.email)
        return user
    return user if user.check_password(password) and user.created_at > utcnow() - timedelta(minutes=1) else None


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None.

    The password is checked against a dummy hash when the email is unknown so that the
    response time does not reveal whether an account exists.
    """
    user = get_user_by_email(email)
    if user is None or not user.password_hash:
        User(password_hash=_dummy_hash()).check_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


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
    db.session.flush()  # the caller's unit of work commits (an import invites everyone or nobody)
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
    audit(user, Action.ACCOUNT_PASSWORD_RESET_REQUESTED)
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
    """Set a new password through a link token, marking the token used. None if the token is bad.

    The token is consumed atomically (``UPDATE … WHERE used_at IS NULL``, then the row count):
    the same link submitted ten times at once sets the password once; the others get None.
    """
    check = check_token(raw, purpose)
    if check.user is None:
        return None
    now = utcnow()
    consumed = db.session.execute(
        update(PasswordToken)
        .where(
            PasswordToken.token_hash == PasswordToken.hash(raw),
            PasswordToken.purpose == purpose,
            PasswordToken.used_at.is_(None),
            PasswordToken.expires_at >= now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if consumed.rowcount != 1:  # used by another request a moment ago
        return None
    check.user.set_password(new_password)
    audit(check.user, Action.ACCOUNT_PASSWORD_SET, via=purpose)
    db.session.commit()
    return check.user


def change_password(user: User, new_password: str) -> None:
    """Change a signed-in user's password (other sessions are signed out)."""
    user.set_password(new_password)
    audit(user, Action.ACCOUNT_PASSWORD_CHANGED)
    db.session.commit()


def update_profile(user: User, **fields: object) -> None:
    """Save profile changes."""
    for key, value in fields.items():
        setattr(user, key, value)
    audit(user, Action.ACCOUNT_PROFILE_UPDATED, fields=",".join(sorted(fields)))
    db.session.commit()
