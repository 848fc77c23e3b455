"""Form fields with error messages in the NHS.UK style."""

import re
from datetime import date, datetime, time

from wtforms import Field, IntegerField
from wtforms.utils import unset_value
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


class ClockTimeField(Field):
    """A time of day typed as "14:30" on the 24-hour clock, in a plain text input.

    The browser's own time input shows "02:30 PM" or "14:30" depending on the browser's
    language; this field is a text box with a hint, read the same way as the time box of
    :class:`DateTimeInputField` ("14.30" is read as 14:30). ``data`` is a ``datetime.time``.
    """

    HINT = "Use the 24-hour clock, for example 14:30"
    MESSAGE = "Enter the time as hours and minutes on the 24-hour clock, for example 14:30"

    def __init__(self, label=None, validators=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("description", self.HINT)
        super().__init__(label, validators, **kwargs)
        self.raw = ""

    def process_formdata(self, valuelist: list) -> None:
        self.raw = (valuelist[0] if valuelist else "").strip()
        if not self.raw:
            self.data = None
            return
        match = re.fullmatch(r"(\d{1,2})[:.](\d{2})", self.raw)
        if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            self.data = None
            raise ValueError(self.MESSAGE)
        self.data = time(int(match.group(1)), int(match.group(2)))

    def pre_validate(self, form) -> None:  # type: ignore[no-untyped-def]
        if self.process_errors:  # "Enter the start time" would only repeat the format message
            raise StopValidation()

    def _value(self) -> str:
        if self.raw:
            return self.raw
        return self.data.strftime("%H:%M") if isinstance(self.data, time) else ""


class DateInputField(Field):
    """A date typed as day, month and year (the NHS.UK date input), with NHS.UK error messages.

    The browser's own date picker shows a format that depends on the browser's language and
    accepts years such as 22026; this field reads ``<name>-day``, ``<name>-month`` and
    ``<name>-year`` and says what is wrong in words ("Start date must include a month",
    "Year must include 4 numbers", "Start date must be a real date"). Put ``InputRequired``
    (with an "Enter …" message) or ``Optional`` in the validators as for any field. A single
    ``YYYY-MM-DD`` value posted under the field's own name is read too (scripts, older forms),
    with the same checks.

    :param what: how messages name the date, when the label does not read well in a
        sentence ("Opens on" → ``what="The opening date"``). Defaults to the label.
    """

    #: The inputs, in order; ``DATE_PARTS`` are the ones that make the date.
    PARTS: tuple[str, ...] = ("day", "month", "year")
    DATE_PARTS = ("day", "month", "year")
    #: The hint shown under the legend unless another is given.
    HINT = "For example, 15 3 2027"

    def __init__(self, label=None, validators=None, *, what: str | None = None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("description", self.HINT)
        super().__init__(label, validators, **kwargs)
        self.what = what
        #: What was typed, to show again with the error (None: nothing was submitted).
        self.typed: dict[str, str] | None = None
        #: The inputs to highlight (all of them when the date as a whole is wrong).
        self.error_parts: tuple[str, ...] = ()

    def _name_for(self, part: str) -> str:
        return f"{self.name}-{part}"

    @property
    def parts(self) -> dict[str, str]:
        """What the inputs show: what was typed, else the field's value."""
        if self.typed is not None:
            return self.typed
        return self._parts_of(self.data)

    def _parts_of(self, value: object) -> dict[str, str]:
        if isinstance(value, date):
            return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        return dict.fromkeys(self.PARTS, "")

    @property
    def subject(self) -> str:
        return self.what or self.label.text

    def process(self, formdata, data=unset_value, extra_filters=None) -> None:  # type: ignore[no-untyped-def]
        self.process_errors = []
        if data is unset_value:
            try:
                data = self.default()
            except TypeError:
                data = self.default
        self.object_data = data
        self.data = data
        if formdata is None:
            return
        if not any(self._name_for(p) in formdata for p in self.PARTS):
            if self.name not in formdata:
                return  # not in this submission at all (another form on the page)
            typed = self._split_iso((formdata.get(self.name) or "").strip())
            if typed is None:
                self.raw_data, self.data = [formdata.get(self.name)], None
                self.error_parts = self.PARTS
                self.process_errors.append(f"{self.subject} must be a real date")
                return
        else:
            typed = {part: (formdata.get(self._name_for(part)) or "").strip() for part in self.PARTS}
        self.typed = typed
        self.raw_data = [" ".join(v for v in typed.values() if v)] if any(typed.values()) else []
        self.data = None
        try:
            self.data = self._parse(typed)
        except ValueError as error:
            self.process_errors.append(str(error))

    def _split_iso(self, value: str) -> dict[str, str] | None:
        """One ``YYYY-MM-DD`` value under the field's own name (a script, an old bookmark)."""
        match = re.fullmatch(r"(\d+)-(\d+)-(\d+)", value)
        if not value:
            return dict.fromkeys(self.PARTS, "")
        if match is None:
            return None
        year, month, day = match.groups()
        return {"day": day, "month": month, "year": year}

    def _parse(self, typed: dict[str, str]) -> date | None:
        if not any(typed.values()):
            return None
        missing = [p for p in self.DATE_PARTS if not typed[p]]
        if missing:
            self.error_parts = tuple(missing)
            words = " and ".join(missing) if len(missing) < 3 else "a day, month and year"
            raise ValueError(f"{self.subject} must include a {words}")
        not_numbers = [p for p in self.DATE_PARTS if not typed[p].isdigit()]
        if not_numbers:
            self.error_parts = tuple(not_numbers)
            raise ValueError(f"{self.subject} must be a real date")
        if len(typed["year"]) != 4:
            self.error_parts = ("year",)
            raise ValueError("Year must include 4 numbers")
        try:
            return date(int(typed["year"]), int(typed["month"]), int(typed["day"]))
        except ValueError:
            self.error_parts = self.DATE_PARTS
            raise ValueError(f"{self.subject} must be a real date") from None

    def pre_validate(self, form) -> None:  # type: ignore[no-untyped-def]
        if self.process_errors:  # one message is enough
            raise StopValidation()

    def post_validate(self, form, validation_stopped: bool) -> None:  # type: ignore[no-untyped-def]
        if self.errors and not self.error_parts:
            self.error_parts = self.PARTS  # a rule about the whole date ("must be after …")

    def _value(self) -> str:
        return " ".join(self.parts.values()).strip()


class DateTimeInputField(DateInputField):
    """A date (day, month, year) and a time of day ("14:30") typed in four boxes.

    ``data`` is a naive ``datetime`` (the form decides its time zone), as with WTForms'
    ``DateTimeLocalField``; a single ``YYYY-MM-DDTHH:MM`` value under the field's own name is
    read too.
    """

    PARTS = ("day", "month", "year", "time")
    HINT = "For example, 15 3 2027 and 14:30"

    def _parts_of(self, value: object) -> dict[str, str]:
        parts = super()._parts_of(value)
        parts["time"] = value.strftime("%H:%M") if isinstance(value, datetime) else ""
        return parts

    def _split_iso(self, value: str) -> dict[str, str] | None:
        day, _, clock = value.partition("T")
        parts = super()._split_iso(day)
        if parts is not None:
            parts["time"] = clock[:5]
        return parts

    def _parse(self, typed: dict[str, str]) -> datetime | None:  # type: ignore[override]
        if not any(typed.values()):
            return None
        if not any(typed[p] for p in self.DATE_PARTS):
            self.error_parts = self.DATE_PARTS
            raise ValueError(f"{self.subject} must include a day, month and year")
        day = super()._parse({p: typed[p] for p in self.DATE_PARTS})
        clock = typed["time"].replace(".", ":")
        if not clock:
            self.error_parts = ("time",)
            raise ValueError(f"{self.subject} must include a time")
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", clock)
        if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            self.error_parts = ("time",)
            raise ValueError("Enter the time as hours and minutes on the 24-hour clock, for example 14:30")
        return datetime(day.year, day.month, day.day, int(match.group(1)), int(match.group(2)))
