"""Issued certificates (a snapshot of what was certified, with the stored PDF) and bulk jobs."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, LargeBinary, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from learnhub.accounts.models import User
from learnhub.certificates.codes import format_code
from learnhub.extensions import db
from learnhub.organisations.models import Hub
from learnhub.timeutil import UTCDateTime, utcnow


class Certificate(db.Model):
    """One issued certificate. Its fields are a snapshot: later course edits do not change it."""

    __tablename__ = "certificate"
    __table_args__ = (
        # At most one valid certificate per completion, even when two requests or workers issue
        # at the same moment; issue_certificate relies on it. Revoked and superseded versions
        # are kept beside it: a completion withdrawn (its certificate revoked) and recorded
        # again gets a new certificate while the revoked one still verifies as revoked.
        Index(
            "uq_certificate_current_completion",
            "completion_id",
            unique=True,
            sqlite_where=text("status = 'valid'"),
            postgresql_where=text("status = 'valid'"),
        ),
    )

    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Canonical verification code (16 Crockford base-32 symbols, no separators).
    code: Mapped[str] = mapped_column(String(16), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id", ondelete="RESTRICT"), index=True)
    #: The course and completion it certifies. RESTRICT: an issued certificate is a public
    #: record, so the course and completion behind it cannot be deleted from under it.
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="RESTRICT"), index=True)
    completion_id: Mapped[int | None] = mapped_column(ForeignKey("course_completion.id", ondelete="RESTRICT"), index=True)
    #: 1 for the first issue; re-issues (e.g. after a name correction) count up.
    version: Mapped[int] = mapped_column(Integer, default=1)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id", ondelete="SET NULL"))
    #: valid, revoked or superseded ("expired" is worked out from ``valid_until``).
    status: Mapped[str] = mapped_column(String(12), default=VALID)

    holder_name: Mapped[str] = mapped_column(String(200))
    course_title: Mapped[str] = mapped_column(String(300))
    completed_on: Mapped[date] = mapped_column(Date)
    cpd_hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    #: Learning outcomes, a list of strings.
    outcomes: Mapped[list] = mapped_column(JSON, default=list)
    hub_name: Mapped[str] = mapped_column(String(200))
    signatory: Mapped[str | None] = mapped_column(String(200))
    #: Supervisor eligibilities granted with it, as printed (e.g. "ARRS clinical supervisor until 2 November 2029").
    eligibilities: Mapped[list] = mapped_column(JSON, default=list)
    #: Last day the certified eligibility holds, when the course grants one (else None).
    valid_until: Mapped[date | None] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    revoked_reason: Mapped[str | None] = mapped_column(Text)

    #: The PDF as issued; downloads serve these bytes.
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    hub: Mapped[Hub] = relationship()
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    superseded_by: Mapped["Certificate | None"] = relationship(remote_side=[id])
    events: Mapped[list["CertificateEvent"]] = relationship(
        order_by="CertificateEvent.created_at, CertificateEvent.id", viewonly=True
    )

    def __repr__(self) -> str:
        return f"<Certificate {self.id} v{self.version} {self.status}>"

    @property
    def display_code(self) -> str:
        """The code in groups of four."""
        return format_code(self.code)

    def state_on(self, today: date) -> str:
        """valid, expired, revoked or superseded on a day."""
        if self.status != self.VALID:
            return self.status
        if self.valid_until is not None and today > self.valid_until:
            return "expired"
        return self.VALID


class CertificateEvent(db.Model):
    """Append-only history of corrections to a certificate: revoked, reinstated (with the reason).

    Shown on the public verify page (what happened, when and why; not who) and to the hub.
    """

    __tablename__ = "certificate_event"

    REVOKED = "revoked"
    REINSTATED = "reinstated"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificate.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<CertificateEvent {self.id} {self.kind} certificate={self.certificate_id}>"

    @property
    def label(self) -> str:
        """What happened, in words."""
        return {self.REVOKED: "Revoked", self.REINSTATED: "Reinstated"}.get(self.kind, self.kind)


class BulkJob(db.Model):
    """A batch of certificates to issue or re-issue, run on RQ or inline, with progress."""

    __tablename__ = "certificate_bulk_job"
    __table_args__ = (
        # One unfinished job per cohort: ten clicks on "Issue certificates" make one job
        # (jobs.claim_cohort_job inserts with ON CONFLICT DO NOTHING against this index).
        Index(
            "uq_bulk_job_active_cohort",
            "cohort_id",
            unique=True,
            sqlite_where=text("finished_at IS NULL"),
            postgresql_where=text("finished_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: "issue" (items are completions) or "reissue" (items are certificate ids).
    kind: Mapped[str] = mapped_column(String(10))
    #: The cohort the job was started for (bulk issue or re-issue from the cohort page).
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("course_cohort.id", ondelete="SET NULL"), index=True)
    items: Mapped[list] = mapped_column(JSON, default=list)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    #: queued, running, finished, cancelled
    state: Mapped[str] = mapped_column(String(10), default="queued")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Written with every item by the runner working on the job; a running job whose heartbeat
    #: is older than BULK_JOB_STALL_SECONDS was abandoned (worker killed) and can be resumed.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Random id of the runner holding the job: progress is only written by that runner.
    runner: Mapped[str | None] = mapped_column(String(32))

    def __repr__(self) -> str:
        return f"<BulkJob {self.id} {self.kind} {self.done}/{self.total}>"
