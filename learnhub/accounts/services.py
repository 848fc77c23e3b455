"""Account state changes. Each function is one transaction and logs who did what."""

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from flask import current_app, has_request_context, request
from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from learnhub.accounts.models import PasswordToken, User
from learnhub.audit import Action, audit
from learnhub.deferred import after_response
from learnhub.extensions import db
from learnhub.idempotent import insert_or_get
from learnhub.notifications.categories import ACCOUNT, SECURITY
from learnhub.notifications.services import notify
from learnhub.roles import HubRole
from learnhub.timeutil import utcnow
from learnhub.transactions import commit
from learnhub.urls import external_url


def get_user_by_email(email: str) -> User | None:
    """Find an account by (normalised) email."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def register(*, name: str, email: str, password: str, professional_role: str, hub_id: int | None) -> None:
    """Someone asked for an account: create it, or tell the address's owner they have one.

    The caller shows the same "Check your email" page either way (GOV.UK pattern), so the page
    does not reveal whether an account exists. The password is hashed in both cases and both
    emails go after the response, so neither does the time taken.
    """
    email = email.strip().lower()
    password_hash = generate_password_hash(password)
    user = get_user_by_email(email)
    if user is None:
        user = _create_learner(name=name, email=email, professional_role=professional_role, hub_id=hub_id)
        if user is not None:
            user.password_hash = password_hash
            audit(user, Action.ACCOUNT_REGISTERED, email=user.email)
            after_response(partial(_send_welcome, user.id))
            return
    after_response(partial(_send_already_registered, email))


def _create_learner(*, name: str, email: str, professional_role: str, hub_id: int | None) -> User | None:
    """A new learner row, or None if the email was registered meanwhile (two requests at once)."""
    # Two requests at once for the same new email: one inserts, the other gets None.
    user, created = insert_or_get(
        User,
        key={"email": email},
        values={
            "name": name.strip(),
            "professional_role": professional_role,
            "hub_id": hub_id,
            "hub_role": HubRole.LEARNER.value,
        },
    )
    return user if created else None


def _send_welcome(user_id: int) -> None:
    user = db.session.get(User, user_id)
    if user is None:
        return
    notify(
        f"welcome:user-{user.id}",
        category=ACCOUNT,
        user=user,
        subject="Your LearnHub account",
        body=f"Hello {user.name},\n\nYour LearnHub account has been created. Sign in with this email address "
        f"and the password you chose:\n\n{external_url('accounts.login')}\n\n"
        "Then add your PCN and practice to your profile.\n\n"
        "If you did not ask for an account, reply to this email or contact your training hub.\n",
    )
    commit()  # runs after the response, outside the request's transaction: its own unit of work


def _send_already_registered(email: str) -> None:
    user = get_user_by_email(email)
    if user is None:
        return
    notify(
        f"already-registered:{uuid.uuid4().hex}",
        category=SECURITY,
        user=user,
        subject="You already have a LearnHub account",
        body=f"Hello {user.name},\n\nSomeone, probably you, asked to create a LearnHub account with this email "
        f"address. You already have one, so nothing has changed.\n\nSign in:\n\n{external_url('accounts.login')}\n\n"
        f"If you have forgotten your password, you can reset it:\n\n{external_url('accounts.forgot_password')}\n\n"
        "If it was not you, you can ignore this email.\n",
    )
    commit()  # its own unit of work, like the welcome email


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
    db.session.flush()  # the caller's unit of work commits (an import invites everyone or nobody)
    return raw


def request_password_reset(email: str) -> None:
    """Email a reset link if an active account exists. Says nothing either way to the caller."""
    user = get_user_by_email(email)
    if user is None or not user.active:
        current_app.logger.info("password reset asked for unknown or inactive email")
        return
    raw = issue_token(user, PasswordToken.RESET)
    link = external_url("accounts.reset_password", token=raw)
    minutes = current_app.config["PASSWORD_RESET_TTL_MINUTES"]
    notify(
        f"password-reset:{PasswordToken.hash(raw)}",
        category=SECURITY,
        user=user,
        subject="Reset your LearnHub password",
        body=f"Hello {user.name},\n\nUse this link to choose a new LearnHub password:\n\n{link}\n\n"
        f"The link works once and expires in {minutes} minutes. If you did not ask for it, "
        "you can ignore this email: your password has not changed.\n",
    )
    audit(user, Action.ACCOUNT_PASSWORD_RESET_REQUESTED)


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
    return check.user


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every session cookie issued so far stops working.

    The session holds ``<user id>.<session version>`` and the user loader refuses a version that
    is not the current one, so a cookie copied before sign-out is worthless afterwards.
    """
    user.session_version = (user.session_version or 0) + 1


def change_password(user: User, new_password: str) -> None:
    """Change a signed-in user's password (other sessions are signed out)."""
    user.set_password(new_password)
    audit(user, Action.ACCOUNT_PASSWORD_CHANGED)


def update_profile(user: User, **fields: object) -> None:
    """Save profile changes."""
    for key, value in fields.items():
        setattr(user, key, value)
    audit(user, Action.ACCOUNT_PROFILE_UPDATED, fields=",".join(sorted(fields)))
