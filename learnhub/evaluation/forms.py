"""Forms: answering a survey (built from the instrument's items), authoring, settings, filters."""

from datetime import UTC, date, datetime, time

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from learnhub.evaluation.models import AGREEMENT, FREE_TEXT, ITEM_KINDS, MULTIPLE, RATING, SINGLE, TIMEPOINTS, Item
from learnhub.evaluation.services import MAX_TEXT, AnswerValue
from learnhub.formfields import DateInputField, WholeNumberField
from learnhub.suppression import MINIMUM_THRESHOLD


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes for a multiple-choice question."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _SurveyBase(FlaskForm):
    save_draft = SubmitField("Save and come back later")
    submit_answers = SubmitField("Submit your answers")

    item_fields: list[tuple[Item, str]]

    def answers(self) -> dict[int, AnswerValue]:
        """Answers keyed by item id, in the shape the service takes."""
        out: dict[int, AnswerValue] = {}
        for item, name in self.item_fields:
            data = self[name].data
            if item.kind == MULTIPLE:
                out[item.id] = [int(v) for v in data or []]
            elif item.kind == FREE_TEXT:
                out[item.id] = (data or "").strip() or None
            else:
                out[item.id] = int(data) if data not in (None, "", "None") else None
        return out


def _coerce_int_or_none(value: object) -> int | None:
    if value in (None, "", "None"):
        return None
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return -1  # not a choice: the field then says "Select one of the options given"


def survey_form(items: list[Item], answers: dict[int, AnswerValue]) -> _SurveyBase:
    """A form with one field per item; ``answers`` fill it in (posted data, when there is some, wins)."""

    class SurveyForm(_SurveyBase):
        pass

    fields = []
    for item in items:
        name = f"item_{item.id}"
        choices = [(v, label) for v, label in item.choices()]
        hint = item.hint or ("Optional" if not item.required else None)
        if item.kind in (AGREEMENT, RATING, SINGLE):
            if item.kind == RATING and not hint:
                hint = "0 is the lowest and 10 the highest"
            field = RadioField(
                item.text,
                choices=choices,
                coerce=_coerce_int_or_none,
                validators=[Optional()],
                description=hint,
            )
        elif item.kind == MULTIPLE:
            field = MultiCheckboxField(
                item.text, choices=choices, coerce=int, validators=[Optional()], description=hint or "Select all that apply"
            )
        else:
            field = TextAreaField(
                item.text,
                validators=[Optional(), Length(max=MAX_TEXT, message=f"Your answer must be {MAX_TEXT} characters or fewer")],
                description=hint,
            )
        setattr(SurveyForm, name, field)
        fields.append((item, name))
    SurveyForm.item_fields = fields
    data = {}
    for item, name in fields:
        value = answers.get(item.id)
        if value is not None:
            data[name] = value
    form = SurveyForm(data=data)
    for item, name in fields:
        f = form[name]
        if isinstance(f, RadioField):
            f.pre_validate = _radio_pre_validate(f, item)  # type: ignore[method-assign]
        if isinstance(f, SelectMultipleField):
            f.pre_validate = _multi_pre_validate(f)  # type: ignore[method-assign]
    return form


def _radio_pre_validate(field: RadioField, item: Item):  # type: ignore[no-untyped-def]
    allowed = {v for v, _ in field.choices}

    def check(form: FlaskForm) -> None:
        if field.data is not None and field.data not in allowed:
            low, high = item.scale or (None, None)
            raise ValidationError(f"Select an answer from {low} to {high}" if item.scale else "Select one of the options given")

    return check


def _multi_pre_validate(field: SelectMultipleField):  # type: ignore[no-untyped-def]
    allowed = {v for v, _ in field.choices}

    def check(form: FlaskForm) -> None:
        if any(v not in allowed for v in field.data or []):
            raise ValidationError("Select only from the options given")

    return check


class ThresholdForm(FlaskForm):
    """The hub's small-number suppression threshold."""

    threshold = WholeNumberField(
        "Smallest number of people a result may be based on",
        validators=[
            InputRequired("Enter a whole number"),
            NumberRange(min=MINIMUM_THRESHOLD, max=50, message=f"Enter a number from {MINIMUM_THRESHOLD} to 50"),
        ],
        description=f"Counts below this are shown as *. It cannot be lower than {MINIMUM_THRESHOLD}.",
    )


class FilterForm(FlaskForm):
    """Narrow the results to one predefined slice (read from the query string, never validated here)."""

    class Meta:
        csrf = False

    attachment = SelectField("Course or programme", choices=[], validators=[Optional()])
    subgroup = SelectField("Cohort or group", choices=[], validators=[Optional()])
    pcn = SelectField("PCN", choices=[], validators=[Optional()])
    role = SelectField("Professional role", choices=[], validators=[Optional()])
    period = SelectField("Month or quarter submitted", choices=[], validators=[Optional()])


class ItemForm(FlaskForm):
    """Add a question to an instrument."""

    section = SelectField("Section", choices=[], validators=[InputRequired("Select a section")])
    kind = SelectField("Type of answer", choices=list(ITEM_KINDS.items()), validators=[InputRequired("Select a type of answer")])
    text = TextAreaField(
        "Question or statement",
        validators=[InputRequired("Enter the question"), Length(max=500, message="The question must be 500 characters or fewer")],
    )
    options = TextAreaField(
        "Options (for single or multiple choice)",
        validators=[Length(max=2000, message="Options must be 2000 characters or fewer")],
        description="One option on each line",
    )
    asked_at = MultiCheckboxField(
        "Asked", choices=[(k, v) for k, v in TIMEPOINTS.items()], validators=[InputRequired("Select when the question is asked")]
    )
    flags = MultiCheckboxField(
        "Settings",
        choices=[
            ("required", "People must answer it"),
            ("core", "Part of the overall score (agreement or 0 to 10 only)"),
            ("reverse", "A negative statement (reverse-scored)"),
        ],
        validators=[],
    )

    def option_list(self) -> list[str]:
        """The options, one per non-empty line."""
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]

    def validate_options(self, field: TextAreaField) -> None:
        """Choice questions need at least two options."""
        if self.kind.data in (SINGLE, MULTIPLE) and len(self.option_list()) < 2:
            raise ValidationError("Enter at least 2 options, one on each line")

    def validate_flags(self, field: MultiCheckboxField) -> None:
        """Only scale questions can count towards the overall score."""
        if "core" in (field.data or []) and self.kind.data not in (AGREEMENT, RATING):
            raise ValidationError("Only agreement and 0 to 10 questions can be part of the overall score")


# --- authoring ----------------------------------------------------------------------------------------


class InstrumentForm(FlaskForm):
    """A survey's title and description."""

    title = StringField(
        "Title",
        validators=[
            InputRequired("Enter a title for the survey"),
            Length(max=200, message="The title must be 200 characters or fewer"),
        ],
        description="For example, 'Supervisor training: before and after'",
    )
    description = TextAreaField(
        "Description (optional)",
        validators=[Length(max=2000, message="The description must be 2000 characters or fewer")],
        description="Shown at the top of the survey",
    )

    def validate_title(self, field: StringField) -> None:
        """A title of spaces is no title."""
        if not (field.data or "").strip():
            raise ValidationError("Enter a title for the survey")


class SectionForm(FlaskForm):
    """A section's title and introduction."""

    title = StringField(
        "Section title",
        validators=[
            InputRequired("Enter a title for the section"),
            Length(max=200, message="The title must be 200 characters or fewer"),
        ],
    )
    description = TextAreaField(
        "Introduction (optional)",
        validators=[Length(max=2000, message="The introduction must be 2000 characters or fewer")],
        description="For example, 'Say how far you agree with each statement today.'",
    )

    def validate_title(self, field: StringField) -> None:
        """A title of spaces is no title."""
        if not (field.data or "").strip():
            raise ValidationError("Enter a title for the section")


class EditItemForm(FlaskForm):
    """Change a question. ``kind``, ``options``, ``core`` and ``reverse`` are removed once it has answers."""

    text = TextAreaField(
        "Question or statement",
        validators=[InputRequired("Enter the question"), Length(max=500, message="The question must be 500 characters or fewer")],
    )
    hint = TextAreaField(
        "Hint (optional)",
        validators=[Length(max=500, message="The hint must be 500 characters or fewer")],
        description="Shown under the question, for example what 0 and 10 mean",
    )
    required = BooleanField("People must answer it")
    asked_at = MultiCheckboxField(
        "Asked", choices=[(k, v) for k, v in TIMEPOINTS.items()], validators=[InputRequired("Select when the question is asked")]
    )
    kind = SelectField("Type of answer", choices=list(ITEM_KINDS.items()), validators=[InputRequired("Select a type of answer")])
    options = TextAreaField(
        "Options (for single or multiple choice)",
        validators=[Length(max=2000, message="Options must be 2000 characters or fewer")],
        description="One option on each line",
    )
    core = BooleanField("Part of the overall score (agreement or 0 to 10 only)")
    reverse = BooleanField("A negative statement (reverse-scored)")

    def validate_text(self, field: TextAreaField) -> None:
        """A question of spaces is no question."""
        if not (field.data or "").strip():
            raise ValidationError("Enter the question")

    def option_list(self) -> list[str]:
        """The options, one per non-empty line."""
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]

    def validate_options(self, field: TextAreaField) -> None:
        """Choice questions need at least two options."""
        if self.kind.data in (SINGLE, MULTIPLE) and len(self.option_list()) < 2:
            raise ValidationError("Enter at least 2 options, one on each line")

    def validate_core(self, field: BooleanField) -> None:
        """Only scale questions count towards the overall score."""
        if field.data and self.kind.data not in (AGREEMENT, RATING):
            raise ValidationError("Only agreement and 0 to 10 questions can be part of the overall score")

    def validate_reverse(self, field: BooleanField) -> None:
        """Only scale questions can be reverse-scored."""
        if field.data and self.kind.data not in (AGREEMENT, RATING):
            raise ValidationError("Only agreement and 0 to 10 questions can be reverse-scored")


def opens_at(day: date) -> datetime:
    """A survey opens at the start of its first day (UTC)."""
    return datetime.combine(day, time.min, UTC)


def closes_at(day: date) -> datetime:
    """A survey closes at the end of its last day (UTC)."""
    return datetime.combine(day, time(23, 59, 59), UTC)


#: The attach form's subject, created before the date fields so it comes first on the page and in the
#: error summary. Choices are the hub's own courses and programmes; a value outside them is a 404 (view).
_SUBJECT = SelectField(
    "Course or programme", choices=[], validate_choice=False, validators=[InputRequired("Select a course or programme")]
)


class WindowsForm(FlaskForm):
    """Open and close dates of the before, after and follow-up surveys (leave a pair empty to skip it)."""

    pre_opens = DateInputField("Opens on", validators=[Optional()])
    pre_closes = DateInputField("Last day to answer", validators=[Optional()])
    post_opens = DateInputField("Opens on", validators=[Optional()])
    post_closes = DateInputField("Last day to answer", validators=[Optional()])
    follow_up_opens = DateInputField("Opens on", validators=[Optional()])
    follow_up_closes = DateInputField("Last day to answer", validators=[Optional()])

    #: (timepoint, opens field name, closes field name)
    PAIRS = tuple((tp, f"{tp}_opens", f"{tp}_closes") for tp in TIMEPOINTS)

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        """Each timepoint: both dates or neither, the last day on or after the first; at least one timepoint."""
        ok = super().validate(extra_validators)
        given = 0
        for tp, opens_name, closes_name in self.PAIRS:
            opens, closes = self[opens_name], self[closes_name]
            when = TIMEPOINTS[tp].lower()
            if opens.errors or closes.errors:
                # The only errors so far are dates that could not be read.
                if opens.errors:
                    opens.errors = [f"Enter a real date for when the {when} survey opens"]
                if closes.errors:
                    closes.errors = [f"Enter a real date for the last day to answer the {when} survey"]
                given += 1
                continue
            if opens.data and not closes.data:
                closes.errors.append(f"Enter the last day to answer the {when} survey")
            elif closes.data and not opens.data:
                opens.errors.append(f"Enter the date the {when} survey opens")
            elif opens.data and closes.data and closes.data < opens.data:
                closes.errors.append(f"The last day to answer the {when} survey must be the same as or after the day it opens")
            if opens.data or closes.data:
                given += 1
        if not given:
            self.pre_opens.errors.append("Enter the dates of at least one survey: before, after or follow-up")
        return ok and not any(self[name].errors for _, o, c in self.PAIRS for name in (o, c))

    def windows(self) -> dict[str, tuple[datetime, datetime]]:
        """``{timepoint: (opens_at, closes_at)}`` for the timepoints given."""
        return {tp: (opens_at(self[o].data), closes_at(self[c].data)) for tp, o, c in self.PAIRS if self[o].data and self[c].data}


class AttachForm(WindowsForm):
    """Attach an instrument to a course or ALS programme."""

    subject = _SUBJECT

    def validate_subject(self, field: SelectField) -> None:
        """Values look like ``course:12``."""
        subject_type, _, subject_id = (field.data or "").partition(":")
        if subject_type not in ("course", "als_programme") or not subject_id.isdigit():
            raise ValidationError("Select a course or programme")
