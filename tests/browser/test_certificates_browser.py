"""Certificates in a real browser: complete the course, download, verify by the printed URL, revoke;
bulk issue for a cohort; a PCN lead's register; axe on every page."""

import io
import re

import pypdf
import pytest
from playwright.sync_api import expect

from learnhub.courses import demo_content
from learnhub.extensions import db
from tests.browser_harness import DEMO_PASSWORD

pytestmark = pytest.mark.browser
PASSWORD = DEMO_PASSWORD


def _answer_correctly(page, questions) -> None:  # type: ignore[no-untyped-def]
    for text, _kind, _explanation, options in questions:
        group = page.locator("fieldset", has_text=text)
        for option in (t for t, ok in options if ok):
            group.get_by_label(option, exact=True).check()
    page.get_by_role("button", name="Submit answers").click()


def _remaining_checks(live_app, email: str) -> tuple[int, list[tuple[int, int]]]:  # type: ignore[no-untyped-def]
    """Record the halfway learner's live-session attendance (the hub does that) and list the checks they have left.

    Returns the course id and (module id, index into demo_content.MODULES) of each check not passed yet.
    """
    from sqlalchemy import select

    from learnhub.accounts.models import User
    from learnhub.courses import services
    from learnhub.courses.models import Course

    with live_app.test_request_context():
        course_id = db.session.scalar(select(Course.id).where(Course.title == demo_content.TITLE))
        course = services.load_course(course_id, questions=True)
        admin = db.session.scalar(select(User).where(User.email == "hub.admin@example.org"))
        learner = db.session.scalar(select(User).where(User.email == email))
        enrolment = services.current_enrolment(course.id, learner.id)
        live = next(m for m in course.modules if m.is_live)
        services.record_attendance(admin, live, [enrolment], {enrolment.id})
        db.session.commit()  # course services do not commit: the unit of work (here the test) does
        checks = [m for m in course.modules if m.is_check]
        left = [
            (m.id, index)
            for index, m in enumerate(checks)
            if not any(a.passed for a in enrolment.attempts if a.module_id == m.id)
        ]
        db.session.remove()
    return course_id, left


def test_learner_completes_course_downloads_verifies_and_admin_revokes(
    page, live_app, live_server_url, axe, browser_login, demo_data
):
    course_id, left = _remaining_checks(live_app, "gp.halfway@example.org")
    assert left, "the demo's halfway learner should have knowledge checks left"
    browser_login(page, "gp.halfway@example.org", demo_data)
    page.goto(f"{live_server_url}/certificates")
    expect(page.get_by_role("heading", level=1)).to_have_text("My certificates")
    expect(page.locator("main")).to_contain_text("You have no certificates yet")

    # The learner passes the knowledge checks they have left: the last one completes the course.
    for module_id, index in left:
        page.goto(f"{live_server_url}/courses/{course_id}/modules/{module_id}")
        page.get_by_role("link", name="Go to the knowledge check").click()
        page.get_by_role("button", name="Start the knowledge check").click()
        _answer_correctly(page, demo_content.MODULES[index]["questions"])
        expect(page.get_by_role("heading", level=1)).to_have_text("You passed")
    page.goto(f"{live_server_url}/courses/{course_id}")
    expect(page.locator("main")).to_contain_text("Course completed")

    page.get_by_role("link", name="My certificates").first.click()
    page.wait_for_url("**/certificates")
    expect(page.locator("main")).to_contain_text(demo_content.TITLE)
    axe(page, "my certificates")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Download PDF")).click()
    pdf = download_info.value.path().read_bytes()
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Dr Tom Baker" in text
    assert demo_content.TITLE in text
    flat = re.sub(r"\s+", "", text)
    url = re.search(re.escape(live_server_url) + r"/verify/[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}", flat).group(0)

    # The URL printed under the QR code (the QR encodes the same URL) shows the certificate as valid.
    page.goto(url)
    expect(page.locator("#certificate-status")).to_contain_text("Status: Valid")
    expect(page.locator("body")).to_contain_text("Dr Tom Baker")
    axe(page, "verify page (valid)")
    page.get_by_role("button", name="Sign out").click()

    browser_login(page, "hub.admin@example.org", demo_data)
    page.goto(live_server_url + "/hub/certificates")
    axe(page, "certificates list")
    page.get_by_role("link", name="Dr Tom Baker").click()
    page.get_by_role("link", name="Revoke this certificate").wait_for()
    axe(page, "certificate detail")
    page.get_by_role("link", name="Revoke this certificate").click()
    page.get_by_role("heading", name=re.compile("Are you sure you want to revoke")).wait_for()
    axe(page, "revoke confirmation page")
    page.get_by_role("button", name="Revoke certificate").click()
    page.locator(".nhsuk-error-summary").wait_for()
    expect(page).to_have_title(re.compile(r"^Error:"))
    axe(page, "revoke with errors")
    page.get_by_label("Reason for revoking").fill("Issued to the wrong person")
    page.get_by_role("button", name="Revoke certificate").click()
    page.get_by_text(re.compile("has been revoked")).wait_for()

    page.goto(url)
    status = page.locator("#certificate-status")
    expect(status).to_contain_text("Status: Revoked")
    expect(status).to_contain_text("Issued to the wrong person")
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
    expect(page).to_have_title(re.compile(r"^Error:"))
    axe(page, "declaration with errors")


def test_cohort_issue_page_and_progress_have_no_axe_violations(page, live_server_url, axe, browser_login, demo_data):
    browser_login(page, "hub.admin@example.org", demo_data)
    page.goto(live_server_url + "/hub/certificates")
    page.get_by_role("link", name="Issue or re-issue certificates for a cohort").click()
    axe(page, "cohorts for bulk issue")
    page.get_by_role("link", name="Autumn 2026").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificates for Autumn 2026")
    expect(page.locator("main")).to_contain_text("There is nothing to issue")
    axe(page, "cohort certificates page")
    page.get_by_role("button", name=re.compile(r"^Re-issue 1 certificate")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Re-issuing certificates")
    expect(page.locator("#job-progress")).to_contain_text("1 of 1 certificate re-issued")
    expect(page.locator("meta[http-equiv=refresh]")).to_have_count(0)
    axe(page, "bulk job progress")
    page.goto(live_server_url + "/hub/certificates/bulk")
    page.get_by_role("link", name="Certificate jobs that need a look").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificate jobs that need a look")
    expect(page.locator("#no-jobs-needing-attention")).to_be_visible()
    axe(page, "certificate jobs that need a look")


def test_pcn_lead_sees_only_their_pcn_in_the_register(page, live_server_url, axe, browser_login, demo_data):
    browser_login(page, "facilitator2@example.org", demo_data)
    page.get_by_role("link", name="My certificates").first.click()
    page.get_by_role("link", name=re.compile("is eligible to supervise")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervisor eligibility register: Riverside PCN")
    expect(page.locator("main")).to_contain_text("Dr Priya Shah")  # Riverside PCN
    expect(page.locator("main")).not_to_contain_text("Moorland")
    axe(page, "PCN lead register")
    page.get_by_role("link", name="Dr Priya Shah").first.click()
    page.get_by_role("heading", name="History").wait_for()
    axe(page, "PCN lead: one person's eligibility")


def test_hub_admin_grants_pcn_lead_access_without_axe_violations(page, live_server_url, axe, browser_login, demo_data):
    browser_login(page, "hub.admin@example.org", demo_data)
    page.goto(live_server_url + "/hub/users?q=gp.new")
    page.get_by_role("link", name="Dr Aisha Rahman").click()
    page.get_by_role("link", name=re.compile("Change PCN lead access")).click()
    axe(page, "PCN lead access form")
    page.get_by_label("Moorland PCN").check()
    page.get_by_role("button", name="Save PCN lead access").click()
    expect(page.locator("body")).to_contain_text("can now see the supervisor register for Moorland PCN")


def test_public_verify_pages_have_no_axe_violations(page, live_server_url, axe):
    page.goto(live_server_url + "/verify")
    axe(page, "verify form")
    page.get_by_label("Verification code").fill("ABCD-EFGH-U")
    page.get_by_role("button", name="Check certificate").click()
    page.locator(".nhsuk-error-summary").wait_for()
    expect(page).to_have_title(re.compile("Error:"))
    axe(page, "verify form with errors")
    page.goto(live_server_url + "/verify/0000-0000-0000-0000")
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificate not found")
    axe(page, "not found")
