"""Forms for authoring courses, cohorts and enrolments, and for learners."""

import re
from datetime import UTC
from decimal import Decimal

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, StopValidation

from learnhub.accounts.forms import normalise_email
from learnhub.courses.models import ModuleKind, Question
from learnhub.courses.rules import REVIEW_LABELS, Review
from learnhub.formfields import DateInputField, DateTimeInputField, WholeNumberField
from learnhub.roles import PROFESSIONAL_ROLES
from learnhub.timeutil import UK as LONDON


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


_HOURS = re.compile(r"(-?[0-9]{1,4})(?:[.,]([0-9]{1,3}))?")


class HoursField(DecimalField):
    """CPD hours: digits with an optional decimal point or comma ("1.5" and "1,5" are both 1.5).

    Anything else (NaN, Infinity, exponents, other scripts' digits, thousands separators) gets
    one message in the NHS.UK style, never an exception.
    """

    def __init__(self, *args, not_a_number: str = "Enter CPD hours as a number, for example 3.5", **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.not_a_number = not_a_number

    def process_formdata(self, valuelist: list) -> None:
        text = valuelist[0].strip() if valuelist and isinstance(valuelist[0], str) else ""
        if not text:
            self.data = None
            return
        match = _HOURS.fullmatch(text)
        if match is None:
            self.data = None
            raise ValueError(self.not_a_number)
        whole, fraction = match.groups()
        self.data = Decimal(f"{whole}.{fraction or 0}")

    def pre_validate(self, form) -> None:  # type: ignore[no-untyped-def]
        if self.process_errors:  # one message is enough: skip the range check of a non-number
            raise StopValidation()

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        return f"{Decimal(str(self.data)).normalize():f}"  # written as everywhere else: 6, 1.5


class CourseForm(FlaskForm):
    """A course's details."""

    title = StringField(
        "Title",
        filters=[_strip],
        validators=[InputRequired("Enter a title"), Length(max=200, message="Title must be 200 characters or fewer")],
    )
    summary = TextAreaField("Summary", filters=[_strip], validators=[Optional(), Length(max=5000)])
    audience = SelectMultipleField(
        "Who is it for", choices=list(PROFESSIONAL_ROLES.items()), validators=[Optional()], description="Select all that apply"
    )
    cpd_hours = HoursField(
        "CPD hours",
        places=1,
        validators=[
            InputRequired("Enter the CPD hours, for example 3.5"),
            NumberRange(min=0, max=500, message="CPD hours must be between 0 and 500"),
        ],
    )
    learning_outcomes = TextAreaField(
        "Learning outcomes", filters=[_strip], validators=[Optional(), Length(max=5000)], description="One outcome per line"
    )
    published = BooleanField("Published (learners in your hub can see it)")
    requires_pre_survey = BooleanField("Learners must answer the pre-course evaluation survey to complete the course")
    requires_post_survey = BooleanField(
        "Learners must answer the post-course evaluation survey to complete the course (the certificate waits for it)"
    )

    def validate_title(self, field: StringField) -> None:
        """A title of spaces is no title."""
        if not (field.data or "").strip():
            raise ValidationError("Enter a title")


class ModuleForm(FlaskForm):
    """A module's details."""

    title = StringField(
        "Title",
        filters=[_strip],
        validators=[InputRequired("Enter a title"), Length(max=200, message="Title must be 200 characters or fewer")],
    )
    kind = RadioField(
        "Kind of module",
        choices=list(ModuleKind.LABELS.items()),
        default=ModuleKind.CONTENT,
        validators=[InputRequired("Select the kind of module")],
    )
    body_markdown = TextAreaField("Content", validators=[Optional(), Length(max=100_000)], description="Markdown is supported")
    required = BooleanField("Required for completion", default=True)
    published = BooleanField("Published", default=True)
    pass_mark = WholeNumberField(
        "Pass mark (%)",
        default=80,
        validators=[Optional(), NumberRange(min=0, max=100, message="Pass mark must be between 0 and 100")],
        description="Knowledge checks only",
    )
    attempts_allowed = WholeNumberField(
        "Attempts allowed",
        validators=[Optional(), NumberRange(min=1, max=100, message="Attempts allowed must be between 1 and 100")],
        description="Knowledge checks only. Leave empty for unlimited attempts",
    )
    review_answers = RadioField(
        "When learners see the right answers",
        choices=[(str(code), label) for code, label in REVIEW_LABELS.items()],
        default=str(Review.AFTER_PASSING),
        validators=[Optional()],
        description="Knowledge checks only. Showing them after a failed attempt would let learners copy them next time",
    )
    starts_at = DateTimeInputField(
        "Date and time (UK time)",
        validators=[Optional()],
        description="Live sessions only. For example, 15 3 2027 and 14:30",
        what="The date and time",
    )
    duration_minutes = WholeNumberField(
        "Length in minutes",
        validators=[Optional(), NumberRange(min=1, max=1440, message="Length must be between 1 and 1440 minutes")],
    )
    location = StringField("Venue or online link", filters=[_strip], validators=[Optional(), Length(max=500)])
    capacity = WholeNumberField(
        "Places", validators=[Optional(), NumberRange(min=1, max=10000, message="Places must be 1 or more")]
    )

    def validate_title(self, field: StringField) -> None:
        """A title of spaces is no title."""
        if not (field.data or "").strip():
            raise ValidationError("Enter a title")

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        """Knowledge checks need a pass mark; live sessions need a date and time."""
        ok = super().validate(extra_validators)
        if self.kind.data == ModuleKind.CHECK and self.pass_mark.data is None and not self.pass_mark.errors:
            self.pass_mark.errors = [*self.pass_mark.errors, "Enter a pass mark between 0 and 100"]
            ok = False
        if self.kind.data == ModuleKind.LIVE and self.starts_at.data is None and not self.starts_at.errors:
            self.starts_at.errors = [*self.starts_at.errors, "Enter the date and time of the live session"]
            ok = False
        return ok

    def model_fields(self) -> dict[str, object]:
        """Form data as model attributes (the date and time in UTC)."""
        starts = self.starts_at.data.replace(tzinfo=LONDON).astimezone(UTC) if self.starts_at.data else None
        return {
            "title": self.title.data,
            "kind": self.kind.data,
            "body_markdown": self.body_markdown.data or "",
            "required": bool(self.required.data),
            "published": bool(self.published.data),
            "pass_mark": self.pass_mark.data if self.pass_mark.data is not None else 80,
            "attempts_allowed": self.attempts_allowed.data,
            "review_answers": self.review_answers.data if self.review_answers.data in set(Review) else Review.AFTER_PASSING,
            "starts_at": starts,
            "duration_minutes": self.duration_minutes.data,
            "location": self.location.data or None,
            "capacity": self.capacity.data,
        }


def parse_options(text: str) -> list[tuple[str, bool]]:
    """Options from a text box: one per line, correct ones start with an asterisk."""
    options = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        correct = line.startswith("*")
        options.append((line.lstrip("*").strip(), correct))
    return [(t, c) for t, c in options if t]


class QuestionForm(FlaskForm):
    """A knowledge-check question."""

    text = TextAreaField("Question", filters=[_strip], validators=[InputRequired("Enter the question"), Length(max=2000)])
    kind = RadioField(
        "Answers",
        choices=[(Question.SINGLE, "One correct answer"), (Question.MULTIPLE, "Select all that apply")],
        default=Question.SINGLE,
        validators=[InputRequired("Select how the question is answered")],
    )
    options = TextAreaField(
        "Options",
        validators=[InputRequired("Enter at least 2 options")],
        description="One option per line. Start each correct option with an asterisk (*)",
    )
    explanation = TextAreaField(
        "Explanation", filters=[_strip], validators=[Optional(), Length(max=2000)], description="Shown after the learner answers"
    )

    def validate_options(self, field: TextAreaField) -> None:
        """At least two options, at least one correct; exactly one for single-choice questions."""
        options = parse_options(field.data)
        if len(options) < 2:
            raise ValidationError("Enter at least 2 options")
        if any(len(t) > 500 for t, _ in options):
            raise ValidationError("Each option must be 500 characters or fewer")
        correct = sum(1 for _, ok in options if ok)
        if correct == 0:
            raise ValidationError("Mark at least one correct option with an asterisk (*)")
        if self.kind.data == Question.SINGLE and correct != 1:
            raise ValidationError("A question with one correct answer must have exactly one option marked with *")


class CohortForm(FlaskForm):
    """A cohort's dates and places."""

    name = StringField(
        "Name",
        filters=[_strip],
        validators=[
            InputRequired("Enter a name for the cohort"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
        description="For example, Spring 2027",
    )
    starts_on = DateInputField("Start date", validators=[InputRequired("Enter the start date")])
    ends_on = DateInputField("End date", validators=[Optional()])
    capacity = WholeNumberField(
        "Places",
        validators=[Optional(), NumberRange(min=1, max=10000, message="Places must be 1 or more")],
        description="Leave empty for no limit. People enrolled past the limit go on the waiting list",
    )
    self_enrolment_open = BooleanField("Learners can enrol themselves", default=True)

    def validate_ends_on(self, field: DateInputField) -> None:
        """The end is not before the start."""
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("End date must be the same as or after the start date")


class EnrolForm(FlaskForm):
    """Enrol one person by email."""

    email = EmailField("Email address", filters=[normalise_email], validators=[InputRequired("Enter their email address")])


class EnrolCsvForm(FlaskForm):
    """Enrol people from a CSV file with an email column."""

    csv_file = FileField(
        "CSV file",
        validators=[FileRequired("Select a CSV file"), FileAllowed(["csv"], "The selected file must be a CSV")],
        description="A column called email; everyone must already have an account in your hub",
    )


class ImageForm(FlaskForm):
    """Upload an image to use in module content."""

    image = FileField(
        "Image file",
        validators=[FileRequired("Select an image file")],
        description="PNG, JPEG, GIF or WebP, smaller than 2 MB",
    )


class ButtonForm(FlaskForm):
    """A button-only form (the action is in the URL)."""


class RecordCompletionForm(FlaskForm):
    """Record a learner's completion by hand (completion override); the reason is audited."""

    reason = TextAreaField(
        "Reason for recording the completion",
        validators=[
            InputRequired("Enter the reason for recording this completion"),
            Length(max=500, message="Reason must be 500 characters or fewer"),
        ],
        description="For example, attended the same course at another training hub in March",
    )


class WithdrawCompletionForm(FlaskForm):
    """Withdraw a learner's completion by hand; the reason is audited and printed on the revoked certificate."""

    reason = TextAreaField(
        "Reason for withdrawing the completion",
        validators=[
            InputRequired("Enter the reason for withdrawing this completion"),
            Length(max=500, message="Reason must be 500 characters or fewer"),
        ],
        description="The certificate is revoked with this reason, which its public verify page shows",
    )
