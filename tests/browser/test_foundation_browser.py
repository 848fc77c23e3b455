"""The foundation in a real browser: demo login, home page, and axe on the public pages."""

import re

import pytest
from playwright.sync_api import expect

from learnhub.extensions import db

pytestmark = pytest.mark.browser


def test_public_pages_have_no_axe_violations(page, live_server_url, axe):
    for path in ("/", "/account/sign-in", "/account/register", "/account/password/forgot"):
        page.goto(live_server_url + path)
        axe(page)


def test_register_page_with_errors_has_no_axe_violations(page, live_server_url, axe):
    page.goto(live_server_url + "/account/register")
    with page.expect_navigation():
        page.get_by_role("button", name="Create account").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error:"))
    axe(page, "register page with errors")


def test_demo_login_reaches_home_page(page, live_server_url, axe, browser_login, demo_data):
    browser_login(page, "gp.learner@example.org", demo_data)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Dr Priya Shah")
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


def test_data_protection_pages_have_no_axe_violations(page, live_server_url, live_app, axe, browser_login, demo_data):
    """Privacy notice, "Download my data", and erasing a person (confirmation, error, done)."""
    import json

    from sqlalchemy import select

    from learnhub.accounts.models import User

    page.goto(live_server_url + "/privacy")
    axe(page, "privacy")
    browser_login(page, "gp.learner@example.org", demo_data)
    page.goto(live_server_url + "/account/profile")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data (JSON)").click()
    with open(download.value.path(), encoding="utf-8") as file:
        data = json.load(file)
    assert data["account"]["email"] == "gp.learner@example.org"
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()

    with live_app.app_context():
        learner = db.session.scalar(select(User.id).where(User.email == "gp.learner@example.org"))
    browser_login(page, "hub.admin@example.org", demo_data)
    page.goto(f"{live_server_url}/hub/users/{learner}")
    page.get_by_role("link", name="erase Dr Priya Shah's personal data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erase Dr Priya Shah's personal data")
    axe(page, "erase confirmation")
    with page.expect_navigation():
        page.get_by_role("button", name="Erase personal data").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Confirm that you understand")
    axe(page, "erase confirmation with errors")
    page.get_by_label("I understand that this person's personal data will be erased").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Erase personal data").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("personal data has been erased")
    page.goto(f"{live_server_url}/hub/users/{learner}/erase")
    expect(page.get_by_role("heading", level=1)).to_have_text("This person's personal data has been erased")
    axe(page, "erase done")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()

    browser_login(page, "site.admin@example.org", demo_data)
    page.goto(live_server_url + "/admin/people/erase")
    axe(page, "site admin erase: find")
    page.get_by_label("Email address of the person").fill("splw.member@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    expect(page.locator("#erase-what-happens")).to_be_visible()
    axe(page, "site admin erase: confirm")
