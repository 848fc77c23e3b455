"""Action Learning Set programmes, groups, sessions and their confidential records."""

from datetime import date, datetime, time

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Integer, String, Table, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learnhub.accounts.models import User
from learnhub.extensions import db
from learnhub.organisations.models import Hub
from learnhub.timeutil import UTCDateTime, utcnow

#: Default themes a hub starts with (domain.md); hubs may add their own.
DEFAULT_THEMES = (
    "Complex caseloads",
    "Safeguarding",
    "Role clarity",
    "Induction and training",
    "Team integration",
    "Line management",
    "Community-service knowledge",
    "Wellbeing",
    "Isolation",
    "Career development",
)

DEFAULT_ROLES = ("splw", "hwbc", "care_coordinator")


class AlsProgramme(db.Model):
    """A hub's ALS programme: its members are split into groups that meet on a cadence."""

    __tablename__ = "als_programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Comma-separated professional role codes that may join.
    eligible_roles: Mapped[str] = mapped_column(String(400), default=",".join(DEFAULT_ROLES))
    min_group_size: Mapped[int] = mapped_column(Integer, default=5)
    max_group_size: Mapped[int] = mapped_column(Integer, default=8)
    session_count: Mapped[int] = mapped_column(Integer, default=6)
    cadence_weeks: Mapped[int] = mapped_column(Integer, default=4)
    session_minutes: Mapped[int] = mapped_column(Integer, default=90)
    presenter_slots: Mapped[int] = mapped_column(Integer, default=2)
    #: "online" or "venue".
    mode: Mapped[str] = mapped_column(String(10), default="online")
    venue: Mapped[str | None] = mapped_column(String(300))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    #: Local (Europe/London) time of day sessions start.
    session_time: Mapped[time] = mapped_column(Time, default=time(10, 0))
    co_facilitation: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Keep one lead facilitator per group, with a rotating co-facilitator.
    continuity: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    hub: Mapped[Hub] = relationship()
    groups: Mapped[list["AlsGroup"]] = relationship(
        back_populates="programme", order_by="AlsGroup.name", cascade="all, delete-orphan"
    )
    members: Mapped[list["AlsMember"]] = relationship(back_populates="programme", cascade="all, delete-orphan")
    facilitators: Mapped[list["AlsFacilitator"]] = relationship(back_populates="programme", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<AlsProgramme {self.id} {self.name!r}>"

    @property
    def role_codes(self) -> list[str]:
        """Eligible professional roles as a list of codes."""
        return [r for r in self.eligible_roles.split(",") if r]


class AlsGroup(db.Model):
    """One action learning set within a programme."""

    __tablename__ = "als_group"
    __table_args__ = (UniqueConstraint("programme_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("als_programme.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    #: The ground rules the set agreed at its first meeting (confidential to the set), and the id
    #: of the session whose record holds them (editable there only; shown on every later record
    #: form). A plain id, not a foreign key: a second key between set and session would make
    #: every join between them ambiguous, and sessions are only ever deleted with their set.
    ground_rules: Mapped[str | None] = mapped_column(Text)
    ground_rules_session_id: Mapped[int | None] = mapped_column(Integer)

    programme: Mapped[AlsProgramme] = relationship(back_populates="groups")
    members: Mapped[list["AlsMember"]] = relationship(back_populates="group")
    sessions: Mapped[list["AlsSession"]] = relationship(
        back_populates="group", order_by="AlsSession.sequence", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<AlsGroup {self.id} {self.name!r}>"


class AlsMember(db.Model):
    """A person taking part in a programme, in at most one of its groups."""

    __tablename__ = "als_member"
    __table_args__ = (UniqueConstraint("programme_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("als_programme.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("als_group.id", ondelete="SET NULL"), index=True)
    #: When they joined their current set (None while not in a set, and for rows made before 0014).
    joined_group_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Sessions of their set that started before this moment are closed to them (notes,
    #: presenters, actions): set when they join a set that has already started meeting. None for a
    #: founding member (placed before the set's first session), who sees the whole set.
    sees_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: On the programme's waiting list since then (added while every set was full); None once in a set.
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime())

    programme: Mapped[AlsProgramme] = relationship(back_populates="members")
    group: Mapped[AlsGroup | None] = relationship(back_populates="members")
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<AlsMember {self.id} user={self.user_id} group={self.group_id}>"


class AlsFacilitator(db.Model):
    """A facilitator in a programme's pool."""

    __tablename__ = "als_facilitator"
    __table_args__ = (UniqueConstraint("programme_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("als_programme.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    #: False once they have withdrawn; past sessions keep their name.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: What the last withdrawal changed, so it can be undone while nothing has been re-planned
    #: since: ``{"at": iso time, "changes": [{"session": id, "before": [lead, co], "after": [lead, co]}]}``.
    withdrawal: Mapped[dict | None] = mapped_column(JSON)

    programme: Mapped[AlsProgramme] = relationship(back_populates="facilitators")
    user: Mapped[User] = relationship()
    unavailable: Mapped[list["AlsUnavailability"]] = relationship(
        back_populates="facilitator", order_by="AlsUnavailability.first_day", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<AlsFacilitator {self.id} user={self.user_id}>"


class AlsUnavailability(db.Model):
    """Days (inclusive) a facilitator cannot facilitate."""

    __tablename__ = "als_unavailability"

    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("als_facilitator.id", ondelete="CASCADE"), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)

    facilitator: Mapped[AlsFacilitator] = relationship(back_populates="unavailable")

    def __repr__(self) -> str:
        return f"<AlsUnavailability {self.first_day}–{self.last_day}>"


als_session_theme = Table(
    "als_session_theme",
    db.metadata,
    Column("session_id", ForeignKey("als_session.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("als_theme.id", ondelete="CASCADE"), primary_key=True),
)


class AlsSession(db.Model):
    """One meeting of a group."""

    __tablename__ = "als_session"
    __table_args__ = (UniqueConstraint("group_id", "sequence"),)

    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"
    MOVED = "moved"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("als_group.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    minutes: Mapped[int] = mapped_column(Integer)
    #: The date the cadence gave, when a weekend or bank holiday moved the session off it.
    planned_on: Mapped[date | None] = mapped_column(Date)
    #: planned, held, cancelled or moved (a moved session is still to happen, at its new time).
    status: Mapped[str] = mapped_column(String(10), default=PLANNED)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: iCalendar SEQUENCE: goes up each time the session is moved or cancelled, so calendars
    #: replace the event they have (iTIP) instead of adding a second one.
    ical_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: When the time or status last changed (iCalendar LAST-MODIFIED).
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    group: Mapped[AlsGroup] = relationship(back_populates="sessions")
    facilitations: Mapped[list["AlsFacilitation"]] = relationship(
        back_populates="session", order_by="AlsFacilitation.role.desc()", cascade="all, delete-orphan"
    )
    attendance: Mapped[list["AlsAttendance"]] = relationship(back_populates="session", cascade="all, delete-orphan")
    presenters: Mapped[list["AlsPresenter"]] = relationship(
        back_populates="session", order_by="AlsPresenter.position", cascade="all, delete-orphan"
    )
    bids: Mapped[list["AlsBid"]] = relationship(back_populates="session", cascade="all, delete-orphan")
    themes: Mapped[list["AlsTheme"]] = relationship(secondary=als_session_theme, order_by="AlsTheme.name")
    note: Mapped["AlsNote | None"] = relationship(back_populates="session", cascade="all, delete-orphan")

    @property
    def schedule_move(self) -> str | None:
        """Why the schedule put this session on another day than its cadence date, in words."""
        if self.planned_on is None:
            return None
        from learnhub.als.schedule import date_warnings

        reasons = "; ".join(date_warnings(self.planned_on)) or self.planned_on.strftime("%A %-d %B %Y")
        return f"Moved from {self.planned_on:%a %-d %b %Y}: {reasons}"

    def __repr__(self) -> str:
        return f"<AlsSession {self.id} group={self.group_id} #{self.sequence} {self.status}>"

    @property
    def is_open(self) -> bool:
        """Still to happen (planned or moved)."""
        return self.status in (self.PLANNED, self.MOVED)


class AlsFacilitation(db.Model):
    """A facilitator booked for a session, as lead or co-facilitator."""

    __tablename__ = "als_facilitation"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("als_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    #: "lead" or "co".
    role: Mapped[str] = mapped_column(String(10), default="lead")

    session: Mapped[AlsSession] = relationship(back_populates="facilitations")
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<AlsFacilitation session={self.session_id} user={self.user_id} {self.role}>"


class AlsAttendance(db.Model):
    """Whether a member attended a session."""

    __tablename__ = "als_attendance"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    STATUSES = {"present": "Present", "apologies": "Apologies", "absent": "Absent"}

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("als_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    #: present, apologies or absent.
    status: Mapped[str] = mapped_column(String(10))

    session: Mapped[AlsSession] = relationship(back_populates="attendance")
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<AlsAttendance session={self.session_id} user={self.user_id} {self.status}>"


class AlsPresenter(db.Model):
    """A member who presented at a session (confirmed by the facilitator)."""

    __tablename__ = "als_presenter"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("als_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)

    session: Mapped[AlsSession] = relationship(back_populates="presenters")
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<AlsPresenter session={self.session_id} user={self.user_id}>"


class AlsBid(db.Model):
    """A member asking for presenting time at a coming session (no issue text is kept)."""

    __tablename__ = "als_bid"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("als_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    session: Mapped[AlsSession] = relationship(back_populates="bids")
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<AlsBid session={self.session_id} user={self.user_id}>"


class AlsTheme(db.Model):
    """A theme a hub tracks across sessions (counts only ever leave the set)."""

    __tablename__ = "als_theme"
    __table_args__ = (UniqueConstraint("hub_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<AlsTheme {self.id} {self.name!r}>"


class AlsNote(db.Model):
    """The facilitator's confidential notes of a session: process, themes and learning only."""

    __tablename__ = "als_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("als_session.id", ondelete="CASCADE"), unique=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    session: Mapped[AlsSession] = relationship(back_populates="note")

    def __repr__(self) -> str:
        return f"<AlsNote session={self.session_id}>"


class AlsAction(db.Model):
    """An action a presenter chose, reviewed at a later check-in."""

    __tablename__ = "als_action"
    #: One action per row of the session's record form: a re-save updates the row in place.
    __table_args__ = (UniqueConstraint("session_id", "position"),)

    REVIEW_OUTCOMES = {
        "done": "Done",
        "partly": "Partly done",
        "not_done": "Not done",
        "dropped": "Dropped",
        "carried_forward": "Carried forward",
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The session where the action was chosen.
    session_id: Mapped[int] = mapped_column(ForeignKey("als_session.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    #: Its row on the session's record form (1, 2, …): the stable key a re-save updates by.
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    #: Shared with the set; otherwise only the owner (and the session's facilitators) see it.
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    #: None while open; one of REVIEW_OUTCOMES once reviewed ("carried_forward" stays open).
    outcome: Mapped[str | None] = mapped_column(String(20))
    reflection: Mapped[str | None] = mapped_column(Text)
    reviewed_session_id: Mapped[int | None] = mapped_column(ForeignKey("als_session.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    session: Mapped[AlsSession] = relationship(foreign_keys=[session_id])
    owner: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<AlsAction {self.id} owner={self.owner_id} {self.outcome}>"

    @property
    def is_open(self) -> bool:
        """Waiting for review (never reviewed, or carried forward)."""
        return self.outcome in (None, "carried_forward")

    @property
    def outcome_label(self) -> str:
        """Readable review outcome."""
        return self.REVIEW_OUTCOMES.get(self.outcome or "", "Open")


class AlsNoteAccess(db.Model):
    """Every read of a session's notes: who, when, which session."""

    __tablename__ = "als_note_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("als_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    accessed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<AlsNoteAccess session={self.session_id} user={self.user_id}>"


class AlsCalendarFeed(db.Model):
    """A member's secret calendar feed address (the token is the only credential)."""

    __tablename__ = "als_calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<AlsCalendarFeed user={self.user_id}>"
