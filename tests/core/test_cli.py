"""Command-line commands: seed-demo (idempotent) and create-admin."""

from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.extensions import db
from learnhub.organisations.models import Hub, Pcn, Practice
from tests.helpers import assert_redirect

REQUIRED_DEMO_LOGINS = [
    "site.admin@example.org",
    "hub.admin@example.org",
    "gp.learner@example.org",
    "facilitator@example.org",
    "splw.member@example.org",
]


def _counts(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Hub, Pcn, Practice, User))


def test_seed_demo_creates_everyone_and_is_idempotent(app, monkeypatch):
    monkeypatch.setenv("LEARNHUB_DEMO_PASSWORD", "demo-password-for-tests")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    for email in REQUIRED_DEMO_LOGINS:
        assert email in first.output
    assert "demo-password-for-tests" in first.output
    counts = _counts(app)
    assert counts[:3] == (1, 2, 6)
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert _counts(app) == counts

    client = app.test_client()
    for email in REQUIRED_DEMO_LOGINS:
        response = client.post("/account/sign-in", data={"email": email, "password": "demo-password-for-tests"})
        assert response.status_code == 302, email
        client.post("/account/sign-out", headers={"Origin": "http://localhost"})
    with app.app_context():
        roles = {u.email: (u.hub_role, u.is_site_admin) for u in db.session.scalars(select(User))}
    assert roles["site.admin@example.org"][1] is True
    assert roles["hub.admin@example.org"][0] == "hub_admin"
    assert roles["facilitator@example.org"][0] == "facilitator"


def test_seed_demo_generates_and_keeps_a_password(app, monkeypatch):
    monkeypatch.delenv("LEARNHUB_DEMO_PASSWORD", raising=False)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])
    line = [x for x in first.output.splitlines() if x.startswith("Password for every demo account")][0]
    assert line.split(": ")[1].split()[0] in second.output
    password = line.split(": ")[1].split()[0]
    response = app.test_client().post("/account/sign-in", data={"email": "gp.learner@example.org", "password": password})
    assert_redirect(response)


def test_create_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-admin", "--email", "Root@Example.org", "--name", "Root Admin", "--password", "granite-puffin-orbit"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "root@example.org"))
        assert user.is_site_admin
        assert user.check_password("granite-puffin-orbit")


def test_create_admin_refuses_weak_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "a@example.org", "--name", "A", "--password", "password"]
    )
    assert result.exit_code != 0
    assert "12 characters or more" in result.output
