"""Register and invitation links under ten identical POSTs at once, against a live server (issue 13)."""

import requests
from sqlalchemy import func, select

from learnhub.accounts.models import PasswordToken, User
from learnhub.audit import Action, AuditEvent
from learnhub.extensions import db
from tests.live_concurrency import at_once, csrf_token, statuses

NEW_PASSWORD = "a-long-new-password-for-nia"


def _count(app, stmt) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(stmt)


def test_ten_identical_registrations_make_one_account_and_no_500(app, live_server_url, make_hub):
    hub_id = make_hub()
    browser = requests.Session()
    url = f"{live_server_url}/account/register"
    token = csrf_token(browser.get(url).text)
    data = {
        "csrf_token": token,
        "name": "Reg Ister",
        "email": "reg@example.org",
        "password": "a-perfectly-long-password",
        "professional_role": "nurse",
        "hub_id": str(hub_id),
    }
    cookies = browser.cookies.get_dict()
    responses = at_once(10, lambda i: requests.post(url, data=data, cookies=cookies, allow_redirects=False, timeout=120))
    # The same person double-clicked: every copy gets the same "Check your email" page (the
    # page never says whether the address already had an account), and there is one account.
    assert all(r.status_code == 200 and "Check your email" in r.text for r in responses), statuses(responses)
    assert _count(app, select(func.count()).select_from(User).where(User.email == "reg@example.org")) == 1
    registered = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == Action.ACCOUNT_REGISTERED)
    assert _count(app, registered) == 1


def test_one_invitation_link_submitted_ten_times_at_once_sets_the_password_once(app, live_server_url, make_user):
    from learnhub.accounts.services import issue_token

    user_id = make_user("nia@example.org")
    with app.test_request_context():
        user = db.session.get(User, user_id)
        user.password_hash = None  # invited, not yet signed up
        raw = issue_token(user, PasswordToken.INVITE)
        db.session.commit()
    url = f"{live_server_url}/account/invitation/{raw}"
    browser = requests.Session()
    token = csrf_token(browser.get(url).text)
    cookies = browser.cookies.get_dict()
    data = {"csrf_token": token, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    responses = at_once(10, lambda i: requests.post(url, data=data, cookies=cookies, allow_redirects=False, timeout=120))
    assert sorted(statuses(responses)) == [302] + [410] * 9, statuses(responses)
    assert all("already been used" in r.text for r in responses if r.status_code == 410)
    password_set = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == Action.ACCOUNT_PASSWORD_SET)
    assert _count(app, password_set) == 1
