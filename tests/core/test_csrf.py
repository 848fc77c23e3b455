"""CSRF protection is really on: a form posted without its token is refused."""

import re

import pytest
from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.extensions import db
from tests.helpers import assert_redirect


@pytest.fixture
def csrf_app(make_app):  # type: ignore[no-untyped-def]
    return make_app(WTF_CSRF_ENABLED=True)


def test_register_without_token_is_refused(csrf_app, make_hub):
    client = csrf_app.test_client()
    response = client.post(
        "/account/register",
        data={"name": "X", "email": "x@example.org", "password": "kettle-orchard-lantern", "professional_role": "gp"},
    )
    assert response.status_code == 400
    assert b"The form had expired or was sent from another site" in response.data
    with csrf_app.app_context():
        assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None


def test_sign_in_works_with_the_token_from_the_page(csrf_app, make_user):
    make_user("gp@example.org")
    client = csrf_app.test_client()
    page = client.get("/account/sign-in").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    without = client.post("/account/sign-in", data={"email": "gp@example.org", "password": "correct-horse-battery-staple"})
    assert without.status_code == 400
    with_token = client.post(
        "/account/sign-in", data={"email": "gp@example.org", "password": "correct-horse-battery-staple", "csrf_token": token}
    )
    assert_redirect(with_token)


def test_button_forms_need_the_token_too(csrf_app, make_user, make_hub):
    hub_id = make_hub()
    admin = make_user("admin@example.org", hub_id=hub_id, hub_role="hub_admin")
    person = make_user("p@example.org", hub_id=hub_id)
    client = csrf_app.test_client()
    with csrf_app.app_context():
        session_id = db.session.get(User, admin).get_id()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
    assert client.post(f"/hub/users/{person}/deactivate").status_code == 400
    with csrf_app.app_context():
        assert db.session.get(User, person).active
