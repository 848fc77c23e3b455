"""Issue 19's supervision pages in a real browser, with axe, on the demo data.

The demo PCN lead reaches the supervision dashboard from the header, opens the staff list, a
staff member and the picker, assigns a supervisor for a missing kind, and the dashboard's count
of staff without a required supervisor drops by one; the supervisee's "My supervision" page
and the hub view pass axe too.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_lead_assigns_a_missing_supervisor_through_the_pages(page, live_server_url, axe, browser_login, demo_data):  # type: ignore[no-untyped-def]
    browser_login(page, "facilitator2@example.org", demo_data)
    page.get_by_role("link", name="PCN supervision").first.click()
    axe(page, "PCNs the lead manages")
    page.get_by_role("link", name="Riverside PCN").click()
    expect(page.locator("#count-uncovered")).to_have_text("9")
    axe(page, "supervision dashboard")
    page.get_by_role("link", name=re.compile(r"Assign named day-to-day contact for Tom Reeve")).click()
    axe(page, "picker")
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Assign supervisor").click()
    expect(page.locator("main")).to_contain_text("Tom Reeve")
    axe(page, "staff member")
    page.goto(page.url.rsplit("/pcn/", 1)[0] + "/pcn/supervision")
    page.get_by_role("link", name="Riverside PCN").click()
    expect(page.locator("#count-uncovered")).to_have_text("9")  # Tom still needs a clinical supervisor
    page.get_by_role("link", name=re.compile(r"ARRS staff list")).click()
    axe(page, "staff list")
    page.get_by_role("link", name="Import staff from a CSV file").click()
    axe(page, "import")


def test_supervisee_and_hub_pages_pass_axe(page, live_server_url, axe, browser_login, demo_data):  # type: ignore[no-untyped-def]
    browser_login(page, "splw.member@example.org", demo_data)
    page.goto(live_server_url + "/supervision")
    expect(page.locator("#supervised-by")).to_contain_text("Dr Sarah Bell")
    axe(page, "my supervision")
    page.locator("#supervised-by a").first.click()
    axe(page, "arrangement and log")
    page.context.clear_cookies()
    browser_login(page, "hub.admin@example.org", demo_data)
    page.goto(live_server_url + "/hub/supervision")
    axe(page, "hub view")
