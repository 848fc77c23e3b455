"""Account takeover and enumeration: sign-out ends the session server-side, nobody can lock a
known user out, registration and password reset do not reveal who has an account."""

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
    assert _sign_in(owner, "gp@example.org").status_code == 302  # ... the owner is not


def test_the_owners_browser_signs_in_even_from_an_address_an_attacker_shares(app, make_user):
    make_user("gp@example.org")
    owner = app.test_client()
    owner.environ_base.update(ATTACKER)  # one practice, one public address
    assert _sign_in(owner, "gp@example.org").status_code == 302
    owner.post("/account/sign-out", headers={"Origin": "http://localhost"})
    attacker = app.test_client()
    attacker.environ_base.update(ATTACKER)
    for i in range(25):  # past the per-email and the per-address limits
        _sign_in(attacker, "gp@example.org" if i % 2 else f"someone{i}@example.org", f"guess-{i}")
    assert _sign_in(attacker, "gp@example.org").status_code == 429
    assert _sign_in(owner, "gp@example.org").status_code == 302


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
    assert _sign_in(client, "gp@example.org").status_code == 302
    client.post("/account/sign-out", headers={"Origin": "http://localhost"})
    statuses = [_sign_in(client, "other@example.org", f"guess-{i}").status_code for i in range(6)]
    assert statuses == [200] * 5 + [429]


def test_a_recognised_browser_is_still_limited_for_wrong_passwords(app, make_user):
    make_user("gp@example.org")
    client = app.test_client()
    assert _sign_in(client, "gp@example.org").status_code == 302
    client.post("/account/sign-out", headers={"Origin": "http://localhost"})
    statuses = [_sign_in(client, "gp@example.org", f"guess-{i}").status_code for i in range(11)]
    assert statuses == [200] * 10 + [429]


def test_a_forged_device_cookie_is_ignored(app, make_user):
    make_user("gp@example.org")
    client = app.test_client()
    client.set_cookie("learnhub_device", "not-a-signed-value", domain="localhost", path="/account/")
    statuses = [_sign_in(client, "gp@example.org", f"guess-{i}").status_code for i in range(6)]
    assert statuses == [200] * 5 + [429]
