"""Forms for verifying, revoking and re-issuing certificates, one at a time or for a cohort."""

from flask_wtf import FlaskForm
from wtforms import Form, HiddenField, StringField, TextAreaField, ValidationError
from wtforms.validators import AnyOf, InputRequired, Length

from learnhub.certificates.codes import CodeProblem, normalise_code


class VerifyForm(Form):
    """Type a verification code (a GET form: looking a code up changes nothing)."""

    code = StringField("Verification code", description="It is printed on the certificate, for example 7KQ2-M9XD-4TRA-B0CE")

    def validate_code(self, field: StringField) -> None:
        """The code must have the right characters and length."""
        try:
            field.data = normalise_code(field.data or "")
        except CodeProblem as problem:
            raise ValidationError(str(problem)) from problem


class RevokeForm(FlaskForm):
    """Revoke a certificate."""

    reason = TextAreaField(
        "Reason for revoking",
        validators=[
            InputRequired("Enter the reason for revoking this certificate"),
            Length(max=2000, message="Reason must be 2000 characters or fewer"),
        ],
        description="The reason is shown on the public verify page",
    )


class ReinstateForm(FlaskForm):
    """Undo a revocation made in error."""

    reason = TextAreaField(
        "Reason for reinstating",
        validators=[
            InputRequired("Enter the reason for reinstating this certificate"),
            Length(max=2000, message="Reason must be 2000 characters or fewer"),
        ],
        description="For example, revoked in error: the attendance was correct. The reason is shown on the public verify page",
    )


class ReissueForm(FlaskForm):
    """Re-issue a certificate, usually after correcting the holder's name."""

    holder_name = StringField(
        "Name to print on the certificate",
        validators=[
            InputRequired("Enter the name to print on the certificate"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )


class CohortJobForm(FlaskForm):
    """Issue or re-issue the certificates of a cohort (a button; what to do is a hidden field)."""

    kind = HiddenField(validators=[AnyOf(["issue", "reissue"], message="Choose whether to issue or re-issue certificates")])


class JobActionForm(FlaskForm):
    """Resume or cancel a bulk job (a button: the form carries only its CSRF token)."""
