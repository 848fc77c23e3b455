"""Each hub's Ed25519 signing keys: created on first use, encrypted at rest, rotated.

The private key is kept in the database only as encrypted PKCS #8 (``cryptography``'s best
available encryption) under a password derived with HKDF-SHA256 from
``CREDENTIAL_KEY_SECRET`` (or, when that is not set, ``SECRET_KEY``). Losing or changing
that secret makes the stored keys unusable: rotate (``flask credentials rotate-key``) to make
a new one; the old public keys stay published, so credentials already issued still verify.
"""

from functools import lru_cache

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from joserfc.jwk import OKPKey
from sqlalchemy import select

from learnhub.credentials.models import IssuerKey
from learnhub.extensions import db
from learnhub.idempotent import insert_or_get
from learnhub.timeutil import utcnow

_HKDF_INFO = b"learnhub credential signing keys v1"


class KeyProblem(RuntimeError):
    """A stored private key cannot be decrypted with the configured secret."""


def _secret() -> bytes:
    value = current_app.config.get("CREDENTIAL_KEY_SECRET") or current_app.config.get("SECRET_KEY")
    if not value:
        raise KeyProblem("Set CREDENTIAL_KEY_SECRET (or SECRET_KEY) to sign credentials.")
    return value.encode() if isinstance(value, str) else bytes(value)


def _password() -> bytes:
    return _derive(_secret())


@lru_cache(maxsize=8)
def _derive(secret: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(secret)


def _new_key_values() -> tuple[str, dict, bytes]:
    private = Ed25519PrivateKey.generate()
    jwk = OKPKey.import_key(private.public_key()).as_dict(private=False)
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": jwk["x"]}
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_password()),
    )
    return OKPKey.import_key(jwk).thumbprint(), jwk, pem


def active_key(hub_id: int) -> IssuerKey:
    """The hub's signing key, created on first use (one per hub however many requests race)."""
    key = db.session.scalar(select(IssuerKey).where(IssuerKey.hub_id == hub_id, IssuerKey.retired_at.is_(None)))
    if key is not None:
        return key
    kid, jwk, pem = _new_key_values()
    # The partial unique index allows one active key per hub: a second request creating one at
    # the same moment inserts nothing and gets the first one's key.
    key, _created = insert_or_get(
        IssuerKey,
        {"hub_id": hub_id},
        {"kid": kid, "public_jwk": jwk, "private_pem": pem},
        where=(IssuerKey.retired_at.is_(None),),
    )
    return key


def rotate(hub_id: int) -> IssuerKey:
    """Retire the hub's active key (it stays published) and make a new one."""
    now = utcnow()
    for key in db.session.scalars(select(IssuerKey).where(IssuerKey.hub_id == hub_id, IssuerKey.retired_at.is_(None))):
        key.retired_at = now
    db.session.flush()
    return active_key(hub_id)


def usable_key(hub_id: int) -> tuple[IssuerKey, OKPKey]:
    """The hub's active key and its decrypted private key.

    When the active key cannot be decrypted (``CREDENTIAL_KEY_SECRET``, or ``SECRET_KEY`` when
    that is unset, was changed), it is retired and a new key made: its public key stays
    published, so what it signed still verifies, and signing goes on with the new key.
    """
    key = active_key(hub_id)
    try:
        return key, signing_key(key)
    except KeyProblem:
        from learnhub.audit import Action, audit

        current_app.logger.warning(
            "credential signing key %s of hub %s cannot be decrypted (the key secret changed): replacing it", key.kid, hub_id
        )
        new = rotate(hub_id)
        audit(None, Action.CREDENTIAL_KEY_ROTATED, hub=hub_id, key=new.kid, reason="previous key undecryptable")
        return new, signing_key(new)


def published_keys(hub_id: int) -> list[IssuerKey]:
    """Every key of the hub, active first then newest: all of them verify."""
    return list(
        db.session.scalars(
            select(IssuerKey)
            .where(IssuerKey.hub_id == hub_id)
            .order_by(IssuerKey.retired_at.is_not(None), IssuerKey.created_at.desc(), IssuerKey.id.desc())
        )
    )


def signing_key(key: IssuerKey) -> OKPKey:
    """The decrypted private key, as a JOSE key (decrypted once per process and key)."""
    return _private(key.kid, bytes(key.private_pem), _password())


@lru_cache(maxsize=64)
def _private(kid: str, pem: bytes, password: bytes) -> OKPKey:
    try:
        private = serialization.load_pem_private_key(pem, password=password)
    except (ValueError, TypeError) as problem:
        raise KeyProblem(
            f"The signing key {kid[:8]}… cannot be decrypted: CREDENTIAL_KEY_SECRET (or SECRET_KEY) has changed. "
            "Rotate the hub's key."
        ) from problem
    return OKPKey.import_key(private)


def public_key(key: IssuerKey) -> OKPKey:
    """The public key, as a JOSE key."""
    return OKPKey.import_key(dict(key.public_jwk))
