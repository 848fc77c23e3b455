"""The foundation in a real browser: demo login, home page, and axe on the public pages."""

import pytest
from playwright.sync_api import expect

from learnhub.extensions import db

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_data(live_app):  # type: ignore[no-untyped-def]
    """Load the real demo data into the live server's database."""
    from learnhub.demo import DemoContext, run_steps

    with live_app.app_context():
        run_steps(DemoContext(password="demo-browser-password-42", password_from_env=True))
        db.session.remove()
    return "demo-browser-password-42"


def test_public_pages_have_no_axe_violations(page, live_server_url, axe):
    for path in ("/", "/account/sign-in", "/account/register", "/account/password/forgot"):
        page.goto(live_server_url + path)
        axe(page)


def test_register_page_with_errors_has_no_axe_violations(page, live_server_url, axe):
    page.goto(live_server_url + "/account/register")
    with page.expect_navigation():
        page.get_by_role("button", name="Create account").click()
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert page.title().startswith("Error:")
    axe(page, "register page with errors")


def test_demo_login_reaches_home_page(page, live_server_url, axe, browser_login, demo_data):
    browser_login(page, "gp.learner@example.org", demo_data)
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Dr Priya Shah"
    expect(page.locator("body")).to_contain_text("Riverside PCN")
    axe(page, "home page")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("You have signed out")


def test_hub_admin_pages_have_no_axe_violations(page, live_server_url, axe, browser_login, demo_data):
    browser_login(page, "hub.admin@example.org", demo_data)
    for path in (
        "/hub",
        "/hub/audit",
        "/hub/users",
        "/hub/users/invite",
        "/hub/users/import",
        "/hub/structure",
        "/account/profile",
    ):
        page.goto(live_server_url + path)
        axe(page, path)
