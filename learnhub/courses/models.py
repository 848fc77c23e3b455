"""Courses, modules, knowledge checks, cohorts, enrolments, progress and completions."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learnhub.accounts.models import User
from learnhub.extensions import db
from learnhub.timeutil import UTCDateTime, utcnow


class ModuleKind:
    """What a module is."""

    CONTENT = "content"
    CHECK = "check"
    LIVE = "live"

    LABELS = {CONTENT: "Reading", CHECK: "Knowledge check", LIVE: "Live session"}


class Course(db.Model):
    """A supervisor training course run by a hub."""

    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    #: Professional-role codes (``learnhub.roles.PROFESSIONAL_ROLES``) the course is meant for.
    audience: Mapped[list[str]] = mapped_column(JSON, default=list)
    cpd_hours: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal("0"))
    #: One learning outcome per line.
    learning_outcomes: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Completion waits for the learner's pre-course / post-course evaluation survey.
    requires_pre_survey: Mapped[bool] = mapped_column(Boolean, default=False)
    requires_post_survey: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    modules: Mapped[list["Module"]] = relationship(
        back_populates="course", order_by="Module.position", cascade="all, delete-orphan"
    )
    cohorts: Mapped[list["Cohort"]] = relationship(
        back_populates="course", order_by="Cohort.starts_on", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Course {self.id} {self.title!r}>"

    @property
    def outcomes(self) -> list[str]:
        """Learning outcomes as a list."""
        return [line.strip() for line in (self.learning_outcomes or "").splitlines() if line.strip()]

    @property
    def published_modules(self) -> list["Module"]:
        """Modules a learner sees, in order."""
        return [m for m in self.modules if m.published]


class Module(db.Model):
    """One step of a course: a reading, a knowledge check or a live session."""

    __tablename__ = "course_module"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    #: Order within the course (1, 2, 3 …).
    position: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(200))
    #: ``ModuleKind``.
    kind: Mapped[str] = mapped_column(String(10), default=ModuleKind.CONTENT)
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    #: ``body_markdown`` rendered and sanitised when saved; safe to show as it is.
    body_html: Mapped[str] = mapped_column(Text, default="")
    #: Required modules must be done for the course to be complete.
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Knowledge checks: percentage of correct answers needed to pass.
    pass_mark: Mapped[int] = mapped_column(Integer, default=80)
    #: Knowledge checks: how many attempts a learner has; None means unlimited.
    attempts_allowed: Mapped[int | None] = mapped_column(Integer)
    #: Knowledge checks: when learners see the right answers (``rules.Review``): after passing
    #: (the default), after passing or their last attempt, or never.
    review_answers: Mapped[str] = mapped_column(String(12), default="passed", server_default="passed")
    #: Live sessions: when, where (venue or online link) and how many places.
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    location: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int | None] = mapped_column(Integer)

    course: Mapped[Course] = relationship(back_populates="modules")
    questions: Mapped[list["Question"]] = relationship(
        back_populates="module", order_by="Question.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Module {self.id} {self.kind} {self.title!r}>"

    @property
    def kind_label(self) -> str:
        """Readable kind."""
        return ModuleKind.LABELS.get(self.kind, self.kind)

    @property
    def is_check(self) -> bool:
        """A knowledge check."""
        return self.kind == ModuleKind.CHECK

    @property
    def is_live(self) -> bool:
        """A live session."""
        return self.kind == ModuleKind.LIVE


class Question(db.Model):
    """A knowledge-check question with its options."""

    __tablename__ = "course_question"

    SINGLE = "single"
    MULTIPLE = "multiple"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("course_module.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(Text)
    #: ``single`` (one answer) or ``multiple`` (select all that apply).
    kind: Mapped[str] = mapped_column(String(10), default=SINGLE)
    #: Shown to the learner after they answer.
    explanation: Mapped[str] = mapped_column(Text, default="")
    #: Not asked in new attempts; kept because learners' past answers refer to it.
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    module: Mapped[Module] = relationship(back_populates="questions")
    options: Mapped[list["Option"]] = relationship(
        back_populates="question", order_by="Option.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Question {self.id} module={self.module_id}>"

    @property
    def in_use(self) -> bool:
        """Asked in new attempts."""
        return not self.retired

    @property
    def correct_ids(self) -> set[int]:
        """Ids of the correct options."""
        return {o.id for o in self.options if o.correct}


class Option(db.Model):
    """One answer option of a question."""

    __tablename__ = "course_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("course_question.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(String(500))
    correct: Mapped[bool] = mapped_column(Boolean, default=False)

    question: Mapped[Question] = relationship(back_populates="options")

    def __repr__(self) -> str:
        return f"<Option {self.id} correct={self.correct}>"


class Cohort(db.Model):
    """One run of a course, with dates and a number of places."""

    __tablename__ = "course_cohort"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    #: Places; None means no limit. Enrolments past it go on the waiting list.
    capacity: Mapped[int | None] = mapped_column(Integer)
    #: Learners may enrol themselves while this is on.
    self_enrolment_open: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped[Course] = relationship(back_populates="cohorts")
    enrolments: Mapped[list["Enrolment"]] = relationship(back_populates="cohort", order_by="Enrolment.id")

    def __repr__(self) -> str:
        return f"<Cohort {self.id} {self.name!r}>"


class Enrolment(db.Model):
    """A learner's place on a course in a cohort. A re-take is a new enrolment with the next attempt number."""

    __tablename__ = "course_enrolment"
    __table_args__ = (UniqueConstraint("course_id", "user_id", "attempt"),)

    ENROLLED = "enrolled"
    WAITING = "waiting"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("course_cohort.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    #: 1 for the first time through the course; renewals count up and keep the old history.
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    #: ``enrolled`` or ``waiting`` (the cohort was full).
    status: Mapped[str] = mapped_column(String(10), default=ENROLLED)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: First time the learner opened a module.
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    course: Mapped[Course] = relationship()
    cohort: Mapped[Cohort] = relationship(back_populates="enrolments")
    user: Mapped[User] = relationship()
    progress: Mapped[list["ModuleProgress"]] = relationship(back_populates="enrolment", cascade="all, delete-orphan")
    attempts: Mapped[list["QuizAttempt"]] = relationship(
        back_populates="enrolment", order_by="QuizAttempt.id", cascade="all, delete-orphan"
    )
    attendance: Mapped[list["Attendance"]] = relationship(back_populates="enrolment", cascade="all, delete-orphan")
    completion: Mapped["CourseCompletion | None"] = relationship(back_populates="enrolment")

    def __repr__(self) -> str:
        return f"<Enrolment {self.id} user={self.user_id} course={self.course_id} attempt={self.attempt}>"

    @property
    def is_waiting(self) -> bool:
        """On the waiting list."""
        return self.status == self.WAITING


class ModuleProgress(db.Model):
    """When a learner started and finished reading a module."""

    __tablename__ = "course_module_progress"
    __table_args__ = (UniqueConstraint("enrolment_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("course_enrolment.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("course_module.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Knowledge checks: attempts an administrator allowed on top of the module's limit.
    extra_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    enrolment: Mapped[Enrolment] = relationship(back_populates="progress")

    def __repr__(self) -> str:
        return f"<ModuleProgress enrolment={self.enrolment_id} module={self.module_id}>"


class QuizAttempt(db.Model):
    """One go at a knowledge check. The shuffled question order is kept with it."""

    __tablename__ = "course_quiz_attempt"
    __table_args__ = (UniqueConstraint("enrolment_id", "module_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("course_enrolment.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("course_module.id", ondelete="CASCADE"), index=True)
    #: 1 for the first attempt at this check in this enrolment.
    number: Mapped[int] = mapped_column(Integer, default=1)
    #: Question ids in the order this learner saw them.
    question_order: Mapped[list[int]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Percentage of questions answered correctly.
    score: Mapped[int | None] = mapped_column(Integer)
    #: The pass mark when the attempt was submitted.
    pass_mark: Mapped[int | None] = mapped_column(Integer)
    passed: Mapped[bool | None] = mapped_column(Boolean)

    enrolment: Mapped[Enrolment] = relationship(back_populates="attempts")
    answers: Mapped[list["QuizAnswer"]] = relationship(back_populates="attempt", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<QuizAttempt {self.id} module={self.module_id} number={self.number}>"


class QuizAnswer(db.Model):
    """A learner's answer to one question in an attempt."""

    __tablename__ = "course_quiz_answer"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("course_quiz_attempt.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("course_question.id", ondelete="CASCADE"), index=True)
    #: Option ids the learner chose.
    selected: Mapped[list[int]] = mapped_column(JSON, default=list)
    correct: Mapped[bool] = mapped_column(Boolean, default=False)

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")

    def __repr__(self) -> str:
        return f"<QuizAnswer attempt={self.attempt_id} question={self.question_id}>"


class Attendance(db.Model):
    """Whether a learner attended a live session, as recorded by an administrator or facilitator."""

    __tablename__ = "course_attendance"
    __table_args__ = (UniqueConstraint("enrolment_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("course_enrolment.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("course_module.id", ondelete="CASCADE"), index=True)
    attended: Mapped[bool] = mapped_column(Boolean, default=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    enrolment: Mapped[Enrolment] = relationship(back_populates="attendance")

    def __repr__(self) -> str:
        return f"<Attendance enrolment={self.enrolment_id} module={self.module_id} attended={self.attended}>"


class CourseCompletion(db.Model):
    """The record that a learner completed a course (one per enrolment), made the moment it happened."""

    __tablename__ = "course_completion"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("course_enrolment.id", ondelete="CASCADE"), unique=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: CPD hours at the time of completion (the course may change later).
    cpd_hours: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal("0"))
    #: Set when the completion no longer stands (the attendance that completed it was removed);
    #: the row is kept for the record and comes back into force if the course is completed again.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_reason: Mapped[str | None] = mapped_column(String(500))
    #: Set when a hub administrator recorded the completion by hand (completion override), with
    #: why (e.g. "Attended the course at another hub"); None when the course recorded it.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_reason: Mapped[str | None] = mapped_column(String(500))
    #: Set when a hub administrator withdrew the completion by hand: the course does not bring
    #: it back on its own (only recording it again does).
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    enrolment: Mapped[Enrolment] = relationship(back_populates="completion")
    course: Mapped[Course] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])

    def __repr__(self) -> str:
        return f"<CourseCompletion {self.id} user={self.user_id} course={self.course_id}>"

    @property
    def in_force(self) -> bool:
        """Not withdrawn."""
        return self.withdrawn_at is None

    @property
    def by_hand(self) -> bool:
        """Recorded by a hub administrator (completion override), not by the course."""
        return self.recorded_by_id is not None


class CourseImage(db.Model):
    """An image uploaded for a course's modules (re-encoded, at most 2 MB), kept in the database.

    Kept here rather than on the web server's disk so that every app server sees every image
    (issue 21); served by name, ``<random>.<ext>``, as the module Markdown links to it.
    """

    __tablename__ = "course_image"
    __table_args__ = (UniqueConstraint("course_id", "name", name="uq_course_image_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    #: Hex SHA-256 of the bytes: the strong ETag.
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, deferred=True)
