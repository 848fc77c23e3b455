"""Checking a credential pasted or uploaded on the public verify page.

Every problem ends as a :class:`Refusal` with a message for the person checking; nothing here
raises to the view. The status list is read from this hub's own data through the same
encoding a third-party verifier decodes (no outgoing request: a credential naming another
address for its status list is refused, never fetched).
"""

import base64
import json
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from joserfc import jws
from joserfc.errors import JoseError
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from learnhub.certificates.codes import CodeProblem, normalise_code
from learnhub.certificates.models import Certificate
from learnhub.credentials import badge, keys, statuslist
from learnhub.credentials.models import IssuerKey
from learnhub.extensions import db
from learnhub.urls import public_base_url

#: Largest credential accepted (ours are a few kilobytes).
MAX_CREDENTIAL_BYTES = 64 * 1024


@dataclass
class Refusal:
    """The credential cannot be accepted; ``title`` and ``message`` say why."""

    title: str
    message: str


@dataclass
class Checked:
    """A genuine credential of this site, with its certificate and its state now."""

    certificate: Certificate
    #: valid, expired, revoked or superseded
    state: str
    claims: dict
    kid: str
    retired_key: bool
    notes: list[str] = field(default_factory=list)


MALFORMED = Refusal(
    "This is not a credential we can read",
    "Paste the whole credential (a long text of three parts separated by dots) or upload the file you were sent.",
)
TAMPERED = Refusal(
    "This credential has been changed",
    "Its signature does not match its contents: it has been altered since it was issued. Do not rely on it.",
)


def _segment(text: str) -> dict | None:
    try:
        value = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _compact_jws(raw: bytes) -> str | Refusal:
    """The compact JWS in what was pasted or uploaded: a bare ``vc+jwt`` or an enveloped credential."""
    if len(raw) > MAX_CREDENTIAL_BYTES:
        return Refusal(
            "This file is too large to be a credential",
            f"Credentials are a few kilobytes; this is {len(raw) // 1024:,} KB. Check you chose the right file.",
        )
    try:
        text = raw.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        return MALFORMED
    if text.startswith("{"):
        try:
            envelope = json.loads(text)
        except ValueError:
            return MALFORMED
        value = envelope.get("id") if isinstance(envelope, dict) else None
        if not isinstance(value, str) or not value.startswith("data:application/vc+jwt,"):
            return MALFORMED
        text = value.split(",", 1)[1].strip()
    parts = text.split(".")
    if len(parts) != 3 or not all(parts[:2]) or any(ch.isspace() for ch in text):
        return MALFORMED
    return text


def _our_route(url: object, endpoint: str) -> dict | None:
    """The URL variables if ``url`` is this site's ``endpoint``, else None."""
    from flask import current_app

    if not isinstance(url, str):
        return None
    base, parts = urlsplit(public_base_url()), urlsplit(url)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or parts.query:
        return None
    path = parts.path
    prefix = base.path.rstrip("/")
    if prefix:
        if not path.startswith(prefix + "/"):
            return None
        path = path[len(prefix) :]
    adapter = current_app.url_map.bind(base.netloc, url_scheme=base.scheme)
    try:
        found, values = adapter.match(path, method="GET")
    except (HTTPException, RequestRedirect):
        return None
    return values if found == endpoint else None


def check(raw: bytes, now: datetime | None = None) -> Checked | Refusal:
    """Check a pasted or uploaded credential: format, issuer, signature, dates, status."""
    now = now or datetime.now(UTC)
    token = _compact_jws(raw)
    if isinstance(token, Refusal):
        return token
    header = _segment(token.split(".")[0])
    if header is None or header.get("typ") != badge.TYP or header.get("alg") != badge.ALG:
        return MALFORMED
    kid_values = _our_route(header.get("kid"), "credentials.key")
    if kid_values is None:
        return Refusal(
            "This credential was not issued by this site",
            "It is signed by another organisation. Check it with the service of the organisation that issued it.",
        )
    key = db.session.scalar(
        select(IssuerKey).where(IssuerKey.kid == str(kid_values["kid"]), IssuerKey.hub_id == kid_values["hub_id"])
    )
    if key is None:
        return Refusal(
            "This credential's signing key is unknown",
            "It names a signing key this site never published, so it cannot be genuine.",
        )
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="EdDSA is deprecated")
            verified = jws.deserialize_compact(token, keys.public_key(key), algorithms=[badge.ALG])
        claims = json.loads(verified.payload)
    except (JoseError, ValueError):
        return TAMPERED
    if not isinstance(claims, dict) or "OpenBadgeCredential" not in (claims.get("type") or []):
        return MALFORMED
    issuer = claims.get("issuer")
    issuer_value = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_value != badge.issuer_id(key.hub_id):
        return TAMPERED
    verify_values = _our_route(claims.get("id"), "certificates.verify")
    try:
        code = normalise_code(str(verify_values["code"])) if verify_values else None
    except CodeProblem:
        code = None
    cert = db.session.scalar(select(Certificate).where(Certificate.code == code)) if code else None
    if cert is None or cert.hub_id != key.hub_id:
        return Refusal("This credential's certificate cannot be found", "The site has no record of the certificate it describes.")
    revoked = _status(claims.get("credentialStatus"), key.hub_id)
    if isinstance(revoked, Refusal):
        return revoked
    state = "valid"
    if revoked:
        state = Certificate.SUPERSEDED if cert.status == Certificate.SUPERSEDED else Certificate.REVOKED
    elif _expired(claims.get("validUntil"), now):
        state = "expired"
    return Checked(certificate=cert, state=state, claims=claims, kid=key.kid, retired_key=key.retired_at is not None)


def _expired(value: object, now: datetime) -> bool:
    if not isinstance(value, str):
        return False
    try:
        until = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return True
    if until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    return until < now


UNREADABLE_STATUS = Refusal(
    "This credential's status cannot be checked",
    "Its status list (which says whether it has been revoked) cannot be read, so it cannot be accepted. Try again later, "
    "or ask the holder for the certificate's verification code.",
)


def _status(entry: object, hub_id: int) -> bool | Refusal:
    """Whether the credential's bit is set in its status list (revoked or superseded)."""
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        return UNREADABLE_STATUS
    values = _our_route(entry.get("statusListCredential"), "credentials.status_list")
    if values is None or values["hub_id"] != hub_id:
        return UNREADABLE_STATUS
    try:
        index = int(str(entry.get("statusListIndex")))
    except ValueError:
        return UNREADABLE_STATUS
    listed = badge.status_list_credential(hub_id, int(values["list_no"]), datetime.now(UTC))
    try:
        bits = statuslist.decode(listed["credentialSubject"]["encodedList"])
        return statuslist.bit(bits, index)
    except statuslist.StatusListProblem:
        return UNREADABLE_STATUS
