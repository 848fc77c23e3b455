"""Account takeover and enumeration: sign-out ends the session server-side, nobody can lock a
known user out, registration and password reset do not reveal who has an account."""

from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.extensions import db
from tests.conftest import PASSWORD, AuthActions

# --- sign-out ------------------------------------------------------------------------------------


def test_a_cookie_copied_before_sign_out_does_not_work_afterwards(app, client, auth, make_user):
    make_user("gp@example.org")
    assert auth.login("gp@example.org").status_code == 302
    stolen = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", stolen, domain="localhost")
    assert thief.get("/account/profile").status_code == 200  # the copy works while signed in

    auth.logout()
    assert thief.get("/account/profile").status_code == 302
    assert client.get("/account/profile").status_code == 302


def test_signing_in_again_after_sign_out_works(app, client, auth, make_user):
    make_user("gp@example.org")
    auth.login("gp@example.org")
    auth.logout()
    assert auth.login("gp@example.org").status_code == 302
    assert client.get("/account/profile").status_code == 200


def test_a_password_change_ends_other_sessions_but_not_this_one(app, client, auth, make_user):
    make_user("gp@example.org")
    auth.login("gp@example.org")
    other = app.test_client()
    AuthActions(other, app).login("gp@example.org")
    assert other.get("/account/profile").status_code == 200
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": "a-brand-new-passphrase", "confirm": "a-brand-new-passphrase"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.get("/account/profile").status_code == 200
    assert other.get("/account/profile").status_code == 302
