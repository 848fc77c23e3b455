"""Forms for hubs, PCNs, practices and managing hub users."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy import func, select
from wtforms import BooleanField, EmailField, Form, RadioField, SelectField, StringField, ValidationError
from wtforms.validators import Email, InputRequired, Length, Optional

from learnhub.accounts.forms import ROLE_CHOICES, email_taken, normalise_email
from learnhub.extensions import db
from learnhub.formfields import DateInputField
from learnhub.organisations.models import Hub
from learnhub.roles import HUB_ROLE_LABELS, PROFESSIONAL_ROLES

PERMISSION_CHOICES = [(role.value, label) for role, label in HUB_ROLE_LABELS.items()]


class HubForm(FlaskForm):
    """Create a training hub."""

    name = StringField(
        "Hub name",
        validators=[InputRequired("Enter the hub's name"), Length(max=200, message="Hub name must be 200 characters or fewer")],
    )
    signatory = StringField(
        "Certificate signatory",
        validators=[Optional(), Length(max=200)],
        description="Name and title of the person who signs certificates, for example 'Dr A Khan, Clinical Lead'",
    )

    def validate_name(self, field: StringField) -> None:
        """Hub names are unique."""
        name = (field.data or "").strip()
        if db.session.scalar(select(func.count()).select_from(Hub).where(func.lower(Hub.name) == name.lower())):
            raise ValidationError("A hub with this name already exists")


class PcnForm(FlaskForm):
    """Add a PCN to the hub."""

    pcn_name = StringField(
        "PCN name",
        validators=[InputRequired("Enter the PCN's name"), Length(max=200, message="PCN name must be 200 characters or fewer")],
    )


class PracticeForm(FlaskForm):
    """Add a practice to a PCN."""

    practice_name = StringField(
        "Practice name",
        validators=[
            InputRequired("Enter the practice's name"),
            Length(max=200, message="Practice name must be 200 characters or fewer"),
        ],
    )
    ods_code = StringField(
        "ODS code (optional)",
        validators=[Optional(), Length(max=10, message="ODS code must be 10 characters or fewer")],
        description="For example, Y01234",
    )
    pcn_id = SelectField("PCN", coerce=str, validators=[InputRequired("Select the practice's PCN")])


class InviteForm(FlaskForm):
    """Invite someone to the hub by email."""

    name = StringField(
        "Full name",
        validators=[InputRequired("Enter their full name"), Length(max=200, message="Full name must be 200 characters or fewer")],
    )
    email = EmailField(
        "Email address",
        filters=[normalise_email],
        validators=[
            InputRequired("Enter their email address"),
            Email("Enter an email address in the correct format, like name@example.nhs.uk", check_deliverability=False),
        ],
    )
    professional_role = SelectField(
        "Professional role", choices=ROLE_CHOICES, validators=[InputRequired("Select their professional role")]
    )
    hub_role = RadioField(
        "Permission", choices=PERMISSION_CHOICES, default="learner", validators=[InputRequired("Select a permission")]
    )

    def validate_email(self, field: EmailField) -> None:
        """One account per email address."""
        if field.data and email_taken(field.data):
            raise ValidationError("An account with this email address already exists")

    def validate_professional_role(self, field: SelectField) -> None:
        """The role must be one of ours."""
        if field.data not in PROFESSIONAL_ROLES:
            raise ValidationError("Select their professional role")


class ImportForm(FlaskForm):
    """Upload a CSV of people to invite."""

    csv_file = FileField(
        "CSV file",
        validators=[FileRequired("Select a CSV file"), FileAllowed(["csv"], "The selected file must be a CSV")],
        description="Columns: name, email, professional_role, pcn, practice, permission. Only name and email are required.",
    )


class PermissionForm(FlaskForm):
    """Change a user's permission in the hub."""

    hub_role = RadioField("Permission", choices=PERMISSION_CHOICES, validators=[InputRequired("Select a permission")])


class ActiveForm(FlaskForm):
    """Deactivate or reactivate an account (a button; the action is in the URL)."""


class EraseForm(FlaskForm):
    """Confirm the erasure of one person's personal data."""

    confirm = BooleanField(
        "I understand that this person's personal data will be erased and that this cannot be undone",
        validators=[InputRequired("Confirm that you understand the erasure cannot be undone")],
    )


class FindPersonForm(FlaskForm):
    """Site administrators: find the person to erase by their email address."""

    email = EmailField(
        "Email address of the person",
        validators=[
            InputRequired("Enter the email address of the person whose data is to be erased"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )


class AuditFilterForm(Form):
    """The audit log's date filter (a GET form: no CSRF token)."""

    date_from = DateInputField("Date from", validators=[Optional()])
    date_to = DateInputField("Date to", validators=[Optional()])

    def validate_date_to(self, field: DateInputField) -> None:
        """The range cannot end before it starts."""
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("Date to must be the same as or after date from")
