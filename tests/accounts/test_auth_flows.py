"""Registering, signing in and out, throttling, and safe redirects."""

import pytest
from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.extensions import db
from tests.conftest import PASSWORD
from tests.helpers import assert_redirect

GOOD_PASSWORD = "kettle-orchard-lantern"


def register(client, hub_id, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "name": "Dr Nia Williams",
        "email": "Nia.Williams@Example.org",
        "password": GOOD_PASSWORD,
        "professional_role": "gp",
        "hub_id": str(hub_id),
    }
    data.update(overrides)
    return client.post("/account/register", data=data)


def test_register_creates_account_and_hashes_password(client, app, make_hub, outbox):
    hub_id = make_hub()
    response = register(client, hub_id)
    assert response.status_code == 200
    assert b"Check your email" in response.data
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "nia.williams@example.org"))
        assert user is not None
        assert user.hub_id == hub_id
        assert user.hub_role == "learner"
        assert GOOD_PASSWORD not in user.password_hash
        assert user.password_hash.startswith("scrypt:")
    assert outbox[-1]["To"] == "nia.williams@example.org"
    assert "Your LearnHub account has been created" in outbox[-1].get_content()
    # Not signed in by registering (an existing email could not be): signing in works at once.
    assert_redirect(client.get("/account/profile"))
    signed_in = client.post("/account/sign-in", data={"email": "nia.williams@example.org", "password": GOOD_PASSWORD})
    assert_redirect(signed_in)
    assert b"Your profile" in client.get("/account/profile").data


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-one", b"Your password must be 12 characters or more"),
        ("password1234", b"This is a commonly used password"),
        ("aaaaaaaaaaaaaaaa", b"harder to guess"),
        ("niawilliams1", b"harder to guess"),
    ],
)
def test_register_weak_password_is_refused(client, app, make_hub, password, message):
    response = register(client, make_hub(), password=password)
    assert response.status_code == 200
    assert message in response.data
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "nia.williams@example.org")) is None


def test_register_needs_every_field(client, make_hub):
    make_hub()
    response = client.post("/account/register", data={})
    for message in (
        b"Enter your full name",
        b"Enter your email address",
        b"Create a password",
        b"Select your professional role",
        b"Select your training hub",
    ):
        assert message in response.data
    assert b"<title>Error:" in response.data


def test_register_rejects_bad_email_and_unknown_role(client, make_hub):
    response = register(client, make_hub(), email="not-an-email", professional_role="astronaut")
    assert b"Enter an email address in the correct format" in response.data
    assert b"Select your professional role" in response.data


def test_login_and_logout(client, auth, make_user):
    make_user("gp@example.org")
    response = auth.login("GP@example.org ")
    assert_redirect(response)
    assert response.headers["Location"] == "/"
    assert b"Hello, " in client.get("/").data
    response = auth.logout()
    assert response.headers["Location"] == "/account/sign-in"
    assert_redirect(client.get("/account/profile"))


def test_wrong_password_and_unknown_email_get_the_same_message(client, auth, make_user):
    make_user("gp@example.org")
    wrong = auth.login("gp@example.org", "not-the-password")
    unknown = auth.login("nobody@example.org", "not-the-password")
    assert wrong.status_code == unknown.status_code == 200
    assert b"Enter a correct email address and password" in wrong.data
    assert b"Enter a correct email address and password" in unknown.data


def test_repeated_wrong_passwords_are_throttled(client, auth, make_user):
    make_user("gp@example.org")
    statuses = [auth.login("gp@example.org", f"wrong-{i}").status_code for i in range(6)]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429
    blocked = auth.login("gp@example.org")
    assert blocked.status_code == 429
    assert b"Too many attempts" in blocked.data


def test_successful_logins_do_not_count_towards_the_limit(client, auth, make_user):
    make_user("gp@example.org")
    for _ in range(7):
        assert_redirect(auth.login("gp@example.org"))
        auth.logout()


def test_deactivated_user_cannot_sign_in(client, auth, make_user):
    make_user("gone@example.org", active=False)
    response = auth.login("gone@example.org")
    assert response.status_code == 200
    assert b"Enter a correct email address and password" in response.data


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/account/profile", "/account/profile"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_redirect_is_open_redirect_safe(client, make_user, next_url, expected):
    make_user("gp@example.org")
    response = client.post(
        "/account/sign-in", query_string={"next": next_url}, data={"email": "gp@example.org", "password": PASSWORD}
    )
    assert response.headers["Location"] == expected


def test_protected_page_sends_anonymous_user_to_sign_in(client):
    response = client.get("/account/profile")
    assert_redirect(response)
    assert response.headers["Location"].startswith("/account/sign-in?next=")


def test_logout_from_another_site_is_refused(client, auth, make_user):
    make_user("gp@example.org")
    auth.login("gp@example.org")
    response = client.post("/account/sign-out", headers={"Origin": "https://evil.example"})
    assert response.status_code == 400
    assert client.get("/account/profile").status_code == 200
