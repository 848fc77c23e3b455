"""Issue 14 in a real browser, with axe: the completion override (record and withdraw by hand),
the renewal prompt for the demo's GP due for renewal, and 375 px pages that do not scroll
sideways (register, Certificates issued, My certificates)."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from learnhub.courses import demo_content
from learnhub.extensions import db
from tests.browser_harness import DEMO_PASSWORD

pytestmark = pytest.mark.browser
PASSWORD = DEMO_PASSWORD


def _cohort_url(live_app, cohort_name: str = "Autumn 2026") -> str:  # type: ignore[no-untyped-def]
    from learnhub.courses.models import Cohort, Course

    with live_app.app_context():
        course_id = db.session.scalar(select(Course.id).where(Course.title == demo_content.TITLE))
        cohort_id = db.session.scalar(select(Cohort.id).where(Cohort.course_id == course_id, Cohort.name == cohort_name))
        db.session.remove()
    return f"/hub/courses/{course_id}/cohorts/{cohort_id}"


def _fits(page, width: int) -> None:  # type: ignore[no-untyped-def]
    """The page reflows at ``width`` CSS px (no sideways scrolling), then goes back to the test's size."""
    size = page.viewport_size
    page.set_viewport_size({"width": width, "height": 800})
    try:
        page.reload()  # laid out afresh at this width, as a phone would load it
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{page.url} is {wide} px wide at a {width} px viewport"
    finally:
        page.set_viewport_size(size)


def test_admin_records_then_withdraws_a_completion_by_hand(page, live_app, live_server_url, axe, browser_login, demo_data):
    browser_login(page, "hub.admin@example.org", demo_data)
    page.goto(live_server_url + _cohort_url(live_app))
    page.get_by_role("link", name="Dr Tom Baker").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dr Tom Baker")
    expect(page.locator("main")).to_contain_text("Not completed.")
    axe(page, "learner page before the override")

    page.get_by_role("link", name="Record a completion by hand").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Are you sure you want to record Dr Tom Baker's completion?")
    axe(page, "record completion confirmation")
    _fits(page, 320)
    page.get_by_role("button", name="Record completion").click()
    page.locator(".nhsuk-error-summary").wait_for()
    expect(page).to_have_title(re.compile(r"^Error:"))
    axe(page, "record completion with errors")
    page.get_by_label("Reason for recording the completion").fill("Attended this course at Northshire hub in March")
    page.get_by_role("button", name="Record completion").click()
    expect(page.locator("body")).to_contain_text("has been recorded and a certificate issued")
    expect(page.locator("#completion ~ p").first).to_contain_text("recorded by hand by")
    axe(page, "learner page with a completion recorded by hand")
    code_link = page.locator("#completion ~ p a").first
    expect(code_link).to_have_text(re.compile(r"^\s*[0-9A-Z]{4}(-[0-9A-Z]{4}){3}\s*$"))
    code = code_link.inner_text().strip()

    page.get_by_role("link", name="Withdraw this completion").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Are you sure you want to withdraw Dr Tom Baker's completion?")
    expect(page.locator("main")).to_contain_text(f"Certificate {code} is revoked with your reason")
    axe(page, "withdraw completion confirmation")
    _fits(page, 320)
    page.get_by_label("Reason for withdrawing the completion").fill("Recorded for the wrong person")
    page.get_by_role("button", name="Withdraw completion").click()
    expect(page.locator("body")).to_contain_text("has been withdrawn and its certificate revoked")
    expect(page.get_by_role("link", name="Record a completion by hand")).to_be_visible()

    page.goto(f"{live_server_url}/verify/{code}")
    status = page.locator("#certificate-status")
    expect(status).to_contain_text("Status: Revoked")
    expect(status).to_contain_text("Completion withdrawn: Recorded for the wrong person")
    axe(page, "verify page of a withdrawn completion's certificate")


def test_gp_due_for_renewal_is_prompted_and_starts_a_retake(page, live_server_url, axe, browser_login, demo_data):
    browser_login(page, "dr.okoye@example.org", demo_data)
    for path, name in (("/my-learning", "My learning"), ("/certificates", "My certificates"), ("/", "Home")):
        page.goto(live_server_url + path)
        prompt = page.locator(".app-renewal").first
        expect(prompt).to_contain_text("Time to renew")
        expect(prompt).to_contain_text("renewal is open")
        expect(prompt.get_by_role("button", name=re.compile("Re-take the course in Autumn 2026"))).to_be_visible()
        axe(page, f"{name} with a renewal prompt")

    page.locator(".app-renewal").first.get_by_role("button", name=re.compile("Re-take the course in Autumn 2026")).click()
    expect(page.locator("body")).to_contain_text("re-take 2")
    expect(page.get_by_role("link", name="Start the course")).to_be_visible()
    page.goto(live_server_url + "/")
    expect(page.locator(".app-renewal").first).to_contain_text("Autumn 2026, re-take 2")
    axe(page, "Home with a re-take under way")


@pytest.mark.parametrize(
    ("email", "path"),
    [
        ("hub.admin@example.org", "/hub/eligibility"),
        ("hub.admin@example.org", "/hub/certificates"),
        ("dr.okoye@example.org", "/certificates"),
    ],
)
def test_pages_fit_a_375_px_screen(page, live_server_url, browser_login, demo_data, email, path):
    page.set_viewport_size({"width": 375, "height": 812})
    browser_login(page, email, demo_data)
    page.goto(live_server_url + path)
    expect(page.locator("table").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{path} is {width} px wide at a 375 px viewport"
