"""Issue 14's corrections and record of learning in a real browser, with axe, on the demo data.

- A certificate revoked "recorded in error" is reinstated: confirmation page (with errors), the
  verify page's history, an audit row for each step; the reinstate page fits 320 px (the reflow
  sweep cannot reach it: the demo has no revoked certificate).
- Attendance: refused before the session starts; unticking the attendance that completed the
  course withdraws the completion and revokes its certificate; ticking it again completes it;
  saving again reports no new completions.
- A learner out of attempts: the admin allows another attempt, then resets attempts; audited.
- A learner's record of learning and its tagged CPD summary PDF.
"""

import io
import re
from datetime import UTC, datetime, timedelta

import pypdf
import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from learnhub.courses import demo_content
from learnhub.extensions import db
from tests.browser_harness import DEMO_PASSWORD

pytestmark = pytest.mark.browser
PASSWORD = DEMO_PASSWORD


def _audited(live_app, action: str) -> int:  # type: ignore[no-untyped-def]
    from learnhub.audit import AuditEvent

    with live_app.app_context():
        count = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))
        db.session.remove()
    return count


def _demo_ids(live_app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from learnhub.courses.models import Cohort, Course, Module, ModuleKind

    with live_app.app_context():
        course_id = db.session.scalar(select(Course.id).where(Course.title == demo_content.TITLE))
        cohort_id = db.session.scalar(select(Cohort.id).where(Cohort.course_id == course_id, Cohort.name == "Autumn 2026"))
        live_id = db.session.scalar(select(Module.id).where(Module.course_id == course_id, Module.kind == ModuleKind.LIVE))
        first_check = db.session.scalar(
            select(Module.id).where(Module.course_id == course_id, Module.kind == ModuleKind.CHECK).order_by(Module.position)
        )
        db.session.remove()
    return {"course": course_id, "cohort": cohort_id, "live": live_id, "check": first_check}


def _fits(page, width: int = 320) -> None:  # type: ignore[no-untyped-def]
    size = page.viewport_size
    page.set_viewport_size({"width": width, "height": 800})
    try:
        page.reload()
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{page.url} is {wide} px wide at a {width} px viewport"
    finally:
        page.set_viewport_size(size)


def test_certificate_revoked_in_error_is_reinstated_with_its_history(
    page, live_app, live_server_url, axe, browser_login, demo_data
):
    browser_login(page, "hub.admin@example.org", demo_data)
    page.goto(live_server_url + "/hub/certificates?q=priya")
    page.get_by_role("link", name="Dr Priya Shah").first.click()
    found = re.search(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}", page.locator("main").inner_text())
    assert found, "the certificate page shows its code"
    code = found.group(0)
    detail_url = page.url

    page.get_by_role("link", name="Revoke this certificate").click()
    page.get_by_label("Reason for revoking").fill("Recorded in error")
    page.get_by_role("button", name="Revoke certificate").click()
    page.get_by_text(re.compile("has been revoked")).wait_for()
    # The revoke form is gone from a revoked certificate; reinstating is offered instead.
    expect(page.get_by_role("link", name="Revoke this certificate")).to_have_count(0)
    axe(page, "revoked certificate offering reinstatement")

    page.get_by_role("link", name="Reinstate this certificate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Reinstate certificate {code}?")
    expect(page.locator("main")).to_contain_text("Recorded in error")
    axe(page, "reinstate confirmation")
    _fits(page)
    page.get_by_role("button", name="Reinstate certificate").click()
    page.locator(".nhsuk-error-summary").wait_for()
    expect(page).to_have_title(re.compile(r"^Error:"))
    page.wait_for_function("() => document.activeElement && document.activeElement.classList.contains('nhsuk-error-summary')")
    axe(page, "reinstate with errors")
    page.locator("main textarea, main input[type=text]").first.fill("The learner did attend; revoked by mistake")
    page.get_by_role("button", name="Reinstate certificate").click()
    page.wait_for_url(detail_url)
    expect(page.get_by_role("link", name="Revoke this certificate")).to_be_visible()
    assert _audited(live_app, "certificate.revoked") == 1
    assert _audited(live_app, "certificate.reinstated") == 1

    page.goto(f"{live_server_url}/verify/{code}")
    expect(page.locator("#certificate-status")).to_contain_text("Status: Valid")
    main = page.locator("main")
    expect(main).to_contain_text("Recorded in error")
    expect(main).to_contain_text("The learner did attend; revoked by mistake")
    expect(main).to_contain_text("ARRS clinical supervisor")
    axe(page, "verify page with a correction history")


def test_attendance_is_refused_before_the_session_and_unticking_it_withdraws_the_completion(
    page, live_app, live_server_url, axe, browser_login, demo_data
):
    from learnhub.courses.models import Module

    ids = _demo_ids(live_app)
    url = f"{live_server_url}/hub/courses/{ids['course']}/cohorts/{ids['cohort']}/attendance/{ids['live']}"
    with live_app.app_context():
        module = db.session.get(Module, ids["live"])
        held_at = module.starts_at
        module.starts_at = datetime.now(UTC) + timedelta(days=1)
        db.session.commit()
        db.session.remove()
    browser_login(page, "hub.admin@example.org", demo_data)
    page.goto(url)
    expect(page.locator("main")).to_contain_text("This session has not started yet")
    expect(page.get_by_role("button", name="Save attendance")).to_have_count(0)
    axe(page, "attendance before the session")

    with live_app.app_context():
        db.session.get(Module, ids["live"]).starts_at = held_at
        db.session.commit()
        db.session.remove()
    page.goto(url)
    ticked = page.get_by_label(re.compile("^Dr Priya Shah"))
    expect(ticked).to_be_checked()
    axe(page, "attendance of a held session")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator("body")).to_contain_text("Attendance has been saved.")
    expect(page.locator("body")).not_to_contain_text("have now completed")  # nothing changed

    page.get_by_label(re.compile("^Dr Priya Shah")).uncheck()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator("body")).to_contain_text("no longer meet the course's requirements: their completion is withdrawn")
    axe(page, "attendance saved with a completion withdrawn")
    assert _audited(live_app, "course.completion_withdrawn") == 1
    assert _audited(live_app, "certificate.revoked") == 1

    # The holder is told on the course page, and the certificate says why it was revoked.
    page.context.clear_cookies()
    browser_login(page, "gp.learner@example.org", demo_data)
    page.goto(f"{live_server_url}/courses/{ids['course']}")
    expect(page.locator("#completion-withdrawn")).to_contain_text("Your completion of this course was withdrawn")
    expect(page.locator("main")).not_to_contain_text("Course completed")
    axe(page, "course page after the completion was withdrawn")
    page.goto(f"{live_server_url}/certificates")
    expect(page.locator("main")).to_contain_text("Revoked")

    page.context.clear_cookies()
    browser_login(page, "hub.admin@example.org", demo_data)
    page.goto(url)
    page.get_by_label(re.compile("^Dr Priya Shah")).check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator("body")).to_contain_text("1 learners have now completed the course")


def test_admin_allows_another_attempt_then_resets_attempts(page, live_app, live_server_url, axe, browser_login, demo_data):
    from learnhub.accounts.models import User
    from learnhub.courses import services
    from learnhub.courses.models import Module

    ids = _demo_ids(live_app)
    with live_app.test_request_context():
        check = db.session.get(Module, ids["check"])
        check.attempts_allowed = 1
        user = db.session.scalar(select(User).where(User.email == "gp.new@example.org"))
        enrolment = services.current_enrolment(ids["course"], user.id)
        attempt = services.start_attempt(enrolment, check)
        wrong = {q.id: {next(o.id for o in q.options if not o.correct)} for q in check.questions}
        services.submit_attempt(enrolment, check, attempt, wrong)
        db.session.commit()
        attempt_id, enrolment_id = attempt.id, enrolment.id
        db.session.remove()

    browser_login(page, "gp.new@example.org", demo_data)
    page.goto(f"{live_server_url}/courses/{ids['course']}/modules/{ids['check']}/check/attempts/{attempt_id}")
    expect(page.locator("main")).to_contain_text("Contact your training hub")

    page.context.clear_cookies()
    browser_login(page, "hub.admin@example.org", demo_data)
    page.goto(f"{live_server_url}/hub/courses/{ids['course']}/cohorts/{ids['cohort']}")
    page.get_by_role("link", name="Dr Aisha Rahman").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dr Aisha Rahman")
    axe(page, "learner page out of attempts")
    page.get_by_role("button", name="Allow another attempt").click()
    expect(page.locator("body")).to_contain_text("Dr Aisha Rahman can try")
    expect(page.locator("body")).to_contain_text("Attempts left: 1")
    assert _audited(live_app, "course.extra_attempt") == 1
    axe(page, "learner page after allowing another attempt")
    page.get_by_role("button", name="Reset attempts").click()
    expect(page.locator("body")).to_contain_text("Attempts left: 1")
    assert _audited(live_app, "course.attempts_reset") == 1

    page.context.clear_cookies()
    browser_login(page, "gp.new@example.org", demo_data)
    page.goto(f"{live_server_url}/courses/{ids['course']}/modules/{ids['check']}")
    page.get_by_role("link", name="Go to the knowledge check").click()
    expect(page.locator("main")).not_to_contain_text("Contact your training hub")
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("button", name="Submit answers")).to_be_visible()
    assert enrolment_id


def test_learner_reads_their_record_of_learning_and_downloads_the_cpd_summary(
    page, live_server_url, axe, browser_login, demo_data
):
    browser_login(page, "gp.learner@example.org", demo_data)
    page.get_by_role("link", name="My certificates").first.click()
    page.get_by_role("link", name="Your record of learning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record of learning")
    main = page.locator("main")
    expect(main).to_contain_text(demo_content.TITLE)
    expect(main).to_contain_text("CPD hours")
    expect(main).to_contain_text("Valid")
    axe(page, "record of learning")
    _fits(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Download a CPD summary")).click()
    pdf = download_info.value.path().read_bytes()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Record of learning" in text
    assert "Dr Priya Shah" in text
    assert demo_content.TITLE in re.sub(r"\s+", " ", text)
