"""Issue 14's register and certificate search in a real browser, with axe, on the demo data.

- The register shows its rules (who may supervise each ARRS role), registration body and
  number beside each holder, whether the number's format is valid, and "Who can supervise:
  Clinical pharmacist" finds the demo's senior clinical pharmacist.
- A PCN lead reaches their register from Home and from the header.
- Certificates issued: search ignores accents and case, finds part of a code, filters expired.
"""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from learnhub.extensions import db
from tests.browser_harness import DEMO_PASSWORD

pytestmark = pytest.mark.browser
PASSWORD = DEMO_PASSWORD


def _set_user(live_app, email: str, **values) -> None:  # type: ignore[no-untyped-def]
    from learnhub.accounts.models import User

    with live_app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        for key, value in values.items():
            setattr(user, key, value)
        db.session.commit()
        db.session.remove()


def _fits(page, width: int = 320) -> None:  # type: ignore[no-untyped-def]
    size = page.viewport_size
    page.set_viewport_size({"width": width, "height": 800})
    try:
        page.reload()
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{page.url} is {wide} px wide at a {width} px viewport"
    finally:
        page.set_viewport_size(size)


def test_register_shows_its_rules_and_registration_numbers(page, live_app, live_server_url, axe, browser_login, demo_data):
    _set_user(live_app, "gp.learner@example.org", registration_body="GMC", registration_number="1234567")
    _set_user(live_app, "dr.okoye@example.org", registration_body="GMC", registration_number="12AB")
    browser_login(page, "hub.admin@example.org", demo_data)
    page.goto(live_server_url + "/hub/eligibility")
    main = page.locator("main")
    expect(main).to_contain_text("GMC 1234567")

    page.get_by_label("Who can supervise").select_option("clinical_pharmacist")
    page.get_by_role("button", name="Search").click()
    expect(main.get_by_role("link", name="Anil Patel").first).to_be_visible()  # a senior clinical pharmacist
    axe(page, "register: who can supervise a clinical pharmacist")

    page.get_by_role("link", name=re.compile("Who may supervise each ARRS role")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who may supervise each ARRS role")
    table = page.locator("main table").first
    expect(table).to_contain_text("Clinical pharmacist")
    expect(table).to_contain_text("Senior clinical pharmacist")
    expect(table).to_contain_text("1 senior clinical pharmacist to no more than 5 clinical pharmacists")
    axe(page, "register rules")
    _fits(page)

    page.goto(live_server_url + "/hub/eligibility")
    page.get_by_role("link", name="Dr Priya Shah").first.click()
    expect(page.locator("main")).to_contain_text("the number's format is valid")
    axe(page, "person page with a valid registration number")
    page.goto(live_server_url + "/hub/eligibility")
    page.get_by_role("link", name="Dr Sarah Okoye").first.click()
    expect(page.locator("main")).to_contain_text("does not look right")
    axe(page, "person page with a registration number in the wrong format")


def test_pcn_lead_reaches_the_register_from_home_and_the_header(page, live_server_url, axe, browser_login, demo_data):
    browser_login(page, "facilitator2@example.org", demo_data)
    page.goto(live_server_url + "/")
    expect(page.locator("main").get_by_role("link", name="PCN supervisor register")).to_be_visible()
    page.locator("header").get_by_role("link", name="PCN supervisor register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervisor eligibility register: Riverside PCN")
    page.get_by_role("link", name=re.compile("Who may supervise each ARRS role")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who may supervise each ARRS role")
    axe(page, "PCN lead: register rules")


def test_certificates_search_ignores_accents_finds_part_of_a_code_and_filters_expired(
    page, live_app, live_server_url, axe, browser_login, demo_data
):
    from learnhub.accounts.models import User
    from learnhub.certificates.models import Certificate

    with live_app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == "gp.learner@example.org"))
        cert = db.session.scalar(select(Certificate).where(Certificate.user_id == user_id))
        cert.holder_name = "Dr Priyá Shâh"
        code = cert.code
        db.session.commit()
        db.session.remove()
    browser_login(page, "hub.admin@example.org", demo_data)
    page.goto(live_server_url + "/hub/certificates")
    main = page.locator("main")
    search = page.get_by_label("Search by holder, course or verification code")

    search.fill("priya shah")
    page.get_by_role("button", name="Search").click()
    expect(main.get_by_role("link", name="Dr Priyá Shâh")).to_be_visible()
    expect(main).not_to_contain_text("Dr Sarah Okoye")
    axe(page, "certificates found by a name typed without accents")

    page.get_by_label("Search by holder, course or verification code").fill(code[4:8].lower())
    page.get_by_role("button", name="Search").click()
    expect(main.get_by_role("link", name="Dr Priyá Shâh")).to_be_visible()

    page.get_by_label("Search by holder, course or verification code").fill("")
    page.get_by_label("Status").select_option("expired")
    page.get_by_role("button", name="Search").click()
    expect(main).to_contain_text("Dr James Whitaker")
    expect(main).not_to_contain_text("Dr Priyá Shâh")
    axe(page, "expired certificates")
