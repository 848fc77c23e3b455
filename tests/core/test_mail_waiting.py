"""Mail the server did not take: hub administrators see who is waiting, IT resends it once.

docs/operations.md ("When something fails") promises: an invitation is never reported as sent
when it was not; a hub administrator sees which of their people are waiting for an email (and
never another hub's people, nor the one-time links); ``flask mail resend`` delivers every
waiting message exactly once when the mail server works again; ``/healthz`` counts them.
"""

import threading
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from benchmarks.load import free_port
from learnhub.mail import resend_waiting, waiting_messages

INVITE = {"name": "Ana Nowak", "email": "ana.nowak@example.org", "professional_role": "gp", "hub_role": "learner"}


class Collector:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802 - aiosmtpd's name
        with self.lock:
            self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp_server():  # type: ignore[no-untyped-def]
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, collector
    controller.stop()


def _admin_client(app, make_user, make_hub, email):  # type: ignore[no-untyped-def]
    from learnhub.accounts.models import User
    from learnhub.extensions import db

    hub_id = make_hub()
    admin_id = make_user(email, hub_id=hub_id, hub_role="hub_admin")
    client = app.test_client()
    with app.app_context():
        session_id = db.session.get(User, admin_id).get_id()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    return client


def _invite(client, **overrides):  # type: ignore[no-untyped-def]
    response = client.post("/hub/users/invite", data={**INVITE, **overrides})
    response.close()  # a WSGI server closes the response once sent: that is when SMTP is tried
    return response


def test_without_a_mail_server_an_invitation_is_said_to_wait_not_to_be_sent(make_app, make_user, make_hub):
    app = make_app()
    client = _admin_client(app, make_user, make_hub, "admin@example.org")
    page = client.post("/hub/users/invite", data=INVITE, follow_redirects=True).get_data(as_text=True)
    assert "invitation to ana.nowak@example.org is waiting to be sent" in page
    assert "has been sent" not in page


def test_hub_admins_see_their_own_peoples_waiting_mail_and_never_the_link(make_app, make_user, make_hub):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False)  # nothing listens there
    hub_a = _admin_client(app, make_user, make_hub, "admin.a@example.org")
    hub_b = _admin_client(app, make_user, make_hub, "admin.b@example.org")
    assert "Emails not sent" not in hub_a.get("/hub").get_data(as_text=True)

    _invite(hub_a)
    _invite(hub_b, name="Bea Other", email="bea.other@example.org")
    _invite(hub_b, name="Cy Other", email="cy.other@example.org")

    home_a = hub_a.get("/hub").get_data(as_text=True)
    assert "1 email to people in your hub is waiting" in home_a
    listing_a = hub_a.get("/hub/mail-waiting").get_data(as_text=True)
    assert "ana.nowak@example.org" in listing_a
    assert "You have been invited to LearnHub" in listing_a
    assert "bea.other" not in listing_a
    assert "cy.other" not in listing_a
    (invitation,) = [m for m in app.extensions["outbox"] if m["To"] == "ana.nowak@example.org"]
    token = invitation.get_content().split("/invitation/")[1].split()[0]
    assert token not in listing_a
    assert "2 emails to people in your hub are waiting" in hub_b.get("/hub").get_data(as_text=True)

    health = app.test_client().get("/healthz").get_json()
    assert health["mail"] == {"status": "messages waiting", "waiting": 3, "bounced": 0}
    assert health["status"] == "degraded"


def test_resend_delivers_each_waiting_message_once_even_when_run_twice_at_once(make_app, make_user, make_hub, smtp_server):
    port, collector = smtp_server
    down = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False)
    client = _admin_client(down, make_user, make_hub, "admin@example.org")
    for n in range(6):
        _invite(client, name=f"Person {n}", email=f"person{n}@example.org")
    assert len(waiting_messages(down)) == 6

    up = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    up.instance_path = down.instance_path  # the same server's outbox
    results: list[tuple[int, int]] = []
    runs = [threading.Thread(target=lambda: results.append(resend_waiting(up))) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()

    assert sum(sent for sent, _ in results) == 6
    assert all(failed == 0 for _, failed in results)
    recipients = sorted(line for m in collector.messages for line in m.decode().splitlines() if line.startswith("To: "))
    assert recipients == [f"To: person{n}@example.org" for n in range(6)]
    assert waiting_messages(up) == []
    assert not list(Path(up.instance_path).glob("test-outbox/*"))
    assert "Emails not sent" not in client.get("/hub").get_data(as_text=True)


def test_resend_keeps_what_the_server_still_refuses_and_the_command_says_so(make_app, make_user, make_hub):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False)
    client = _admin_client(app, make_user, make_hub, "admin@example.org")
    _invite(client)
    result = app.test_cli_runner().invoke(args=["mail", "resend"])
    assert result.exit_code == 1
    assert "Sent 0; still waiting 1." in result.output
    listing = app.test_cli_runner().invoke(args=["mail", "waiting"])
    assert "ana.nowak@example.org" in listing.output
    assert "1 message waiting." in listing.output
    assert len(waiting_messages(app)) == 1


def test_resend_without_a_mail_server_says_what_to_set(make_app):
    result = make_app().test_cli_runner().invoke(args=["mail", "resend"])
    assert result.exit_code == 1
    assert "LEARNHUB_MAIL_SERVER is not set" in result.output
