"""Training hubs, primary care networks (PCNs) and practices."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learnhub.extensions import db
from learnhub.timeutil import UTCDateTime, utcnow


class Hub(db.Model):
    """A training hub: runs courses and ALS programmes and keeps the supervisor register."""

    __tablename__ = "hub"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: Person who signs certificates, e.g. "Dr A Khan, Training Hub Clinical Lead".
    signatory: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Confidential ALS notes are deleted this many months after their programme ends.
    als_note_retention_months: Mapped[int] = mapped_column(Integer, default=12, server_default="12")
    #: Most one-to-one supervisees any one supervisor may have (supervision arrangements).
    supervisee_cap: Mapped[int] = mapped_column(Integer, default=5, server_default="5")

    pcns: Mapped[list["Pcn"]] = relationship(back_populates="hub", order_by="Pcn.name", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Hub {self.id} {self.name!r}>"


class Pcn(db.Model):
    """A primary care network within a hub's area."""

    __tablename__ = "pcn"
    __table_args__ = (UniqueConstraint("hub_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))

    hub: Mapped[Hub] = relationship(back_populates="pcns")
    practices: Mapped[list["Practice"]] = relationship(
        back_populates="pcn", order_by="Practice.name", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Pcn {self.id} {self.name!r}>"


class Practice(db.Model):
    """A GP practice, member of one PCN."""

    __tablename__ = "practice"
    __table_args__ = (UniqueConstraint("pcn_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pcn_id: Mapped[int] = mapped_column(ForeignKey("pcn.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: NHS ODS code of the practice, e.g. "Y01234" (optional).
    ods_code: Mapped[str | None] = mapped_column(String(10))

    pcn: Mapped[Pcn] = relationship(back_populates="practices")

    def __repr__(self) -> str:
        return f"<Practice {self.id} {self.name!r}>"
