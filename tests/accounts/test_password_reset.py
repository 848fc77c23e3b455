"""Password reset by emailed, expiring, single-use link."""

import re
from datetime import timedelta

from sqlalchemy import select

from learnhub.accounts.models import PasswordToken, User
from learnhub.extensions import db
from learnhub.timeutil import utcnow
from tests.helpers import assert_redirect

NEW_PASSWORD = "meadow-violin-harbour"


def _link(message) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r"https?://\S+/account/password/reset/(\S+)", message.get_content())
    assert match, message.get_content()
    return "/account/password/reset/" + match.group(1)


def test_reset_flow_sets_new_password_once(client, auth, app, make_user, outbox):
    make_user("gp@example.org")
    response = client.post("/account/password/forgot", data={"email": "gp@example.org"})
    assert b"Check your email" in response.data
    assert len(outbox) == 1
    assert outbox[0]["To"] == "gp@example.org"
    link = _link(outbox[0])

    assert b"Choose a new password" in client.get(link).data
    response = client.post(link, data={"password": NEW_PASSWORD})
    assert_redirect(response)
    auth.logout()
    assert_redirect(auth.login("gp@example.org", NEW_PASSWORD))

    # the link works once
    reused = client.get(link)
    assert reused.status_code == 410
    assert b"already been used" in reused.data
    with app.app_context():
        assert db.session.scalars(select(PasswordToken)).one().used_at is not None


def test_unknown_email_gets_the_same_answer_and_no_mail(client, outbox):
    response = client.post("/account/password/forgot", data={"email": "nobody@example.org"})
    assert b"Check your email" in response.data
    assert outbox == []


def test_expired_link_is_refused(client, app, make_user, outbox):
    make_user("gp@example.org")
    client.post("/account/password/forgot", data={"email": "gp@example.org"})
    link = _link(outbox[0])
    with app.app_context():
        token = db.session.scalars(select(PasswordToken)).one()
        token.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = client.post(link, data={"password": NEW_PASSWORD})
    assert response.status_code == 410
    assert b"This link has expired" in response.data


def test_new_link_replaces_the_old_one(client, make_user, outbox):
    make_user("gp@example.org")
    client.post("/account/password/forgot", data={"email": "gp@example.org"})
    client.post("/account/password/forgot", data={"email": "gp@example.org"})
    first, second = _link(outbox[0]), _link(outbox[1])
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_tampered_link_is_refused(client):
    response = client.get("/account/password/reset/not-a-real-token")
    assert response.status_code == 410
    assert b"This link is not valid" in response.data


def test_weak_new_password_is_refused_and_link_still_works(client, make_user, outbox):
    make_user("gp@example.org")
    client.post("/account/password/forgot", data={"email": "gp@example.org"})
    link = _link(outbox[0])
    response = client.post(link, data={"password": "short"})
    assert response.status_code == 200
    assert b"12 characters or more" in response.data
    assert client.get(link).status_code == 200


def test_only_the_token_hash_is_stored(client, app, make_user, outbox):
    make_user("gp@example.org")
    client.post("/account/password/forgot", data={"email": "gp@example.org"})
    raw = _link(outbox[0]).rsplit("/", 1)[1]
    with app.app_context():
        token = db.session.scalars(select(PasswordToken)).one()
        assert token.token_hash != raw
        assert token.token_hash == PasswordToken.hash(raw)


def test_password_reset_signs_out_other_sessions(app, make_user, outbox):
    user_id = make_user("gp@example.org")
    other_device = app.test_client()
    other_device.post("/account/sign-in", data={"email": "gp@example.org", "password": "correct-horse-battery-staple"})
    assert other_device.get("/account/profile").status_code == 200

    client = app.test_client()
    client.post("/account/password/forgot", data={"email": "gp@example.org"})
    client.post(_link(outbox[0]), data={"password": NEW_PASSWORD})
    assert_redirect(other_device.get("/account/profile"))
    with app.app_context():
        assert db.session.get(User, user_id).check_password(NEW_PASSWORD)


def test_mail_goes_to_outbox_folder_without_smtp(client, app, make_user):
    make_user("gp@example.org")
    client.post("/account/password/forgot", data={"email": "gp@example.org"})
    files = list((__import__("pathlib").Path(app.instance_path) / "test-outbox").glob("*.eml"))
    assert len(files) == 1
    assert b"Reset your LearnHub password" in files[0].read_bytes()
