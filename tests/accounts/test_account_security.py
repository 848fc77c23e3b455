"""Account takeover and enumeration: sign-out ends the session server-side, nobody can lock a
known user out, registration and password reset do not reveal who has an account."""

from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.extensions import db
from tests.conftest import PASSWORD, AuthActions
from tests.helpers import assert_redirect

# --- sign-out ------------------------------------------------------------------------------------


def test_a_cookie_copied_before_sign_out_does_not_work_afterwards(app, client, auth, make_user):
    make_user("gp@example.org")
    assert_redirect(auth.login("gp@example.org"))
    stolen = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", stolen, domain="localhost")
    assert thief.get("/account/profile").status_code == 200  # the copy works while signed in

    auth.logout()
    assert_redirect(thief.get("/account/profile"))
    assert_redirect(client.get("/account/profile"))


def test_signing_in_again_after_sign_out_works(app, client, auth, make_user):
    make_user("gp@example.org")
    auth.login("gp@example.org")
    auth.logout()
    assert_redirect(auth.login("gp@example.org"))
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
    assert_redirect(other.get("/account/profile"))


# --- lock-out ------------------------------------------------------------------------------------

ATTACKER = {"REMOTE_ADDR": "203.0.113.66"}
OWNER = {"REMOTE_ADDR": "198.51.100.7"}


def _sign_in(client, email, password=PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/account/sign-in", data={"email": email, "password": password})


def test_wrong_passwords_from_another_client_do_not_lock_the_owner_out(app, make_user):
    make_user("gp@example.org")
    attacker = app.test_client()
    attacker.environ_base.update(ATTACKER)
    statuses = [_sign_in(attacker, "gp@example.org", f"guess-{i}").status_code for i in range(8)]
    assert statuses[:5] == [200] * 5
    assert statuses[5:] == [429] * 3  # the attacker is slowed down ...
    assert _sign_in(attacker, "gp@example.org").status_code == 429
    owner = app.test_client()
    owner.environ_base.update(OWNER)
    assert_redirect(_sign_in(owner, "gp@example.org"))  # ... the owner is not


def test_the_owners_browser_signs_in_even_from_an_address_an_attacker_shares(app, make_user):
    make_user("gp@example.org")
    owner = app.test_client()
    owner.environ_base.update(ATTACKER)  # one practice, one public address
    assert_redirect(_sign_in(owner, "gp@example.org"))
    owner.post("/account/sign-out", headers={"Origin": "http://localhost"})
    attacker = app.test_client()
    attacker.environ_base.update(ATTACKER)
    for i in range(25):  # past the per-email and the per-address limits
        _sign_in(attacker, "gp@example.org" if i % 2 else f"someone{i}@example.org", f"guess-{i}")
    assert _sign_in(attacker, "gp@example.org").status_code == 429
    assert_redirect(_sign_in(owner, "gp@example.org"))


def test_the_per_address_limit_still_stops_guessing_across_many_emails(app, make_user):
    attacker = app.test_client()
    attacker.environ_base.update(ATTACKER)
    statuses = [_sign_in(attacker, f"person{i}@example.org", "guess").status_code for i in range(21)]
    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429


def test_a_device_cookie_counts_only_for_its_own_email(app, make_user):
    make_user("gp@example.org")
    make_user("other@example.org")
    client = app.test_client()
    client.environ_base.update(ATTACKER)
    assert_redirect(_sign_in(client, "gp@example.org"))
    client.post("/account/sign-out", headers={"Origin": "http://localhost"})
    statuses = [_sign_in(client, "other@example.org", f"guess-{i}").status_code for i in range(6)]
    assert statuses == [200] * 5 + [429]


def test_a_recognised_browser_is_still_limited_for_wrong_passwords(app, make_user):
    make_user("gp@example.org")
    client = app.test_client()
    assert_redirect(_sign_in(client, "gp@example.org"))
    client.post("/account/sign-out", headers={"Origin": "http://localhost"})
    statuses = [_sign_in(client, "gp@example.org", f"guess-{i}").status_code for i in range(11)]
    assert statuses == [200] * 10 + [429]


def test_a_forged_device_cookie_is_ignored(app, make_user):
    make_user("gp@example.org")
    client = app.test_client()
    client.set_cookie("learnhub_device", "not-a-signed-value", domain="localhost", path="/account/")
    statuses = [_sign_in(client, "gp@example.org", f"guess-{i}").status_code for i in range(6)]
    assert statuses == [200] * 5 + [429]


# --- enumeration ---------------------------------------------------------------------------------


def _register(client, hub_id, email, password="a-brand-new-passphrase"):  # type: ignore[no-untyped-def]
    data = {"name": "Dr Nia Williams", "email": email, "password": password, "professional_role": "gp", "hub_id": str(hub_id)}
    return client.post("/account/register", data=data)


def _page_text(response) -> str:  # type: ignore[no-untyped-def]
    """The page without the per-request parts (CSP nonce)."""
    import re

    return re.sub(r'nonce="[^"]+"', "", response.get_data(as_text=True))


def test_registering_an_existing_email_looks_the_same_and_tells_the_owner(app, client, make_hub, make_user, outbox):
    hub = make_hub()
    make_user("taken@example.org", name="Dr Owner")
    existing = _register(client, hub, "Taken@Example.org")
    new = _register(app.test_client(), hub, "new@example.org")
    assert existing.status_code == new.status_code == 200
    assert _page_text(existing).replace("taken@example.org", "EMAIL") == _page_text(new).replace("new@example.org", "EMAIL")
    assert "already" not in existing.get_data(as_text=True)
    owner_mail = next(m for m in outbox if m["To"] == "taken@example.org")
    assert owner_mail["Subject"] == "You already have a LearnHub account"
    body = owner_mail.get_content()
    assert "Hello Dr Owner" in body
    assert "http://localhost/account/password/forgot" in body
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.email == "taken@example.org"))
        assert owner.name == "Dr Owner"  # nothing about the existing account changed
        assert owner.check_password(PASSWORD)


def test_forgot_password_answers_before_any_mail_is_sent(app, make_user, monkeypatch):
    """Real and unknown accounts get their answer before the (slow) mail server is involved."""
    make_user("gp@example.org")
    events: list[str] = []
    monkeypatch.setattr(
        "learnhub.notifications.delivery._Sender.send", lambda self, msg: events.append(f"mail {msg['To']}") or ("sent", None)
    )
    client = app.test_client()
    for email in ("gp@example.org", "nobody@example.org"):
        # Unbuffered, as a WSGI server sees it before it has sent the body and closed the response.
        response = client.post("/account/password/forgot", data={"email": email}, buffered=False)
        events.append(f"answered {email}")
        assert b"Check your email" in response.data
        response.close()  # the server has sent it
    assert events == ["answered gp@example.org", "mail gp@example.org", "answered nobody@example.org"]


def test_registration_answers_before_any_mail_is_sent(app, make_hub, make_user, monkeypatch):
    hub = make_hub()
    make_user("taken@example.org")
    events: list[str] = []
    monkeypatch.setattr(
        "learnhub.notifications.delivery._Sender.send", lambda self, msg: events.append(f"mail {msg['To']}") or ("sent", None)
    )
    client = app.test_client()
    for email in ("taken@example.org", "new@example.org"):
        data = {"name": "N", "email": email, "password": "a-brand-new-passphrase", "professional_role": "gp", "hub_id": str(hub)}
        response = client.post("/account/register", data=data, buffered=False)
        events.append(f"answered {email}")
        response.close()
    assert events == ["answered taken@example.org", "mail taken@example.org", "answered new@example.org", "mail new@example.org"]


def test_an_unreachable_mail_server_does_not_change_the_answer(app, make_user, monkeypatch):
    make_user("gp@example.org")

    def broken(*args):  # type: ignore[no-untyped-def]
        raise OSError("connection refused")

    monkeypatch.setattr("learnhub.notifications.delivery._Sender.send", broken)
    client = app.test_client()
    real = client.post("/account/password/forgot", data={"email": "gp@example.org"})
    unknown = client.post("/account/password/forgot", data={"email": "nobody@example.org"})
    assert real.status_code == unknown.status_code == 200
