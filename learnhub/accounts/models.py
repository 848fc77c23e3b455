"""User accounts and single-use password tokens."""

import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from learnhub.extensions import db
from learnhub.organisations.models import Hub, Pcn, Practice
from learnhub.roles import HUB_ROLE_LABELS, PROFESSIONAL_ROLES, HubRole
from learnhub.timeutil import UTCDateTime, utcnow


class User(UserMixin, db.Model):
    """A person with a LearnHub account."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased so that lookups are case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: None until an invited user sets a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    #: Code from ``learnhub.roles.PROFESSIONAL_ROLES``.
    professional_role: Mapped[str] = mapped_column(String(40), default="other")
    registration_body: Mapped[str | None] = mapped_column(String(10))
    registration_number: Mapped[str | None] = mapped_column(String(20))
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hub.id", ondelete="SET NULL"), index=True)
    pcn_id: Mapped[int | None] = mapped_column(ForeignKey("pcn.id", ondelete="SET NULL"))
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practice.id", ondelete="SET NULL"))
    #: Permission within the hub (``HubRole``).
    hub_role: Mapped[str] = mapped_column(String(20), default=HubRole.LEARNER.value)
    is_site_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Deactivated users cannot sign in; their records are kept.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Bumped when the password changes, which signs out every other session.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When a hub or site administrator erased this person's personal data (the row stays, anonymised).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    hub: Mapped[Hub | None] = relationship()
    pcn: Mapped[Pcn | None] = relationship()
    practice: Mapped[Practice | None] = relationship()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r}>"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        """Flask-Login refuses inactive users."""
        return self.active

    def get_id(self) -> str:
        """Session id: includes the session version so a password change signs out old sessions."""
        return f"{self.id}.{self.session_version}"

    def set_password(self, password: str) -> None:
        """Hash and store a new password (scrypt), ending every other session."""
        self.set_password_hash(generate_password_hash(password))

    def set_password_hash(self, password_hash: str) -> None:
        """Store an already hashed password (the demo's, hashed once for all its accounts), ending every other session."""
        self.password_hash = password_hash
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        """True if the password matches."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def professional_role_label(self) -> str:
        """Readable professional role."""
        return PROFESSIONAL_ROLES.get(self.professional_role, "Other")

    @property
    def hub_role_label(self) -> str:
        """Readable hub permission."""
        return HUB_ROLE_LABELS[HubRole(self.hub_role)]

    @property
    def is_hub_admin(self) -> bool:
        """Administers their hub."""
        return self.hub_role == HubRole.HUB_ADMIN and self.hub_id is not None

    @property
    def is_facilitator(self) -> bool:
        """Facilitates in their hub (hub administrators may facilitate too)."""
        return self.hub_role in (HubRole.FACILITATOR, HubRole.HUB_ADMIN)

    def administers(self, hub_id: int | None) -> bool:
        """True if this user may administer the given hub."""
        return hub_id is not None and self.is_hub_admin and self.hub_id == hub_id


class PasswordToken(db.Model):
    """A single-use, expiring link token for password reset or account invitation.

    Only a SHA-256 hash of the token is stored, so a database leak reveals no usable link.
    """

    __tablename__ = "password_token"

    RESET = "reset"
    INVITE = "invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(10))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<PasswordToken {self.id} {self.purpose} user={self.user_id}>"

    @staticmethod
    def hash(token: str) -> str:
        """The stored form of a token."""
        return hashlib.sha256(token.encode()).hexdigest()
