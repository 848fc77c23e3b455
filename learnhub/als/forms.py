"""Forms for ALS programmes, facilitators and session records."""

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional

from learnhub.accounts.forms import normalise_email
from learnhub.als.identifiers import anonymise_message, find_identifiers
from learnhub.als.models import DEFAULT_ROLES, AlsAction, AlsAttendance
from learnhub.formfields import ClockTimeField, DateInputField, WholeNumberField
from learnhub.roles import PROFESSIONAL_ROLES


class MultiCheckboxField(SelectMultipleField):
    """Several choices shown as NHS.UK checkboxes."""


def no_patient_identifiers(form: Form, field: StringField) -> None:
    """Refuse text containing an NHS number, a date of birth, a full postcode, a phone number or an email address."""
    findings = find_identifiers(field.data or "")
    if findings:
        raise ValidationError(anonymise_message(findings))


def _whole(label: str, low: int, high: int) -> list:
    return [
        InputRequired(f"Enter the {label}"),
        NumberRange(low, high, message=f"The {label} must be between {low} and {high}"),
    ]


class ProgrammeForm(FlaskForm):
    """Create an ALS programme."""

    name = StringField(
        "Programme name",
        validators=[InputRequired("Enter the programme's name"), Length(max=200, message="Name must be 200 characters or fewer")],
    )
    eligible_roles = MultiCheckboxField(
        "Who can join",
        choices=list(PROFESSIONAL_ROLES.items()),
        default=list(DEFAULT_ROLES),
        validators=[InputRequired("Select at least one role")],
    )
    min_group_size = WholeNumberField("Smallest group", default=5, validators=_whole("smallest group size", 2, 20))
    max_group_size = WholeNumberField("Largest group", default=8, validators=_whole("largest group size", 2, 20))
    session_count = WholeNumberField("Number of sessions", default=6, validators=_whole("number of sessions", 1, 24))
    cadence_weeks = WholeNumberField(
        "Weeks between sessions", default=4, validators=_whole("number of weeks between sessions", 1, 12)
    )
    session_minutes = WholeNumberField("Session length in minutes", default=90, validators=_whole("session length", 30, 480))
    presenter_slots = WholeNumberField("Presenters per session", default=2, validators=_whole("number of presenters", 1, 6))
    start_date = DateInputField("First session date", validators=[InputRequired("Enter the date of the first session")])
    end_date = DateInputField("Programme end date", validators=[InputRequired("Enter the date the programme ends")])
    session_time = ClockTimeField("Start time", validators=[InputRequired("Enter the time sessions start")])
    mode = RadioField(
        "Where sessions happen",
        choices=[("online", "Online"), ("venue", "At a venue")],
        default="online",
        validators=[InputRequired("Select where sessions happen")],
    )
    venue = StringField("Venue (if at a venue)", validators=[Length(max=300, message="Venue must be 300 characters or fewer")])
    co_facilitation = BooleanField("Plan a co-facilitator for every session")
    continuity = BooleanField("Keep one lead facilitator per group (the co-facilitator rotates)")

    def validate_max_group_size(self, field: IntegerField) -> None:
        """The largest group cannot be smaller than the smallest."""
        if field.data is not None and self.min_group_size.data is not None and field.data < self.min_group_size.data:
            raise ValidationError("The largest group must be the same as or bigger than the smallest group")

    def validate_end_date(self, field: DateInputField) -> None:
        """The programme ends after it starts."""
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError("The end date must be after the first session date")

    def validate_venue(self, field: StringField) -> None:
        """A venue programme names its venue."""
        if self.mode.data == "venue" and not (field.data or "").strip():
            raise ValidationError("Enter the venue")


class EmailForm(FlaskForm):
    """Add someone by email address."""

    email = EmailField("Email address", filters=[normalise_email], validators=[InputRequired("Enter their email address")])


class CsvForm(FlaskForm):
    """Upload a CSV of members."""

    csv_file = FileField("CSV file", validators=[FileRequired("Select a CSV file")])


class GroupForm(FlaskForm):
    """Create a group by hand."""

    group_name = StringField(
        "Group name",
        validators=[InputRequired("Enter the group's name"), Length(max=100, message="Name must be 100 characters or fewer")],
    )


class MemberGroupForm(FlaskForm):
    """Put a member in a group."""

    group_id = SelectField("Group", coerce=str)


class ButtonForm(FlaskForm):
    """A button-only form (CSRF token only)."""


class UnavailableForm(FlaskForm):
    """Days a facilitator cannot facilitate."""

    first_day = DateInputField("First day", validators=[InputRequired("Enter the first unavailable day")])
    last_day = DateInputField("Last day", validators=[InputRequired("Enter the last unavailable day")])

    def validate_last_day(self, field: DateInputField) -> None:
        """The range cannot end before it starts."""
        if field.data and self.first_day.data and field.data < self.first_day.data:
            raise ValidationError("The last day must be the same as or after the first day")


class MoveForm(FlaskForm):
    """Move a session to a new date and time."""

    new_date = DateInputField("New date", validators=[InputRequired("Enter the new date")])
    new_time = ClockTimeField("New start time", validators=[InputRequired("Enter the new start time")])
    #: The new start (ISO) whose warnings (weekend, bank holiday, clash) the administrator has seen.
    confirmed = HiddenField()

    def validate_new_date(self, field: DateInputField) -> None:
        """Not in the past."""
        if field.data and field.data < date.today():
            raise ValidationError("The new date must be today or in the future")


class ThemeForm(FlaskForm):
    """Add a theme to the hub's list."""

    theme_name = StringField(
        "New theme",
        validators=[
            InputRequired("Enter the theme"),
            Length(max=100, message="A theme must be 100 characters or fewer"),
            no_patient_identifiers,
        ],
    )


class RetentionForm(FlaskForm):
    """How long the hub keeps facilitators' confidential notes after a programme ends."""

    months = WholeNumberField(
        "Months to keep confidential notes after a programme ends",
        not_a_number="Enter a whole number of months",
        validators=[
            InputRequired("Enter a whole number of months"),
            NumberRange(min=1, max=120, message="Enter a number of months from 1 to 120"),
        ],
        description="Notes are deleted by the daily clean-up once this many months have passed since the programme's end date.",
    )


ATTENDANCE_CHOICES = list(AlsAttendance.STATUSES.items())
REVIEW_CHOICES = [("", "Not reviewed yet"), *AlsAction.REVIEW_OUTCOMES.items()]
#: Action rows offered beyond the presenters' slots.
EXTRA_ACTION_ROWS = 1


def record_form_class(members, themes, review_actions, action_rows: int, viewer_id: int, ground_rules: bool = False):  # type: ignore[no-untyped-def]
    """A record form for one session: its fields depend on the group's members and open actions.

    ``ground_rules``: the set has not recorded its ground rules yet, or recorded them at this
    session, so the form has a field for them.
    """
    member_choices = [(str(u.id), u.name) for u in members]
    theme_choices = [(str(t.id), t.name) for t in themes]

    class RecordForm(FlaskForm):
        """Record what happened at a session."""

        presenters = MultiCheckboxField("Who presented", choices=member_choices, validators=[Optional()])
        themes = MultiCheckboxField("Themes", choices=theme_choices, validators=[Optional()])
        notes = TextAreaField(
            "Session notes",
            description=(
                "Process, themes and learning only – not case details. What is said in the set stays in the set. "
                "Do not include anything that could identify a patient."
            ),
            validators=[InputRequired("Enter the session notes"), Length(max=5000), no_patient_identifiers],
        )

    if ground_rules:
        RecordForm.ground_rules = TextAreaField(
            "Ground rules the set agreed",
            description="Recorded once, usually at the first session; shown on every later record form.",
            validators=[Optional(), Length(max=3000), no_patient_identifiers],
        )
    owners = [("", "Select the presenter")] + [(str(u.id), u.name) for u in members]
    for u in members:
        setattr(
            RecordForm,
            f"attendance_{u.id}",
            RadioField(u.name, choices=ATTENDANCE_CHOICES, validators=[InputRequired(f"Select whether {u.name} attended")]),
        )
    for i in range(action_rows):
        owner = SelectField(f"Action {i + 1}: presenter", choices=owners, coerce=str, default="")
        setattr(RecordForm, f"action_{i}_owner", owner)
        setattr(
            RecordForm,
            f"action_{i}_text",
            TextAreaField(
                f"Action {i + 1}: what they will do",
                validators=[Optional(), Length(max=1000), no_patient_identifiers],
            ),
        )
        setattr(RecordForm, f"action_{i}_shared", BooleanField(f"Action {i + 1}: share with the set"))
    for a in review_actions:
        setattr(
            RecordForm,
            f"review_{a.id}_outcome",
            SelectField("Outcome", choices=REVIEW_CHOICES, coerce=str, default="", validators=[Optional()]),
        )
        setattr(
            RecordForm,
            f"review_{a.id}_reflection",
            TextAreaField("Reflection (optional)", validators=[Optional(), Length(max=1000), no_patient_identifiers]),
        )

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        ok = FlaskForm.validate(self, extra_validators)
        for i in range(action_rows):
            owner, text = self[f"action_{i}_owner"], self[f"action_{i}_text"]
            if (text.data or "").strip() and not owner.data:
                owner.errors = [*owner.errors, f"Select who chose action {i + 1}"]
                ok = False
            if owner.data and not (text.data or "").strip():
                text.errors = [*text.errors, f"Enter action {i + 1}, or leave the presenter unselected"]
                ok = False
            if owner.data and self.presenters.data is not None and owner.data not in self.presenters.data:
                owner.errors = [*owner.errors, f"Action {i + 1} belongs to someone who did not present: tick them as a presenter"]
                ok = False
        return ok

    RecordForm.validate = validate
    return RecordForm


class ParticipationForm(FlaskForm):
    """Bid for time or send apologies: the button says what the member wants, so a second click changes nothing."""

    wanted = StringField("Wanted", validators=[AnyOf(("yes", "no"), message="Choose what you want to do")])
