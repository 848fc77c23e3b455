"""Accessibility that an NHS audit checks beyond axe: the statement, consistent help, names,
page titles, errors that look like errors, and dates typed as day, month and year."""

import re

import pytest
from flask import flash, render_template
from sqlalchemy import select

from learnhub.extensions import db
from tests.courses.conftest import hub_setup, make_course  # noqa: F401
from tests.helpers import assert_redirect


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_accessibility_statement_follows_the_model_with_the_configured_contact(make_app):
    app = make_app(
        HUB_CONTACT_NAME="North Lakes Training Hub",
        HUB_CONTACT_EMAIL="help@northlakes.example.nhs.uk",
        HUB_CONTACT_PHONE="01234 567890",
        HUB_CONTACT_HOURS="Monday to Friday, 9am to 5pm",
        HUB_CONTACT_RESPONSE_DAYS=3,
        ACCESSIBILITY_STATEMENT_PREPARED="1 December 2026",
    )
    text = _text(app.test_client().get("/accessibility").get_data(as_text=True))
    for needed in (
        "This service is run by North Lakes Training Hub",
        "partially compliant with the Web Content Accessibility Guidelines version 2.2 AA standard",
        "Non-accessible content",
        "help@northlakes.example.nhs.uk",
        "01234 567890 (Monday to Friday, 9am to 5pm)",
        "We will reply within 3 working days",
        "Equality and Human Rights Commission (EHRC)",
        "Equality Commission for Northern Ireland (ECNI)",
        "This statement was prepared on 1 December 2026",
        "last tested on",
    ):
        assert needed in text, needed


def test_without_contact_details_help_points_at_the_hubs_administrators(client):
    text = _text(client.get("/contact").get_data(as_text=True))
    assert "Contact the administrators of your training hub" in text
    assert "Help and contact" in text


def test_every_page_has_the_same_help_link_in_the_footer_and_no_raw_json_link(client, auth, make_hub, make_user):
    admin = make_user(hub_id=make_hub(), hub_role="hub_admin")
    pages = ["/", "/accessibility", "/privacy", "/account/sign-in"]
    for path in pages:
        html = client.get(path).get_data(as_text=True)
        footer = html[html.index("<footer") :]
        assert 'href="/contact"' in footer, path
        assert "Help and contact" in footer, path
        assert "/healthz" not in html, path
        assert '<html lang="en-GB"' in html, path
    auth.login_as(admin)
    footer = client.get("/hub").get_data(as_text=True)
    assert 'href="/contact"' in footer[footer.index("<footer") :]


def test_back_link_is_inside_main(client, auth, make_hub, make_user):
    admin = make_user(hub_id=make_hub(), hub_role="hub_admin")
    auth.login_as(admin)
    html = client.get("/hub/certificates/bulk").get_data(as_text=True)
    assert "nhsuk-back-link" in html
    assert html.index("<main") < html.index("nhsuk-back-link")


def test_hub_page_links_named_courses_go_to_one_place(client, auth, make_hub, make_user):
    admin = make_user(hub_id=make_hub(), hub_role="hub_admin")
    auth.login_as(admin)
    html = client.get("/hub").get_data(as_text=True)
    targets = {href for href, name in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>(.*?)</a>', html, re.S) if _text(name) == "Courses"}
    assert len(targets) == 1
    assert "Manage courses" in html


def test_move_buttons_name_the_module(client, auth, hub_setup, app):  # noqa: F811
    from learnhub.courses.models import Module

    auth.login_as(hub_setup.admin)
    html = client.get(f"/hub/courses/{hub_setup.course}").get_data(as_text=True)
    with app.app_context():
        titles = db.session.scalars(select(Module.title).where(Module.course_id == hub_setup.course)).all()
    buttons = [_text(b) for b in re.findall(r"<button[^>]*>(.*?)</button>", html, re.S)]
    moves = [b for b in buttons if b.startswith("Move ")]
    assert moves
    for label in moves:
        assert any(label in (f"Move up {t}", f"Move down {t}") for t in titles), label


def test_a_flashed_error_is_an_error_summary_and_puts_error_in_the_title(app):
    with app.test_request_context("/privacy"):
        flash("This session can be recorded from 6 January 2027", "error")
        flash("The session has been recorded.", "success")
        html = render_template("main/privacy.html")
    assert re.search(r"<title>\s*Error: ", html)
    summary = html[html.index('class="nhsuk-error-summary"') :]
    assert 'role="alert"' in summary[:400]
    assert "This session can be recorded from 6 January 2027" in _text(summary)
    assert "nhsuk-notification-banner--success" in html  # other messages are still banners
    with app.test_request_context("/privacy"):
        flash("The session has been recorded.", "success")
        assert "Error:" not in render_template("main/privacy.html").split("</title>")[0]


def test_audit_log_pages_have_different_titles(client, auth, app, make_hub, make_user):
    from learnhub.accounts.services import audit
    from learnhub.organisations.views.audit import AUDIT_PAGE_SIZE

    hub = make_hub()
    admin = make_user(hub_id=hub, hub_role="hub_admin")
    with app.app_context():
        from learnhub.accounts.models import User

        user = db.session.get(User, admin)
        for n in range(AUDIT_PAGE_SIZE + 3):
            audit(user, "user.permission_changed", user=n)
        db.session.commit()
    auth.login_as(admin)
    first = client.get("/hub/audit").get_data(as_text=True)
    second = client.get("/hub/audit?page=2").get_data(as_text=True)
    title = re.compile(r"<title>\s*(.*?)\s*</title>", re.S)
    assert "Audit log (page 1 of 2)" in title.search(first).group(1)
    assert "Audit log (page 2 of 2)" in title.search(second).group(1)


@pytest.fixture
def date_form():  # type: ignore[no-untyped-def]
    from flask import Flask
    from flask_wtf import FlaskForm
    from wtforms.validators import InputRequired, Optional

    from learnhub.formfields import DateInputField

    class Form(FlaskForm):
        starts_on = DateInputField("Start date", validators=[InputRequired("Enter the start date")])
        ends_on = DateInputField("End date", validators=[Optional()])

    app = Flask(__name__)
    app.config.update(SECRET_KEY="x", WTF_CSRF_ENABLED=False)
    return app, Form


@pytest.mark.parametrize(
    ("data", "errors", "parts"),
    [
        ({}, ["Enter the start date"], ("day", "month", "year")),
        ({"starts_on-day": "4", "starts_on-month": "1", "starts_on-year": "22026"}, ["Year must include 4 numbers"], ("year",)),
        ({"starts_on-day": "4", "starts_on-month": "1", "starts_on-year": "26"}, ["Year must include 4 numbers"], ("year",)),
        (
            {"starts_on-day": "30", "starts_on-month": "2", "starts_on-year": "2027"},
            ["Start date must be a real date"],
            ("day", "month", "year"),
        ),
        ({"starts_on-day": "4", "starts_on-year": "2027"}, ["Start date must include a month"], ("month",)),
        ({"starts_on-year": "2027"}, ["Start date must include a day and month"], ("day", "month")),
        ({"starts_on-day": "x", "starts_on-month": "1", "starts_on-year": "2027"}, ["Start date must be a real date"], ("day",)),
        ({"starts_on": "22026-01-04"}, ["Year must include 4 numbers"], ("year",)),
    ],
)
def test_date_input_field_says_what_is_wrong_in_nhs_words(date_form, data, errors, parts):
    app, Form = date_form
    with app.test_request_context(method="POST", data=data):
        form = Form()
        assert not form.validate()
        assert form.starts_on.errors == errors
        assert form.starts_on.error_parts == parts
        assert form.ends_on.errors == []


def test_date_input_field_reads_day_month_year_and_renders_the_nhs_date_input(app, date_form):
    from datetime import date

    _, Form = date_form
    with app.test_request_context(method="POST", data={"starts_on-day": "04", "starts_on-month": "1", "starts_on-year": "2027"}):
        form = Form(meta={"csrf": False})
        assert form.validate()
        assert form.starts_on.data == date(2027, 1, 4)
    with app.test_request_context(method="POST", data={"starts_on-day": "4", "starts_on-year": "2027"}):
        form = Form(meta={"csrf": False})
        form.validate()
        html = app.jinja_env.from_string(
            '{% from "macros/forms.html" import field, error_summary %}{{ error_summary(form) }}{{ field(form.starts_on) }}'
        ).render(form=form)
    assert 'class="nhsuk-date-input"' in html
    for part in ("day", "month", "year"):
        assert f'name="starts_on-{part}"' in html
        assert f'id="starts_on-{part}"' in html
    # Only the missing month is highlighted; the summary link focuses it.
    assert re.search(
        r'class="[^"]*nhsuk-input--error[^"]*"[^>]*id="starts_on-month"|id="starts_on-month"[^>]*class="[^"]*nhsuk-input--error',
        html,
    )
    assert not re.search(r'id="starts_on-day"[^>]*nhsuk-input--error|nhsuk-input--error[^>]*id="starts_on-day"', html)
    assert 'href="#starts_on-month"' in html
    assert "Start date must include a month" in html
    assert 'value="2027"' in html  # what was typed is kept


def test_date_time_input_field_reads_a_date_and_a_24_hour_time():
    from datetime import datetime

    from flask import Flask
    from flask_wtf import FlaskForm
    from wtforms.validators import Optional

    from learnhub.formfields import DateTimeInputField

    class Form(FlaskForm):
        starts_at = DateTimeInputField("Date and time", validators=[Optional()], what="The date and time")

    app = Flask(__name__)
    app.config.update(SECRET_KEY="x", WTF_CSRF_ENABLED=False)
    cases = [
        ({"day": "15", "month": "3", "year": "2027", "time": "14:30"}, [], datetime(2027, 3, 15, 14, 30)),
        ({"day": "15", "month": "3", "year": "2027", "time": "9.05"}, [], datetime(2027, 3, 15, 9, 5)),
        ({"day": "15", "month": "3", "year": "2027", "time": ""}, ["The date and time must include a time"], None),
        (
            {"day": "15", "month": "3", "year": "2027", "time": "25:00"},
            ["Enter the time as hours and minutes on the 24-hour clock, for example 14:30"],
            None,
        ),
        ({"day": "", "month": "", "year": "", "time": "10:00"}, ["The date and time must include a day, month and year"], None),
        ({"day": "15", "month": "3", "year": "20270", "time": "10:00"}, ["Year must include 4 numbers"], None),
        ({}, [], None),
    ]
    for typed, errors, value in cases:
        data = {f"starts_at-{k}": v for k, v in typed.items()}
        with app.test_request_context(method="POST", data=data):
            form = Form()
            form.validate()
            assert (form.starts_at.errors, form.starts_at.data) == (errors, value), typed
    with app.test_request_context(method="POST", data={"starts_at": "2027-03-15T14:30"}):
        form = Form()
        assert form.validate()
        assert form.starts_at.data == datetime(2027, 3, 15, 14, 30)
    with app.test_request_context():
        form = Form()
        form.starts_at.data = datetime(2027, 3, 15, 9, 0)  # a view filling in the saved value
        assert form.starts_at.parts == {"day": "15", "month": "3", "year": "2027", "time": "09:00"}


def test_live_session_date_and_time_are_typed_in_boxes_and_shown_again(client, auth, app, hub_setup):  # noqa: F811
    from datetime import UTC, datetime

    from learnhub.courses.models import Module

    auth.login_as(hub_setup.admin)
    url = f"/hub/courses/{hub_setup.course}/modules/new"
    data = {"title": "Typed-date workshop", "kind": "live", "duration_minutes": "90", "location": "Online"}
    refused = client.post(url, data={**data, "starts_at-day": "12", "starts_at-month": "7", "starts_at-year": "2027"})
    assert "The date and time must include a time" in refused.get_data(as_text=True)
    response = client.post(
        url, data={**data, "starts_at-day": "12", "starts_at-month": "7", "starts_at-year": "2027", "starts_at-time": "14:30"}
    )
    assert_redirect(response)
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.title == "Typed-date workshop"))
        assert module.starts_at == datetime(2027, 7, 12, 13, 30, tzinfo=UTC)  # 14:30 British Summer Time
        module_id = module.id
    page = client.get(f"/hub/courses/{hub_setup.course}/modules/{module_id}/edit").get_data(as_text=True)
    assert re.search(r'id="starts_at-time"[^>]*value="14:30"', page)


def test_module_content_tables_have_captions_including_the_demo_course():
    from learnhub.courses import demo_content
    from learnhub.courses.services import render_markdown

    html = render_markdown("Table: Who gives which supervision\n\n| Type | Given by |\n|---|---|\n| CPD | Line manager |\n")
    assert "<table>\n<caption>Who gives which supervision</caption>" in html
    assert "Table:" not in html
    for module in demo_content.MODULES:
        body = render_markdown(module.get("body", ""))
        assert body.count("<table>") == body.count("<caption>"), module["title"]
    assert "<caption>" in render_markdown(demo_content.MODULES[1]["body"])


def _form_classes():  # type: ignore[no-untyped-def]
    """Every WTForms form class the app defines (the forms modules of every feature, and formfields)."""
    import importlib
    import pkgutil

    import wtforms

    import learnhub

    seen = []
    for info in pkgutil.walk_packages(learnhub.__path__, "learnhub."):
        if info.name.rsplit(".", 1)[-1] != "forms":
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, wtforms.Form) and value.__module__ == module.__name__:
                seen.append(value)
    return seen


def test_no_form_uses_the_browsers_own_date_or_time_input():
    """Issue 23: every date is typed in the NHS.UK date input (day, month, year), never a native date picker."""
    from wtforms.fields import DateField, DateTimeField, DateTimeLocalField, MonthField, TimeField
    from wtforms.fields.core import UnboundField

    forms = _form_classes()
    assert len(forms) > 20  # the walk found the features' forms
    native = (DateField, DateTimeField, DateTimeLocalField, MonthField, TimeField)
    offenders = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in forms
        for name in dir(form)
        if isinstance(getattr(form, name, None), UnboundField) and issubclass(getattr(form, name).field_class, native)
    ]
    assert offenders == []


def test_audit_log_date_filter_is_the_nhs_date_input_and_refuses_a_five_digit_year(client, auth, make_user):
    auth.login_as(make_user(hub_role="hub_admin"))
    page = client.get("/hub/audit").get_data(as_text=True)
    assert 'type="date"' not in page
    for part in ("day", "month", "year"):
        assert f'name="date_from-{part}"' in page
    assert "nhsuk-date-input" in page
    response = client.get("/hub/audit", query_string={"date_from-day": "4", "date_from-month": "1", "date_from-year": "22026"})
    assert response.status_code == 200
    text = _text(response.get_data(as_text=True))
    assert "There is a problem" in text
    assert "Year must include 4 numbers" in text
    assert "Not a valid date value" not in text


def test_als_start_time_is_typed_on_the_24_hour_clock_not_the_browsers_time_picker(app, client, auth, make_user):
    from learnhub.als.models import AlsProgramme
    from tests.als.test_admin import PROGRAMME

    auth.login_as(make_user(hub_role="hub_admin"))
    page = client.get("/als/programmes/new").get_data(as_text=True)
    assert 'type="time"' not in page
    field = re.search(r"<input[^>]*\bname=\"session_time\"[^>]*>", page).group(0)
    assert 'type="text"' in field
    assert "Use the 24-hour clock, for example 14:30" in page
    refused = client.post("/als/programmes/new", data={**PROGRAMME, "session_time": "2:30 PM"})
    text = _text(refused.get_data(as_text=True))
    assert "Enter the time as hours and minutes on the 24-hour clock, for example 14:30" in text
    assert 'value="2:30 PM"' in refused.get_data(as_text=True)  # what was typed is shown again
    client.post("/als/programmes/new", data={**PROGRAMME, "session_time": "18.15"})
    with app.app_context():
        assert db.session.scalar(select(AlsProgramme.session_time)).strftime("%H:%M") == "18:15"


def test_every_back_link_is_in_the_back_block_that_base_puts_inside_main():
    """Issue 23: test_back_link_is_inside_main renders one page; this holds for every template with a back link."""
    from pathlib import Path

    import learnhub

    root = Path(learnhub.__file__).parent
    offenders = []
    found = 0
    for path in root.rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"backLink\(|nhsuk-back-link", text):
            if "nhsuk/components" in str(path):
                continue
            found += 1
            before = text[: match.start()]
            if before.rfind("{% block back %}") <= before.rfind("{% endblock %}"):
                offenders.append(f"{path.relative_to(root)}:{text.count(chr(10), 0, match.start()) + 1}")
    assert found >= 5
    assert offenders == []
