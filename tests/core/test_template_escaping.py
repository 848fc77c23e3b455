"""Every template escapes what it prints, the NHS.UK frontend's ``.jinja`` macros included.

Flask escapes only ``.html``-like template names; the NHS.UK macros are ``.jinja`` files, so a
name or title given as a macro's ``text`` (a flash message, a form error, a back link, a card)
used to be printed as raw HTML. The sweep calls every component macro the package ships with
a script tag in each text-like parameter.
"""

import os
import re

import nhsuk_frontend_jinja
import pytest

PAYLOAD = "<script>alert(1)</script>"
COMPONENTS = os.path.join(os.path.dirname(nhsuk_frontend_jinja.__file__), "templates", "nhsuk", "components")


def _text_params() -> dict:
    text = {"text": PAYLOAD}
    return {
        "text": PAYLOAD,
        "heading": PAYLOAD,
        "titleText": PAYLOAD,
        "href": "/",
        "name": "x",
        "id": "x",
        "label": text,
        "hint": text,
        "legend": text,
        "errorMessage": text,
        "items": [{"text": PAYLOAD, "value": "1", "href": "/"}],
        "rows": [{"key": text, "value": text}],
    }


def test_every_nhsuk_component_escapes_its_text_parameters(app):
    escaped, raw = [], []
    with app.test_request_context():
        for component in sorted(os.listdir(COMPONENTS)):
            with open(os.path.join(COMPONENTS, component, "macro.jinja"), encoding="utf-8") as file:
                source = file.read()
            macro = re.search(r"macro (\w+)\(", source).group(1)
            template = app.jinja_env.from_string(
                f'{{% from "nhsuk/components/{component}/macro.jinja" import {macro} %}}{{{{ {macro}(params) }}}}'
            )
            html = template.render(params=_text_params())
            if PAYLOAD in html:
                raw.append(component)
            elif "&lt;script&gt;" in html:
                escaped.append(component)
    assert raw == []
    assert len(escaped) >= 30  # the sweep really reached the components' text output


@pytest.mark.parametrize(
    ("name", "escaped"),
    [("mail/body.txt", False), ("calendar.ics", False), ("page.html", True), ("macro.jinja", True), (None, True)],
)
def test_only_plain_text_and_calendar_templates_are_unescaped(app, name, escaped):
    assert app.jinja_env.autoescape(name) is escaped
