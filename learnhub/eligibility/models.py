"""What courses grant, the eligibility register, and its append-only history."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learnhub.accounts.models import User
from learnhub.eligibility.certification import Status, status_on
from learnhub.eligibility.rules import label
from learnhub.extensions import db
from learnhub.organisations.models import Pcn
from learnhub.timeutil import UTCDateTime, utcnow


class EligibilityDeclaration(db.Model):
    """An eligibility a course grants on completion, for how long, and when renewal opens."""

    __tablename__ = "eligibility_declaration"
    __table_args__ = (UniqueConstraint("course_id", "eligibility_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The course. CASCADE: a declaration is part of the course's set-up; eligibility
    #: already granted is kept in the register (records do not point at declarations).
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id", ondelete="CASCADE"), index=True)
    #: Code from ``learnhub.eligibility.rules.ELIGIBILITY_TYPES``.
    eligibility_type: Mapped[str] = mapped_column(String(40))
    validity_months: Mapped[int] = mapped_column(Integer)
    #: The renewal window opens this many days before expiry.
    renewal_window_days: Mapped[int] = mapped_column(Integer, default=90)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<EligibilityDeclaration course={self.course_id} {self.eligibility_type}>"

    @property
    def label(self) -> str:
        """Readable eligibility name."""
        return label(self.eligibility_type)


class EligibilityRecord(db.Model):
    """A person's current eligibility of one type (renewals update it; history keeps the past)."""

    __tablename__ = "eligibility_record"
    __table_args__ = (UniqueConstraint("user_id", "eligibility_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id", ondelete="CASCADE"), index=True)
    eligibility_type: Mapped[str] = mapped_column(String(40), index=True)
    first_granted_on: Mapped[date] = mapped_column(Date)
    #: Completion date of the latest qualifying course.
    certified_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date, index=True)
    renewal_window_days: Mapped[int] = mapped_column(Integer)
    #: The certificate behind the current period.
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    #: The expiry date each reminder was last sent for, so each is sent once per period.
    window_reminder_for: Mapped[date | None] = mapped_column(Date)
    expiry_reminder_for: Mapped[date | None] = mapped_column(Date)

    user: Mapped[User] = relationship()
    certificate: Mapped["Certificate | None"] = relationship()  # noqa: F821 (certificates.models)

    def __repr__(self) -> str:
        return f"<EligibilityRecord {self.id} user={self.user_id} {self.eligibility_type}>"

    @property
    def label(self) -> str:
        """Readable eligibility name."""
        return label(self.eligibility_type)

    def status_on(self, today: date) -> Status:
        """Active, due for renewal, expired or revoked on a day."""
        return status_on(
            today, expires_on=self.expires_on, window_days=self.renewal_window_days, revoked=self.revoked_at is not None
        )


class EligibilityEvent(db.Model):
    """Append-only history: each grant, renewal, refusal (with the reason) and revocation."""

    __tablename__ = "eligibility_event"

    GRANTED = "granted"
    RENEWED = "renewed"
    NOT_GRANTED = "not_granted"
    REVOKED = "revoked"
    REINSTATED = "reinstated"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("eligibility_record.id", ondelete="CASCADE"), index=True)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id", ondelete="SET NULL"))
    eligibility_type: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(12))
    #: Period after this event (grants and renewals).
    expires_on: Mapped[date | None] = mapped_column(Date)
    #: completion or expiry: the date the new expiry was counted from.
    base: Mapped[str | None] = mapped_column(String(12))
    #: Why no eligibility followed, or why it was revoked.
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<EligibilityEvent {self.id} {self.kind} {self.eligibility_type}>"

    @property
    def label(self) -> str:
        """Readable eligibility name."""
        return label(self.eligibility_type)


class PcnLead(db.Model):
    """A person who leads a PCN and may read the supervisor register for it (granted by a hub admin)."""

    __tablename__ = "pcn_lead"
    __table_args__ = (UniqueConstraint("user_id", "pcn_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    pcn_id: Mapped[int] = mapped_column(ForeignKey("pcn.id", ondelete="CASCADE"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    pcn: Mapped[Pcn] = relationship()

    def __repr__(self) -> str:
        return f"<PcnLead user={self.user_id} pcn={self.pcn_id}>"
