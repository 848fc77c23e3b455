"""Helpers for the credential tests: read tokens without verifying, find certificates."""

import base64
import json

from learnhub.accounts.models import User
from learnhub.certificates.models import Certificate
from learnhub.extensions import db


def part(token: str, index: int) -> dict:
    """A decoded JWS segment (0 header, 1 payload), read without checking the signature."""
    text = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def flip(token: str, index: int) -> str:
    """The token with one character of its payload changed (still valid base64url)."""
    header, payload, signature = token.split(".")
    chars = list(payload)
    chars[index] = "A" if chars[index] != "A" else "B"
    return ".".join((header, "".join(chars), signature))


def cert_of(app, cert_id: int) -> Certificate:
    with app.app_context():
        cert = db.session.get(Certificate, cert_id)
        db.session.expunge(cert)
        return cert


def hub_of(app, user_id: int) -> int:
    with app.app_context():
        return db.session.get(User, user_id).hub_id
