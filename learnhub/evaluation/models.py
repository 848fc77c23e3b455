"""Survey instruments, where they are attached, and pseudonymous responses.

Privacy by structure: :class:`Completion` records *who* has submitted (for reminders and for
course completion) and holds no answers; :class:`Response` holds answers under a
pseudonymous ``respondent_key`` and no user id. Reviewers therefore never see a name next to
an answer, while a person's pre and post responses still match through the key.
"""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learnhub.extensions import db
from learnhub.timeutil import UTCDateTime, utcnow

PRE, POST, FOLLOW_UP = "pre", "post", "follow_up"
TIMEPOINTS = {PRE: "Before", POST: "After", FOLLOW_UP: "Follow-up"}

AGREEMENT, RATING, SINGLE, MULTIPLE, FREE_TEXT = "agreement", "rating", "single", "multiple", "text"
ITEM_KINDS = {
    AGREEMENT: "Agreement scale (1 to 5)",
    RATING: "Rating from 0 to 10",
    SINGLE: "Single choice",
    MULTIPLE: "Multiple choice",
    FREE_TEXT: "Free text",
}
AGREEMENT_LABELS = {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree", 4: "Agree", 5: "Strongly agree"}
#: Item kinds whose answers are numbers on an ordered scale (analysed pre vs post).
SCALE_KINDS = (AGREEMENT, RATING)


class EvaluationSetting(db.Model):
    """A hub's evaluation settings."""

    __tablename__ = "evaluation_setting"
    __table_args__ = (CheckConstraint("suppression_threshold >= 5", name="threshold_minimum"),)

    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id", ondelete="CASCADE"), primary_key=True)
    #: Counts below this are shown as "*", and no statistic rests on fewer people.
    suppression_threshold: Mapped[int] = mapped_column(Integer, default=8)

    def __repr__(self) -> str:
        return f"<EvaluationSetting hub={self.hub_id} threshold={self.suppression_threshold}>"


class Instrument(db.Model):
    """A survey: sections of items, owned by a hub."""

    __tablename__ = "evaluation_instrument"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    #: Secret for the pseudonymous respondent keys (HMAC of the user id). Never shown.
    key_secret: Mapped[str] = mapped_column(String(64))
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_instrument.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    sections: Mapped[list["Section"]] = relationship(
        back_populates="instrument", order_by="Section.position", cascade="all, delete-orphan"
    )
    items: Mapped[list["Item"]] = relationship(back_populates="instrument", order_by="Item.position")
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="instrument", order_by="Attachment.id")

    def __repr__(self) -> str:
        return f"<Instrument {self.id} {self.title!r}>"


class Section(db.Model):
    """A titled group of items within an instrument."""

    __tablename__ = "evaluation_section"

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("evaluation_instrument.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)

    instrument: Mapped[Instrument] = relationship(back_populates="sections")
    items: Mapped[list["Item"]] = relationship(back_populates="section", order_by="Item.position")

    def __repr__(self) -> str:
        return f"<Section {self.id} {self.title!r}>"


class Item(db.Model):
    """One question. Items with answers are never deleted (the answers refer to them): retire them."""

    __tablename__ = "evaluation_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("evaluation_instrument.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("evaluation_section.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: One of ``ITEM_KINDS``.
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    hint: Mapped[str | None] = mapped_column(Text)
    #: Choice labels for single and multiple choice; answers store the 1-based option number.
    options: Mapped[list | None] = mapped_column(JSON)
    #: Higher answers mean something worse (e.g. "I feel isolated"); flipped in the composite.
    reverse_scored: Mapped[bool] = mapped_column(Boolean, default=False)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Part of the composite score (the mean of core items, reverse-scored items flipped).
    core: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Retired items are no longer asked; their past answers are kept.
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Comma-separated timepoints at which the item is asked, e.g. "pre,post".
    asked_at: Mapped[str] = mapped_column(String(40), default="pre,post,follow_up")

    instrument: Mapped[Instrument] = relationship(back_populates="items")
    section: Mapped[Section] = relationship(back_populates="items")

    def __repr__(self) -> str:
        return f"<Item {self.id} {self.kind}>"

    def asked(self, timepoint: str) -> bool:
        """True when the item is asked at this timepoint (and not retired)."""
        return not self.retired and timepoint in self.asked_at.split(",")

    @property
    def scale(self) -> tuple[int, int] | None:
        """Lowest and highest value of a scale item."""
        return {AGREEMENT: (1, 5), RATING: (0, 10)}.get(self.kind)

    def choices(self) -> list[tuple[int, str]]:
        """(value, label) of every possible answer."""
        if self.kind == AGREEMENT:
            return list(AGREEMENT_LABELS.items())
        if self.kind == RATING:
            return [(v, str(v)) for v in range(11)]
        if self.kind in (SINGLE, MULTIPLE):
            return [(i, label) for i, label in enumerate(self.options or [], start=1)]
        return []


class Attachment(db.Model):
    """An instrument attached to something people take part in.

    ``subject_type`` is "course", "als_programme" or "hub" (people invited directly); the
    subject is referred to by id without a foreign key, so the evaluation feature does not
    depend on the others. Who is invited comes from ``learnhub.evaluation.interface``.
    """

    __tablename__ = "evaluation_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("evaluation_instrument.id", ondelete="CASCADE"), index=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id", ondelete="CASCADE"), index=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    #: Name shown to people, e.g. the course title.
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    instrument: Mapped[Instrument] = relationship(back_populates="attachments")
    timepoints: Mapped[list["AttachmentTimepoint"]] = relationship(
        back_populates="attachment", cascade="all, delete-orphan", order_by="AttachmentTimepoint.opens_at"
    )

    def __repr__(self) -> str:
        return f"<Attachment {self.id} {self.subject_type}:{self.subject_id}>"

    def timepoint(self, name: str) -> "AttachmentTimepoint | None":
        """The timepoint of that name, if the attachment has it."""
        return next((t for t in self.timepoints if t.timepoint == name), None)


class AttachmentTimepoint(db.Model):
    """When one wave of a survey (pre, post or follow-up) opens and closes."""

    __tablename__ = "evaluation_timepoint"
    __table_args__ = (UniqueConstraint("attachment_id", "timepoint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("evaluation_attachment.id", ondelete="CASCADE"))
    timepoint: Mapped[str] = mapped_column(String(20))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())

    attachment: Mapped[Attachment] = relationship(back_populates="timepoints")

    def __repr__(self) -> str:
        return f"<AttachmentTimepoint {self.attachment_id} {self.timepoint}>"

    @property
    def label(self) -> str:
        """Readable name of the timepoint."""
        return TIMEPOINTS.get(self.timepoint, self.timepoint)

    def is_open(self, now: datetime) -> bool:
        """Open for answering and editing."""
        return self.opens_at <= now < self.closes_at


class Invitee(db.Model):
    """A person invited directly to a "hub" attachment (courses and ALS supply their own lists)."""

    __tablename__ = "evaluation_invitee"
    __table_args__ = (UniqueConstraint("attachment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("evaluation_attachment.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    #: Cohort or group key used to filter results.
    subgroup: Mapped[str | None] = mapped_column(String(60))

    def __repr__(self) -> str:
        return f"<Invitee {self.attachment_id} user={self.user_id}>"


class Completion(db.Model):
    """That a person has submitted a timepoint — kept apart from their answers."""

    __tablename__ = "evaluation_completion"
    __table_args__ = (UniqueConstraint("attachment_id", "timepoint", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("evaluation_attachment.id", ondelete="CASCADE"))
    timepoint: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<Completion {self.attachment_id} {self.timepoint} user={self.user_id}>"


class Response(db.Model):
    """One person's answers at one timepoint, under a pseudonymous key (no user id)."""

    __tablename__ = "evaluation_response"
    __table_args__ = (UniqueConstraint("attachment_id", "timepoint", "respondent_key"),)

    DRAFT, SUBMITTED = "draft", "submitted"

    id: Mapped[int] = mapped_column(primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("evaluation_attachment.id", ondelete="CASCADE"), index=True)
    timepoint: Mapped[str] = mapped_column(String(20))
    #: HMAC of the user id with the instrument's secret: links pre and post, names no one.
    respondent_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default=DRAFT)
    #: Snapshot of the person's cohort/group, PCN and professional role, for filtering results.
    subgroup: Mapped[str | None] = mapped_column(String(60))
    pcn_id: Mapped[int | None] = mapped_column(ForeignKey("pcn.id", ondelete="SET NULL"))
    professional_role: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    answers: Mapped[list["Answer"]] = relationship(back_populates="response", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Response {self.id} {self.timepoint} {self.status}>"


class Answer(db.Model):
    """An answer to one item. A multiple-choice answer is one row per option chosen."""

    __tablename__ = "evaluation_answer"
    #: Both indexes carry the value, so the results aggregates read them without visiting the table:
    #: (response, item, value) matches a pre answer to its post answer and averages a response's
    #: answers; (item, value, response) counts each item's answers already grouped by value.
    #: The second also serves the item foreign key.
    __table_args__ = (
        Index("ix_evaluation_answer_response_item_value", "response_id", "item_id", "value"),
        Index("ix_evaluation_answer_item_value_response", "item_id", "value", "response_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("evaluation_response.id", ondelete="CASCADE"))
    #: RESTRICT: an item that has answers cannot be deleted.
    item_id: Mapped[int] = mapped_column(ForeignKey("evaluation_item.id", ondelete="RESTRICT"))
    #: Scale value, or option number for choices.
    value: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")
    item: Mapped[Item] = relationship()

    def __repr__(self) -> str:
        return f"<Answer {self.id} item={self.item_id}>"


# --- aggregates maintained with every submission (issue 15) ----------------------------------------
#
# The results page reads these instead of the answers, so its cost does not grow with the number
# of responses. Each table holds counts per attachment and per *slice*: ``("all", "")`` is every
# submitted response of the attachment; ``("subgroup", cohort)``, ``("pcn", "12")``,
# ``("role", "gp")`` and ``("period", "2026-10")`` or ``("period", "2026-Q4")`` are the one
# predefined filter a results view may apply (see ``analysis.slices``). A pair is in a slice when
# both of its responses are. ``services.aggregates`` keeps them up to date in the transaction
# that saves a response, and ``flask evaluation rebuild-aggregates`` recomputes them from the answers.
# Counts may be 0 after an edit (rows are not deleted); readers skip them.

#: ``slice_kind`` of every submitted response of an attachment.
ALL_SLICE = "all"
#: ``value`` of an :class:`AnswerCount` row counting the people who answered a multiple-choice or free-text item.
ANSWERED = -1
#: ``count`` names of :class:`PeopleCount` and :class:`CellCount` for matched pairs.
MATCHED = {POST: "matched", FOLLOW_UP: "matched_follow_up"}


class PeopleCount(db.Model):
    """Submitted responses per wave (``count`` = pre, post, follow_up) and matched pairs (matched, matched_follow_up)."""

    __tablename__ = "evaluation_people_count"

    attachment_id: Mapped[int] = mapped_column(ForeignKey("evaluation_attachment.id", ondelete="CASCADE"), primary_key=True)
    count: Mapped[str] = mapped_column(String(20), primary_key=True)
    slice_kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    slice_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


class AnswerCount(db.Model):
    """Answers per wave, item and value (``value`` = ``ANSWERED``: people who answered a multiple-choice or free-text item)."""

    __tablename__ = "evaluation_answer_count"

    attachment_id: Mapped[int] = mapped_column(ForeignKey("evaluation_attachment.id", ondelete="CASCADE"), primary_key=True)
    timepoint: Mapped[str] = mapped_column(String(20), primary_key=True)
    slice_kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    slice_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("evaluation_item.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


class DifferenceCount(db.Model):
    """Matched pairs (before, ``later``) per scale item and difference ``later - before``."""

    __tablename__ = "evaluation_difference_count"

    attachment_id: Mapped[int] = mapped_column(ForeignKey("evaluation_attachment.id", ondelete="CASCADE"), primary_key=True)
    later: Mapped[str] = mapped_column(String(20), primary_key=True)
    slice_kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    slice_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("evaluation_item.id", ondelete="CASCADE"), primary_key=True)
    difference: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


class ScoreCount(db.Model):
    """Matched pairs by how many core answers each response has, with the exact integer sums of their scores.

    A response's composite score is ``sum / answers`` of its scored core answers; per (answers
    before, answers later) the table keeps the pairs and the sums of ``before_sum``,
    ``later_sum``, their squares and their product, from which the paired t-test's sums follow
    exactly. Almost every pair answers every core item, so there is about one row per slice.
    """

    __tablename__ = "evaluation_score_count"

    attachment_id: Mapped[int] = mapped_column(ForeignKey("evaluation_attachment.id", ondelete="CASCADE"), primary_key=True)
    later: Mapped[str] = mapped_column(String(20), primary_key=True)
    slice_kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    slice_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    before_n: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    later_n: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    before_sum: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    later_sum: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    before_squares: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    later_squares: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    products: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)


#: The summed columns of :class:`ScoreCount`, in the order the aggregates carry them.
SCORE_SUMS = ("n", "before_sum", "later_sum", "before_squares", "later_squares", "products")


class CellCount(db.Model):
    """The differencing cells: people per (count, cohort, PCN, role, month), both responses' for pairs ('' = none)."""

    __tablename__ = "evaluation_cell_count"

    attachment_id: Mapped[int] = mapped_column(ForeignKey("evaluation_attachment.id", ondelete="CASCADE"), primary_key=True)
    count: Mapped[str] = mapped_column(String(20), primary_key=True)
    subgroup: Mapped[str] = mapped_column(String(60), primary_key=True)
    subgroup_later: Mapped[str] = mapped_column(String(60), primary_key=True)
    pcn: Mapped[str] = mapped_column(String(20), primary_key=True)
    pcn_later: Mapped[str] = mapped_column(String(20), primary_key=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True)
    role_later: Mapped[str] = mapped_column(String(40), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    month_later: Mapped[str] = mapped_column(String(7), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


AGGREGATE_MODELS = (PeopleCount, AnswerCount, DifferenceCount, ScoreCount, CellCount)


class InvitedCount(db.Model):
    """People invited directly (``evaluation_invitee`` rows of ``hub`` attachments), counted per instrument.

    ``attachment_id`` 0 counts distinct people over all the instrument's hub attachments, and
    ``subgroup`` "" over every subgroup. Kept by database triggers on ``evaluation_invitee``
    (migration ``0017_eval_aggregates``) in the transaction that adds, changes or removes an
    invitation, however it is written (bulk inserts and foreign-key cascades included).
    """

    __tablename__ = "evaluation_invited_count"

    instrument_id: Mapped[int] = mapped_column(ForeignKey("evaluation_instrument.id", ondelete="CASCADE"), primary_key=True)
    attachment_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    subgroup: Mapped[str] = mapped_column(String(60), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
