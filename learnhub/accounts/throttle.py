"""Sign-in throttling that an attacker cannot turn against the account's owner.

Following OWASP's authentication guidance ("Slow down online guessing attacks with device
cookies"): failed sign-ins are counted

- per **email and client address** (``LOGIN_EMAIL_RATE_LIMIT``, default 5 in 5 minutes), so
  someone guessing a known user's password from their own machine slows down only themselves;
- per **client address** for every email together (``LOGIN_RATE_LIMIT``, generous because a
  whole practice may share one address), against credential stuffing;
- per **device cookie** (``LOGIN_DEVICE_RATE_LIMIT``) for a browser that has signed in as that
  person before.

A browser that has signed in successfully as a person gets a signed, long-lived *device cookie*
for that email. On that browser the email and address limits do not apply to that email, so
however many failures an attacker causes elsewhere — even from the same shared address — the
owner's own browser is never refused for the right password. Only failed attempts count
(``deduct_when``): a successful sign-in never uses up a limit.
"""

import hashlib
import secrets

from flask import Response, current_app, request
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeTimedSerializer

DEVICE_COOKIE = "learnhub_device"
#: How long a browser stays recognised after its last successful sign-in.
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="learnhub-device-cookie")


def _email_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _posted_email() -> str:
    return (request.form.get("email") or "").strip().lower()


def _device() -> dict | None:
    """The device cookie's contents if it is genuine and recent, else None."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=DEVICE_COOKIE_MAX_AGE)
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None


def trusted_device() -> bool:
    """True when this browser has signed in before as the email now being tried."""
    device = _device()
    return bool(device) and device.get("e") == _email_digest(_posted_email())


def untrusted_device() -> bool:
    """Flask-Limiter ``exempt_when`` for the device limit: only recognised browsers count there."""
    return not trusted_device()


def email_and_address_key() -> str:
    """Failures for this email from this client address."""
    return f"login-email:{_email_digest(_posted_email())}:{get_remote_address()}"


def device_key() -> str:
    """Failures on this recognised browser."""
    device = _device() or {}
    return f"login-device:{device.get('n', '')}"


def remember_device(response: Response, email: str) -> None:
    """After a successful sign-in: recognise this browser for this email from now on."""
    value = _serializer().dumps({"e": _email_digest(email), "n": secrets.token_hex(8)})
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_COOKIE_MAX_AGE,
        path="/account/",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
