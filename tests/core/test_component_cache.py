"""NHS.UK components rendered once per distinct params (learnhub.templating.component), and Jinja imports.

The layout's header and footer, form fields, buttons, back links and the home page's cards are
kept per process, keyed by their params. These tests try to make one person's page show
another's header, navigation or field values, or a signed-out page a signed-in header.
"""

import re

import pytest
from jinja2 import DictLoader, Environment
from markupsafe import Markup
from sqlalchemy import select

from learnhub import templating
from learnhub.templating import LearnHubTemplate, component


def _header(html: str) -> str:
    return re.search(r"<header.*?</header>", html, re.S).group(0)


def _nav_links(html: str) -> list[str]:
    return re.findall(r'class="nhsuk-header__navigation-link"[^>]*>\s*([^<]+?)\s*<', _header(html))


def test_a_learner_never_gets_a_hub_admins_header(client, auth, make_hub, make_user):
    hub = make_hub()
    admin = make_user(hub_id=hub, hub_role="hub_admin", name="Ada Admin")
    learner = make_user(hub_id=hub, name="Lena Learner")
    other_hub_learner = make_user(name="Otto Other")

    auth.login_as(admin)
    for path in ("/", "/my-learning", "/account/profile"):
        assert "Hub administration" in _nav_links(client.get(path).get_data(as_text=True))

    for person, name in ((learner, "Lena Learner"), (other_hub_learner, "Otto Other")):
        auth.login_as(person)
        for path in ("/", "/my-learning", "/account/profile"):
            header = _header(client.get(path).get_data(as_text=True))
            assert "Hub administration" not in header
            assert "Ada Admin" not in header
            assert name in header
            assert "Sign out" in header

    auth.login_as(admin)  # and back: the admin's own header again, not the learner's
    header = _header(client.get("/").get_data(as_text=True))
    assert "Hub administration" in header
    assert "Ada Admin" in header
    assert "Otto Other" not in header


def test_a_signed_out_page_never_shows_a_signed_in_header(client, auth, make_user):
    person = make_user(name="Sam Signed-in")
    auth.login_as(person)
    assert "Sign out" in _header(client.get("/accessibility").get_data(as_text=True))
    auth.logout()
    for path in ("/account/sign-in", "/", "/accessibility"):
        header = _header(client.get(path).get_data(as_text=True))
        assert "Sign out" not in header
        assert "Sam Signed-in" not in header
        assert "Create an account" in header
        assert _nav_links(client.get(path).get_data(as_text=True)) == []


def test_form_fields_show_each_persons_own_values(client, auth, make_user):
    first = make_user(email="first.person@example.org", name="First Person")
    second = make_user(email="second.person@example.org", name="Second Person")
    auth.login_as(first)
    page = client.get("/account/profile").get_data(as_text=True)
    assert 'value="First Person"' in page
    auth.login_as(second)
    page = client.get("/account/profile").get_data(as_text=True)
    assert 'value="Second Person"' in page
    assert "First Person" not in page
    assert "first.person@example.org" not in page


def test_a_cached_component_is_the_macros_own_markup(app):
    params = {
        "service": {"text": "LearnHub", "href": "/"},
        "account": {"items": [{"href": "/account/profile", "text": "A <b>name</b>", "icon": True}]},
        "navigation": {"items": [{"href": "/", "text": "Home"}]},
    }
    with app.test_request_context():
        direct = app.jinja_env.get_template("nhsuk/components/header/macro.jinja").module.header(params)
        assert component("header", params) == direct
        assert component("header", params) == direct  # from the cache
        assert "A &lt;b&gt;name&lt;/b&gt;" in str(direct)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # Markup and the same text as a string render differently (one is escaped).
        ({"text": Markup("<b>x</b>")}, {"text": "<b>x</b>"}),
        # 1 == True in Python: a boolean must not share an entry with a number.
        ({"text": "t", "value": 1}, {"text": "t", "value": True}),
        # Attributes render in the order given.
        (
            {"text": "t", "attributes": {"data-a": "1", "data-b": "2"}},
            {"text": "t", "attributes": {"data-b": "2", "data-a": "1"}},
        ),
    ],
)
def test_params_that_render_differently_never_share_an_entry(app, first, second):
    with app.test_request_context():
        macro = app.jinja_env.get_template("nhsuk/components/button/macro.jinja").module.button
        assert macro(first) != macro(second)
        assert component("button", first) == macro(first)
        assert component("button", second) == macro(second)
        assert component("button", first) == macro(first)


def test_params_that_cannot_be_a_key_are_rendered_each_time(app):
    class Text(str):
        pass

    with app.test_request_context():
        macro = app.jinja_env.get_template("nhsuk/components/button/macro.jinja").module.button
        assert component("button", {"text": Text("Go"), "extra": object()}) == macro({"text": "Go"})


def test_the_cache_stays_bounded(app, monkeypatch):
    monkeypatch.setattr(templating, "COMPONENT_CACHE_LIMIT", 20)
    with app.test_request_context():
        for n in range(100):
            assert f"Button {n}\n" in str(component("button", {"text": f"Button {n}"}))
        assert len(app.jinja_env.learnhub_components) <= 20


def test_home_counts_the_surveys_due_like_my_surveys(app, client, auth):
    from learnhub.accounts.models import User
    from learnhub.demo import DemoContext, run_steps
    from learnhub.evaluation.services import surveys_due_count, surveys_for
    from learnhub.extensions import db

    with app.app_context():
        run_steps(DemoContext(password="demo-password-for-tests"))
        db.session.remove()
    with app.app_context():
        counts = {}
        for user in db.session.scalars(select(User).where(User.active).order_by(User.id)):  # a deactivated account cannot sign in
            due = sum(1 for s in surveys_for(user) if s.status != "submitted")
            assert surveys_due_count(user) == due, user.email
            counts[user.id] = due
        db.session.remove()
    assert any(counts.values())  # the demo has people with surveys to answer
    for user_id, due in counts.items():
        auth.login_as(user_id)
        page = client.get("/").get_data(as_text=True)
        expected = f"{due} survey{'' if due == 1 else 's'} to answer" if due else "No surveys to answer at the moment."
        assert expected in page, user_id


TEMPLATES = {
    "lib.html": "{% macro shout(x) %}{{ x | upper }}{{ extra | default('-') }}{% endmacro %}{% set top = 'T' %}",
    "page.html": "{% from 'lib.html' import shout %}{{ shout(word) }}",
}


@pytest.mark.parametrize("render_first", [False, True])
def test_imports_behave_as_in_jinja(render_first):
    """Same output as Jinja's own Template: with and without extra globals, before and after globals change."""
    ours = Environment(loader=DictLoader(TEMPLATES))
    ours.template_class = LearnHubTemplate
    plain = Environment(loader=DictLoader(TEMPLATES))

    def outputs(env: Environment) -> list[str]:
        results = []
        if render_first:
            results.append(env.get_template("page.html").render(word="a"))
        results.append(env.get_template("page.html", globals={"extra": "!"}).render(word="b"))
        env.globals["extra"] = "?"
        results.append(env.get_template("page.html").render(word="c"))
        results.append(env.get_template("page.html", globals={"other": 1}).render(word="d"))
        return results

    assert outputs(ours) == outputs(plain)
