"""Account forms. Error messages follow the NHS.UK style guide."""

from flask import current_app
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import EmailField, PasswordField, SelectField, StringField, ValidationError
from wtforms.validators import Email, InputRequired, Length, Optional

from learnhub.accounts.models import User
from learnhub.extensions import db
from learnhub.passwords import password_problem
from learnhub.roles import PROFESSIONAL_ROLES, REGISTRATION_BODIES, registration_number_problem

ROLE_CHOICES = [("", "Select your professional role")] + list(PROFESSIONAL_ROLES.items())
BODY_CHOICES = [("", "None")] + [(code, f"{code} – {name}") for code, (name, *_) in REGISTRATION_BODIES.items()]


def normalise_email(value: str | None) -> str | None:
    """Emails are compared case-insensitively and without surrounding spaces."""
    return value.strip().lower() if value else value


def email_taken(email: str) -> bool:
    """True if an account already uses this email."""
    return db.session.scalar(select(func.count()).select_from(User).where(User.email == email)) > 0


class EmailPasswordRules:
    """Shared validation of a new password against the NCSC rules."""

    def check_new_password(self, password: str, email: str | None, name: str | None) -> None:
        """Raise a ValidationError describing what is wrong with the password."""
        problem = password_problem(
            password,
            min_length=int(current_app.config["PASSWORD_MIN_LENGTH"]),
            personal=tuple(p for p in (email, name) if p),
        )
        if problem:
            raise ValidationError(problem)


class RegisterForm(FlaskForm, EmailPasswordRules):
    """Create an account."""

    name = StringField(
        "Full name",
        validators=[InputRequired("Enter your full name"), Length(max=200, message="Full name must be 200 characters or fewer")],
        description="As it should appear on your certificates",
    )
    email = EmailField(
        "Email address",
        filters=[normalise_email],
        validators=[
            InputRequired("Enter your email address"),
            Email("Enter an email address in the correct format, like name@example.nhs.uk", check_deliverability=False),
            Length(max=254),
        ],
    )
    password = PasswordField(
        "Create a password",
        validators=[InputRequired("Create a password")],
        description="Use 12 characters or more. Three random words together work well, like 'bluesofakettle'.",
    )
    professional_role = SelectField(
        "Professional role", choices=ROLE_CHOICES, validators=[InputRequired("Select your professional role")]
    )
    hub_id = SelectField("Training hub", coerce=str, validators=[InputRequired("Select your training hub")])

    # No "this email already has an account" error: that would tell anyone who has an account.
    # services.register emails the address's owner instead.

    def validate_password(self, field: PasswordField) -> None:
        """Apply the password rules."""
        self.check_new_password(field.data or "", self.email.data, self.name.data)

    def validate_professional_role(self, field: SelectField) -> None:
        """The role must be one of ours."""
        if field.data not in PROFESSIONAL_ROLES:
            raise ValidationError("Select your professional role")


class LoginForm(FlaskForm):
    """Sign in."""

    email = EmailField("Email address", filters=[normalise_email], validators=[InputRequired("Enter your email address")])
    password = PasswordField("Password", validators=[InputRequired("Enter your password")])


class ForgotPasswordForm(FlaskForm):
    """Ask for a password reset link."""

    email = EmailField(
        "Email address",
        filters=[normalise_email],
        validators=[
            InputRequired("Enter your email address"),
            Email("Enter an email address in the correct format, like name@example.nhs.uk", check_deliverability=False),
        ],
    )


class SetPasswordForm(FlaskForm, EmailPasswordRules):
    """Choose a new password from a reset or invitation link."""

    password = PasswordField(
        "New password",
        validators=[InputRequired("Enter a new password")],
        description="Use 12 characters or more. Three random words together work well.",
    )

    def __init__(self, *args, user: User | None = None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_password(self, field: PasswordField) -> None:
        """Apply the password rules."""
        user = self.user
        self.check_new_password(field.data or "", user.email if user else None, user.name if user else None)


class ChangePasswordForm(SetPasswordForm):
    """Change password when signed in."""

    current_password = PasswordField("Current password", validators=[InputRequired("Enter your current password")])

    def validate_current_password(self, field: PasswordField) -> None:
        """The current password must be right."""
        if not self.user or not self.user.check_password(field.data or ""):
            raise ValidationError("Your current password is not correct")


class ProfileForm(FlaskForm):
    """Edit your own profile."""

    name = StringField(
        "Full name",
        validators=[InputRequired("Enter your full name"), Length(max=200, message="Full name must be 200 characters or fewer")],
        description="As it should appear on your certificates",
    )
    professional_role = SelectField(
        "Professional role", choices=ROLE_CHOICES, validators=[InputRequired("Select your professional role")]
    )
    registration_body = SelectField("Professional registration", choices=BODY_CHOICES, validators=[Optional()])
    registration_number = StringField(
        "Registration number", validators=[Optional(), Length(max=20)], description="For example, a 7-digit GMC number"
    )
    hub_id = SelectField("Training hub", coerce=str, validators=[Optional()])
    pcn_id = SelectField("Primary care network (PCN)", coerce=str, validators=[Optional()])
    practice_id = SelectField("Practice", coerce=str, validators=[Optional()])

    def validate_professional_role(self, field: SelectField) -> None:
        """The role must be one of ours."""
        if field.data not in PROFESSIONAL_ROLES:
            raise ValidationError("Select your professional role")

    def validate_registration_number(self, field: StringField) -> None:
        """A number needs a body, and must look like that body's numbers."""
        body = self.registration_body.data
        if body and not field.data:
            raise ValidationError("Enter your registration number, or choose 'None' for registration")
        if field.data and not body:
            raise ValidationError("Select the body you are registered with")
        if body and field.data:
            problem = registration_number_problem(body, field.data)
            if problem:
                raise ValidationError(problem)


class DownloadDataForm(FlaskForm):
    """The "Download my data" button (a CSRF token and nothing else)."""
