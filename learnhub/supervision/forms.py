"""Forms for the staff list, assigning supervisors, logging sessions and the hub cap."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DecimalField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from learnhub.formfields import DateInputField, WholeNumberField
from learnhub.supervision.rules import STAFF_ROLES


class StaffForm(FlaskForm):
    """One ARRS staff member (practice choices are set by the view)."""

    name = StringField("Name", validators=[InputRequired("Enter the staff member's name"), Length(max=200)])
    role = SelectField(
        "ARRS role", choices=[("", "Select a role"), *STAFF_ROLES], validators=[InputRequired("Select an ARRS role")]
    )
    practice_id = SelectField("Practice", coerce=int, validators=[Optional()])
    start_date = DateInputField("Start date", validators=[InputRequired("Enter the start date")])
    hours_per_week = DecimalField(
        "Hours per week",
        places=1,
        validators=[Optional(), NumberRange(min=0.5, max=80, message="Enter hours per week from 0.5 to 80")],
    )
    email = EmailField(
        "Email of their LearnHub account (optional)",
        description="Leave empty for staff without an account; they are listed by name.",
        validators=[Optional(), Email("Enter an email address in the right format, like name@example.nhs.uk"), Length(max=254)],
    )
    line_manager_email = EmailField(
        "Line manager's email (optional)",
        description="Nobody may supervise their own line manager.",
        validators=[Optional(), Email("Enter an email address in the right format, like name@example.nhs.uk"), Length(max=254)],
    )


class ImportStaffForm(FlaskForm):
    """Upload a CSV of ARRS staff."""

    csv_file = FileField(
        "CSV file",
        validators=[FileRequired("Select a CSV file"), FileAllowed(["csv"], "The selected file must be a CSV")],
        description="Columns: name, role, start date (2026-04-01); optional: email, practice, hours, pcn, line manager email.",
    )


class AssignForm(FlaskForm):
    """Name a supervisor (choices are the valid people, set by the view)."""

    supervisor_id = RadioField("Supervisor", coerce=int, validators=[InputRequired("Select a supervisor")])
    start_date = DateInputField("Start date", validators=[InputRequired("Enter the start date")])
    end_date = DateInputField("End date (optional)", validators=[Optional()])


class LogForm(FlaskForm):
    """Record that a session happened."""

    session_date = DateInputField("Date of the session", validators=[InputRequired("Enter the date of the session")])
    minutes = WholeNumberField(
        "Length in minutes",
        validators=[
            InputRequired("Enter the length in minutes"),
            NumberRange(min=1, max=600, message="Enter the length in minutes, from 1 to 600"),
        ],
    )
    note = TextAreaField(
        "Note (optional)",
        description="No clinical content and nothing that could identify a patient.",
        validators=[Optional(), Length(max=1000)],
    )


class CapForm(FlaskForm):
    """The hub's cap on one-to-one supervisees per supervisor."""

    cap = WholeNumberField(
        "Most supervisees per supervisor",
        validators=[InputRequired("Enter the cap"), NumberRange(min=1, max=50, message="Enter a cap from 1 to 50")],
    )
