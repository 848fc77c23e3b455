"""Render WTForms fields through the NHS.UK frontend Jinja macros.

``nhsuk_field(field, **options)`` returns the name of the NHS.UK component and the params
dict that component's macro expects; ``templates/macros/forms.html`` calls the macro.
"""

from typing import Any

from markupsafe import Markup
from wtforms import Field, Form


def _error(field: Field) -> dict[str, str] | None:
    return {"text": field.errors[0]} if field.errors else None


def _choices(field: Field, checked_key: str) -> list[dict[str, Any]]:
    """Items for select, radios and checkboxes, with the current value marked."""
    items = []
    for value, label, selected, *_ in field.iter_choices():
        item = {"value": value, "text": label, checked_key: bool(selected)}
        items.append(item)
    return items


def nhsuk_field(field: Field, **options: Any) -> tuple[str, dict[str, Any]]:
    """Map a WTForms field onto an NHS.UK component name and its params."""
    label_text = options.pop("label", None) or field.label.text
    hint = options.pop("hint", None) or field.description or None
    classes = options.pop("classes", None)
    label_classes = options.pop("label_classes", None)
    extra_attrs = options.pop("attributes", None) or {}
    if field.flags.required:
        extra_attrs.setdefault("aria-required", "true")
    common: dict[str, Any] = {
        "id": field.id,
        "name": field.name,
        "errorMessage": _error(field),
        "hint": {"text": hint} if hint else None,
        "disabled": bool((field.render_kw or {}).get("disabled")),
    }
    kind = field.type
    if kind in {"RadioField", "SelectMultipleField", "MultiCheckboxField", "BooleanField"}:
        # The first input takes the id (idPrefix); the container must not repeat it.
        common.pop("id")
    if kind in {"RadioField"}:
        return "radios", {
            **common,
            "idPrefix": field.id,
            "fieldset": {"legend": {"text": label_text, "classes": label_classes or "nhsuk-fieldset__legend--s"}},
            "items": _choices(field, "checked"),
            "classes": classes,
        }
    if kind in {"SelectMultipleField", "MultiCheckboxField"}:
        return "checkboxes", {
            **common,
            "idPrefix": field.id,
            "fieldset": {"legend": {"text": label_text, "classes": label_classes or "nhsuk-fieldset__legend--s"}},
            "items": _choices(field, "checked"),
            "classes": classes,
        }
    if kind == "BooleanField":
        return "checkboxes", {
            **common,
            "idPrefix": field.id,
            "items": [{"value": "y", "text": label_text, "checked": bool(field.data)}],
            "classes": classes,
        }
    if kind in {"DateInputField", "DateTimeInputField"}:
        return "date", {
            "id": field.id,
            "errorMessage": _error(field),
            "hint": {"text": hint} if hint else None,
            "fieldset": {"legend": {"text": label_text, "classes": label_classes or "nhsuk-fieldset__legend--s"}},
            "items": [
                {
                    "id": f"{field.id}-{part}",
                    "name": f"{field.name}-{part}",
                    "label": part.capitalize(),
                    "value": field.parts.get(part, ""),
                    "width": {"year": 4, "time": 5}.get(part, 2),
                    "inputmode": "text" if part == "time" else "numeric",
                    "error": part in field.error_parts,
                }
                for part in field.PARTS
            ],
            "classes": classes,
        }
    label = {"text": label_text, "classes": label_classes}
    if kind == "SelectField":
        return "select", {**common, "label": label, "items": _choices(field, "selected"), "classes": classes}
    if kind == "TextAreaField":
        return "textarea", {
            **common,
            "label": label,
            "value": field._value(),
            "rows": options.pop("rows", 5),
            "classes": classes,
            "attributes": extra_attrs,
        }
    if kind == "PasswordField":
        return "password", {
            **common,
            "label": label,
            "autocomplete": options.pop("autocomplete", "current-password"),
            "classes": classes,
            "attributes": extra_attrs,
        }
    if kind == "FileField" or kind == "MultipleFileField":
        return "file", {**common, "label": label, "classes": classes, "attributes": extra_attrs}
    input_type = options.pop("type", None) or {
        "EmailField": "email",
        "IntegerField": "number",
        "DecimalField": "number",
        "DateField": "date",
        "DateTimeLocalField": "datetime-local",
        "TimeField": "time",
        "URLField": "url",
        "TelField": "tel",
    }.get(kind, "text")
    params = {
        **common,
        "label": label,
        "type": input_type,
        "value": field._value(),
        "classes": classes,
        "attributes": extra_attrs,
    }
    for key in ("autocomplete", "spellcheck", "inputmode", "width"):
        if key in options:
            params[key] = options.pop(key)
    if kind == "ClockTimeField":
        params["classes"] = classes or "nhsuk-input--width-5"
        params["spellcheck"] = False
    if input_type == "number":
        params["type"] = "text"
        params.setdefault("inputmode", "numeric")
    return "input", params


def _first_input_id(field: Field) -> str:
    """The input an error summary link focuses: the first wrong part of a date."""
    if field.type in {"DateInputField", "DateTimeInputField"}:
        parts = [p for p in field.PARTS if p in field.error_parts] or list(field.PARTS)
        return f"{field.id}-{parts[0]}"
    return field.id


def error_list(form: Form, name_fields: bool = False) -> list[dict[str, str]]:
    """Errors for the NHS.UK error summary, each linking to its field.

    :param name_fields: add the field's label to a message that does not name it, for forms
        whose fields share one message (a survey's "Select an answer" on every question):
        "Select an answer for 'How confident are you…'".
    """
    errors = []
    for field in form:
        for message in field.errors:
            if isinstance(message, dict):  # FieldList / FormField errors
                continue
            text = message
            label = field.label.text if field.label else ""
            if name_fields and label and label.lower() not in message.lower():
                text = f"{message} for '{label}'"
            errors.append({"text": text, "href": f"#{_first_input_id(field)}"})
    return errors


def hidden_fields(form: Form) -> Markup:
    """The CSRF token and any hidden inputs of a form.

    A form that posts (it carries a CSRF token) also gets a value unique to this rendering
    (:data:`learnhub.submissions.RENDER_FIELD`): the double-submit guard joins two clicks on
    the same rendered form, never two separate fillings of it (the CSRF token alone is the same
    for every rendering within one second).
    """
    from learnhub.submissions import render_marker

    hidden = [f() for f in form if f.type in {"HiddenField", "CSRFTokenField"}]
    if any(f.type == "CSRFTokenField" for f in form):
        hidden.append(render_marker())
    return Markup("").join(hidden)
