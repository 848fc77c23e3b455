"""ARRS staff of a PCN, their supervision arrangements and the log of sessions held."""

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learnhub.accounts.models import User
from learnhub.extensions import db
from learnhub.organisations.models import Pcn, Practice
from learnhub.roles import PROFESSIONAL_ROLES
from learnhub.supervision.rules import kind_label
from learnhub.timeutil import UTCDateTime, utcnow


class StaffMember(db.Model):
    """One ARRS staff member of a PCN: an account, or a name only for staff without one."""

    __tablename__ = "arrs_staff"
    __table_args__ = (UniqueConstraint("pcn_id", "name", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id", ondelete="CASCADE"), index=True)
    pcn_id: Mapped[int] = mapped_column(ForeignKey("pcn.id", ondelete="CASCADE"), index=True)
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practice.id", ondelete="SET NULL"))
    #: Their account, if they have one (SET NULL: the staff record outlives an erased account).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: ARRS role code from ``learnhub.supervision.rules.REQUIREMENTS``.
    role: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[date] = mapped_column(Date)
    hours_per_week: Mapped[float | None] = mapped_column(Float)
    #: Their line manager, if they have an account (nobody supervises their own line manager).
    line_manager_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    pcn: Mapped[Pcn] = relationship()
    practice: Mapped[Practice | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    line_manager: Mapped[User | None] = relationship(foreign_keys=[line_manager_id])

    def __repr__(self) -> str:
        return f"<StaffMember {self.id} {self.role} pcn={self.pcn_id}>"

    @property
    def role_label(self) -> str:
        """Readable ARRS role."""
        return PROFESSIONAL_ROLES.get(self.role, self.role)


class SupervisionArrangement(db.Model):
    """A named supervisor for one kind of supervision of one staff member, from a date (end optional)."""

    __tablename__ = "supervision_arrangement"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("arrs_staff.id", ondelete="CASCADE"), index=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    #: Code from ``learnhub.supervision.rules.KINDS``.
    kind: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    staff: Mapped[StaffMember] = relationship()
    supervisor: Mapped[User] = relationship(foreign_keys=[supervisor_id])

    def __repr__(self) -> str:
        return f"<SupervisionArrangement {self.id} staff={self.staff_id} {self.kind}>"

    @property
    def kind_label(self) -> str:
        """Readable kind of supervision."""
        return kind_label(self.kind)


class SupervisionLog(db.Model):
    """A supervision session that happened: date, kind, minutes; never clinical content."""

    __tablename__ = "supervision_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    arrangement_id: Mapped[int] = mapped_column(ForeignKey("supervision_arrangement.id", ondelete="CASCADE"), index=True)
    session_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    minutes: Mapped[int] = mapped_column(Integer)
    #: Optional, checked by the identifier guard (no patient or personal identifiers).
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    arrangement: Mapped[SupervisionArrangement] = relationship()

    def __repr__(self) -> str:
        return f"<SupervisionLog {self.id} arrangement={self.arrangement_id} {self.session_date}>"
