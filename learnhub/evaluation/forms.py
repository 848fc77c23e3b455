"""Forms: answering a survey (built from the instrument's items), settings, filters."""

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from learnhub.evaluation.models import AGREEMENT, FREE_TEXT, MULTIPLE, RATING, SINGLE, Item
from learnhub.evaluation.services import MAX_TEXT, AnswerValue
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

    threshold = IntegerField(
        "Smallest number of people a result may be based on",
        validators=[
            InputRequired("Enter a whole number"),
            NumberRange(min=MINIMUM_THRESHOLD, max=50, message=f"Enter a number from {MINIMUM_THRESHOLD} to 50"),
        ],
        description=f"Counts below this are shown as *. It cannot be lower than {MINIMUM_THRESHOLD}.",
    )


class FilterForm(FlaskForm):
    """Narrow the results (read from the query string)."""

    class Meta:
        csrf = False

    attachment = SelectField("Course or programme", choices=[], validators=[Optional()])
    subgroup = SelectField("Cohort or group", choices=[], validators=[Optional()])
    pcn = SelectField("PCN", choices=[], validators=[Optional()])
    role = SelectField("Professional role", choices=[], validators=[Optional()])
    date_from = DateField("Submitted from", validators=[Optional()], format="%Y-%m-%d")
    date_to = DateField("Submitted up to", validators=[Optional()], format="%Y-%m-%d")

    def validate_date_to(self, field: DateField) -> None:
        """The end date cannot be before the start."""
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date must be the same as or after the start date")
