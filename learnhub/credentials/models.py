"""Signing keys of each hub's portable credentials (Open Badges 3.0, ``vc+jwt``)."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from learnhub.extensions import db
from learnhub.timeutil import UTCDateTime, utcnow


class IssuerKey(db.Model):
    """An Ed25519 key a hub signs credentials with. Retired keys stay, so old credentials verify.

    The private key is stored only encrypted (PKCS #8 with a password derived from the
    configuration, see :mod:`learnhub.credentials.keys`); the public key is published.
    """

    __tablename__ = "credential_issuer_key"
    __table_args__ = (
        # One active (not retired) key per hub, even when two requests create it at once.
        Index(
            "uq_credential_issuer_key_active",
            "hub_id",
            unique=True,
            sqlite_where=text("retired_at IS NULL"),
            postgresql_where=text("retired_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id", ondelete="CASCADE"), index=True)
    #: RFC 7638 thumbprint of the public key; the last part of the JWS ``kid``.
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    #: The public key as a JWK (``kty``, ``crv``, ``x``).
    public_jwk: Mapped[dict] = mapped_column(JSON)
    #: The private key, PKCS #8 PEM encrypted with the configured credential key secret.
    private_pem: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Set when a newer key took over: no longer signs, still verifies.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<IssuerKey {self.id} hub={self.hub_id} {self.kid[:8]}{' retired' if self.retired_at else ''}>"
