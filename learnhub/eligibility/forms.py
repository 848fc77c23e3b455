"""Forms for eligibility declarations and PCN-lead access to the register."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField, ValidationError
from wtforms.validators import InputRequired, NumberRange

from learnhub.eligibility.rules import ELIGIBILITY_CHOICES
from learnhub.formfields import WholeNumberField


class DeclarationForm(FlaskForm):
    """Declare an eligibility a course grants."""

    eligibility_type = SelectField(
        "Eligibility this course grants",
        choices=[("", "Select an eligibility")] + ELIGIBILITY_CHOICES,
        validators=[InputRequired("Select the eligibility this course grants")],
    )
    validity_months = WholeNumberField(
        "How long it lasts, in months",
        description="For example, 36 for 3 years",
        validators=[
            InputRequired("Enter how long the eligibility lasts, in months"),
            NumberRange(min=1, max=120, message="Enter a number of months from 1 to 120"),
        ],
    )
    renewal_window_days = WholeNumberField(
        "Renewal opens this many days before expiry",
        default=90,
        validators=[
            InputRequired("Enter how many days before expiry renewal opens"),
            NumberRange(min=0, max=365, message="Enter a number of days from 0 to 365"),
        ],
    )

    def validate_eligibility_type(self, field: SelectField) -> None:
        """Only known eligibility types."""
        if field.data not in dict(ELIGIBILITY_CHOICES):
            raise ValidationError("Select the eligibility this course grants")

    def validate_renewal_window_days(self, field: IntegerField) -> None:
        """The window must open after the eligibility starts."""
        months = self.validity_months.data
        if isinstance(months, int) and isinstance(field.data, int) and field.data >= months * 28:
            raise ValidationError("The renewal window must be shorter than the time the eligibility lasts")


class PcnLeadForm(FlaskForm):
    """The PCNs of the hub a person leads (choices are set by the view); none removes the access."""

    pcn_ids = SelectMultipleField(
        "PCNs this person leads",
        coerce=int,
        description="They will see the supervisor eligibility register for these PCNs only, and cannot change it. "
        "Untick every PCN to remove the access.",
    )
