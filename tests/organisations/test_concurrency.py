"""Ten identical POSTs at once (a double click, an impatient user) against a live server.

The first wins; the others get the same outcome page (a redirect to the object, with a
message), never a 500, and nothing is created twice. Run on SQLite and PostgreSQL.
"""

import time

from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.audit import AuditEvent
from learnhub.extensions import db
from learnhub.notifications.models import OutboxMessage
from learnhub.organisations.models import Hub, Pcn
from tests.live_concurrency import csrf_token, post_at_once, signed_in, statuses


def _sent(live_app, address: str) -> list:  # type: ignore[no-untyped-def]
    return [m for m in live_app.extensions.get("outbox", []) if address in str(m["To"])]


def _count(app, stmt) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(stmt)


def test_ten_identical_create_hub_posts_make_one_hub(app, live_server_url, make_user):
    make_user("root@example.org", is_site_admin=True, no_hub=True)
    browser = signed_in(live_server_url, "root@example.org")
    token = csrf_token(browser.get(f"{live_server_url}/admin/hubs").text)
    responses = post_at_once(
        browser, f"{live_server_url}/admin/hubs", {"csrf_token": token, "name": "Coastal Training Hub", "signatory": "Dr Sea"}
    )
    # The first creates it; the others land on it too, or (if they arrived after it was
    # committed) see the form's own message. Never a 500.
    assert all(r.status_code in (200, 302) for r in responses), statuses(responses)
    assert all("already" in r.text for r in responses if r.status_code == 200)
    assert len({r.headers["Location"] for r in responses if r.status_code == 302}) == 1
    assert _count(app, select(func.count()).select_from(Hub).where(Hub.name == "Coastal Training Hub")) == 1
    assert _count(app, select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "hub.created")) == 1


def test_ten_identical_invites_make_one_account_and_send_one_email(app, live_app, live_server_url, make_user):
    hub_admin = make_user("admin@example.org", hub_role="hub_admin")
    browser = signed_in(live_server_url, "admin@example.org")
    token = csrf_token(browser.get(f"{live_server_url}/hub/users/invite").text)
    data = {
        "csrf_token": token,
        "name": "Nia Newcomer",
        "email": "nia@example.org",
        "professional_role": "nurse",
        "hub_role": "learner",
    }
    responses = post_at_once(browser, f"{live_server_url}/hub/users/invite", data)
    assert all(r.status_code in (302, 200) for r in responses), statuses(responses)
    assert sum(r.status_code == 302 for r in responses) >= 1
    assert _count(app, select(func.count()).select_from(User).where(User.email == "nia@example.org")) == 1
    assert _count(app, select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "user.invited")) == 1
    # One email written to the outbox; it is delivered after the response, so wait for it.
    queued = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.to_address == "nia@example.org")
    assert _count(app, queued) == 1
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not _sent(live_app, "nia@example.org"):
        time.sleep(0.1)
    time.sleep(0.5)  # and a moment more for any second delivery
    assert len(_sent(live_app, "nia@example.org")) == 1
    assert hub_admin


def test_ten_identical_add_pcn_posts_make_one_pcn(app, live_server_url, make_user):
    make_user("admin@example.org", hub_role="hub_admin")
    browser = signed_in(live_server_url, "admin@example.org")
    token = csrf_token(browser.get(f"{live_server_url}/hub/structure").text, "pcn-csrf_token")
    url = f"{live_server_url}/hub/structure/pcns"
    responses = post_at_once(browser, url, {"pcn-csrf_token": token, "pcn-pcn_name": "Coastal PCN"})
    assert all(r.status_code in (302, 400) for r in responses), statuses(responses)
    assert sum(r.status_code == 302 for r in responses) == 1
    assert all("already has a PCN" in r.text for r in responses if r.status_code == 400)
    assert _count(app, select(func.count()).select_from(Pcn).where(Pcn.name == "Coastal PCN")) == 1
