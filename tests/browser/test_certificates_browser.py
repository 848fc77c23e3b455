"""Certificates in a real browser: download, verify by the printed URL, revoke; axe on every page."""

import io
import re

import pypdf
import pytest
from playwright.sync_api import expect

from learnhub.extensions import db

pytestmark = pytest.mark.browser
PASSWORD = "demo-browser-password-42"


@pytest.fixture
def demo_data(live_app, live_server_url):  # type: ignore[no-untyped-def]
    """Load the demo data; the demo certificate's verify URL points at the live server."""
    from learnhub.demo import DemoContext, run_steps

    with live_app.test_request_context(base_url=live_server_url):
        run_steps(DemoContext(password=PASSWORD, password_from_env=True))
        db.session.remove()
    return PASSWORD


def test_learner_downloads_verifies_and_admin_revokes(page, live_server_url, axe, browser_login, demo_data):
    browser_login(page, "gp.learner@example.org", demo_data)
    page.get_by_role("link", name="My certificates").first.click()
    page.wait_for_url("**/certificates")
    assert page.get_by_role("heading", level=1).inner_text() == "My certificates"
    axe(page, "my certificates")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Download PDF")).click()
    pdf = download_info.value.path().read_bytes()
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Dr Priya Shah" in text
    assert "Supervising ARRS roles in primary care" in text
    flat = re.sub(r"\s+", "", text)
    url = re.search(re.escape(live_server_url) + r"/verify/[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}", flat).group(0)

    page.goto(url)
    assert "Status: Valid" in page.locator("#certificate-status").inner_text()
    expect(page.locator("body")).to_contain_text("Dr Priya Shah")
    axe(page, "verify page (valid)")
    page.get_by_role("button", name="Sign out").click()

    browser_login(page, "hub.admin@example.org", demo_data)
    page.goto(live_server_url + "/hub/certificates")
    axe(page, "certificates list")
    page.get_by_role("link", name="Dr Priya Shah").click()
    page.get_by_role("button", name="Revoke certificate").wait_for()
    axe(page, "certificate detail")
    page.get_by_role("button", name="Revoke certificate").click()
    page.locator(".nhsuk-error-summary").wait_for()
    assert page.title().startswith("Error:")
    axe(page, "revoke with errors")
    page.get_by_label("Reason for revoking").fill("Issued to the wrong person")
    page.get_by_role("button", name="Revoke certificate").click()
    page.get_by_text(re.compile("has been revoked")).wait_for()

    page.goto(url)
    status = page.locator("#certificate-status").inner_text()
    assert "Status: Revoked" in status
    assert "Issued to the wrong person" in status
    axe(page, "verify page (revoked)")


def _demo_course_id(live_app) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from learnhub.courses.models import Course

    with live_app.app_context():
        return db.session.scalar(select(Course.id).where(Course.title == "Supervising ARRS roles in primary care"))


def test_register_and_admin_pages_have_no_axe_violations(page, live_app, live_server_url, axe, browser_login, demo_data):
    course_id = _demo_course_id(live_app)
    browser_login(page, "hub.admin@example.org", demo_data)
    for path in (
        "/hub/eligibility",
        "/hub/eligibility?role=clinical_pharmacist&status=current",
        "/hub/eligibility?within=soon",
        f"/hub/courses/{course_id}/eligibility",
        "/hub/certificates/bulk",
    ):
        page.goto(live_server_url + path)
        axe(page, path)
    page.goto(live_server_url + "/hub/eligibility")
    page.get_by_role("link", name="Dr Priya Shah").first.click()
    page.get_by_role("heading", name="History").wait_for()
    expect(page.locator("body")).to_contain_text("Granted until")
    axe(page, "eligibility history of one person")
    page.goto(live_server_url + f"/hub/courses/{course_id}/eligibility")
    page.get_by_role("button", name="Add eligibility").click()
    page.locator(".nhsuk-error-summary").wait_for()
    assert page.title().startswith("Error:")
    axe(page, "declaration with errors")


def test_public_verify_pages_have_no_axe_violations(page, live_server_url, axe):
    page.goto(live_server_url + "/verify")
    axe(page, "verify form")
    page.get_by_label("Verification code").fill("ABCD-EFGH-U")
    page.get_by_role("button", name="Check certificate").click()
    page.locator(".nhsuk-error-summary").wait_for()
    assert "Error:" in page.title()
    axe(page, "verify form with errors")
    page.goto(live_server_url + "/verify/0000-0000-0000-0000")
    assert page.get_by_role("heading", level=1).inner_text() == "Certificate not found"
    axe(page, "not found")
