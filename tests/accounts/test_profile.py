"""Editing a profile: role, registration, PCN and practice."""

from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.extensions import db
from learnhub.organisations.models import Pcn, Practice
from tests.helpers import assert_redirect


def _hub_parts(app, hub_id):  # type: ignore[no-untyped-def]
    with app.app_context():
        pcn = db.session.scalars(select(Pcn).where(Pcn.hub_id == hub_id)).one()
        practice = db.session.scalars(select(Practice).where(Practice.pcn_id == pcn.id)).one()
        return pcn.id, practice.id


def _profile(user_id, hub_id, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "name": "Dr Nia Williams",
        "professional_role": "gp",
        "registration_body": "GMC",
        "registration_number": "1234567",
        "hub_id": str(hub_id),
        "pcn_id": "",
        "practice_id": "",
    }
    data.update(overrides)
    return data


def test_profile_saves_registration_and_practice(client, auth, app, make_user, make_hub):
    hub_id = make_hub()
    pcn_id, practice_id = _hub_parts(app, hub_id)
    user_id = make_user(hub_id=hub_id)
    auth.login_as(user_id)
    response = client.post("/account/profile", data=_profile(user_id, hub_id, practice_id=str(practice_id)))
    assert_redirect(response)
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.registration_body == "GMC"
        assert user.registration_number == "1234567"
        assert user.practice_id == practice_id
        assert user.pcn_id == pcn_id  # PCN follows from the practice


def test_registration_number_in_wrong_format_is_refused(client, auth, make_user, make_hub):
    hub_id = make_hub()
    auth.login_as(make_user(hub_id=hub_id))
    response = client.post("/account/profile", data=_profile(0, hub_id, registration_number="12AB"))
    assert b"Enter a GMC number in the right format" in response.data


def test_registration_number_without_body_is_refused(client, auth, make_user, make_hub):
    hub_id = make_hub()
    auth.login_as(make_user(hub_id=hub_id))
    response = client.post("/account/profile", data=_profile(0, hub_id, registration_body=""))
    assert b"Select the body you are registered with" in response.data


def test_practice_from_another_hub_cannot_be_chosen(client, auth, app, make_user, make_hub):
    hub_id, other_hub = make_hub(), make_hub()
    _, other_practice = _hub_parts(app, other_hub)
    user_id = make_user(hub_id=hub_id)
    auth.login_as(user_id)
    response = client.post("/account/profile", data=_profile(user_id, hub_id, practice_id=str(other_practice)))
    assert response.status_code == 200
    assert b"Not a valid choice" in response.data
    with app.app_context():
        assert db.session.get(User, user_id).practice_id is None


def test_change_password_requires_current_password(client, auth, make_user):
    auth.login_as(make_user("gp@example.org"))
    response = client.post("/account/password", data={"current_password": "wrong", "password": "meadow-violin-harbour"})
    assert b"Your current password is not correct" in response.data
    response = client.post(
        "/account/password", data={"current_password": "correct-horse-battery-staple", "password": "meadow-violin-harbour"}
    )
    assert_redirect(response)
    auth.logout()
    assert_redirect(auth.login("gp@example.org", "meadow-violin-harbour"))
