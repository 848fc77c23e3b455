"""Form fields with error messages in the NHS.UK style."""

from wtforms import IntegerField
from wtforms.validators import StopValidation


class WholeNumberField(IntegerField):
    """An IntegerField that says "Enter a whole number…" instead of "Not a valid integer value"."""

    def __init__(self, *args, not_a_number: str = "Enter a whole number", **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.not_a_number = not_a_number

    def process_formdata(self, valuelist: list) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(self.not_a_number) from None

    def pre_validate(self, form) -> None:  # type: ignore[no-untyped-def]
        if self.process_errors:  # one message is enough: skip the range check of a non-number
            raise StopValidation()
