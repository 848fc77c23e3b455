"""A learner in a real browser: enrol, read a module, fail then pass a knowledge check, see progress move."""

import re

import pytest
from playwright.sync_api import expect

from learnhub.courses import demo_content
from tests.browser_harness import DEMO_PASSWORD

pytestmark = pytest.mark.browser

PASSWORD = DEMO_PASSWORD


def _answer(page, questions, *, correctly: bool) -> None:  # type: ignore[no-untyped-def]
    for text, _kind, _explanation, options in questions:
        group = page.locator("fieldset", has_text=text)
        if correctly:
            chosen = [t for t, ok in options if ok]
        else:
            chosen = [next(t for t, ok in options if not ok)]
        for option in chosen:
            group.get_by_label(option, exact=True).check()
    page.get_by_role("button", name="Submit answers").click()


def test_learner_enrols_reads_fails_then_passes(page, live_server_url, axe, browser_login, demo_data):
    module = demo_content.MODULES[0]
    browser_login(page, "pharmacist.learner@example.org", demo_data)
    page.get_by_role("link", name="Courses", exact=True).first.click()
    page.get_by_role("link", name=demo_content.TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(demo_content.TITLE)
    axe(page, "course page before enrolling")

    page.get_by_role("button", name="Enrol in Autumn 2026").click()
    expect(page.locator("main")).to_contain_text("You are enrolled")
    expect(page.locator("#course-progress")).to_have_attribute("value", "0")
    axe(page, "course page")

    page.get_by_role("link", name="Start the course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(module["title"])
    expect(page.get_by_text("In progress").first).to_be_visible()
    axe(page, "module page")

    page.get_by_role("link", name="Go to the knowledge check").click()
    page.get_by_role("button", name="Start the knowledge check").click()
    expect(page.get_by_role("button", name="Submit answers")).to_be_visible()
    axe(page, "knowledge check")
    _answer(page, module["questions"], correctly=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("You did not pass this time")
    # Attempts are left: the right answers and explanations wait until the learner passes.
    expect(page.locator("#review-note")).to_contain_text("shown once you pass")
    expect(page.locator("main")).not_to_contain_text(module["questions"][0][2])
    axe(page, "failed result")

    page.get_by_role("button", name="Try again").click()
    _answer(page, module["questions"], correctly=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("You passed")
    expect(page.locator("main")).to_contain_text(module["questions"][0][2])  # the explanation, once passed
    expect(page.locator("#course-progress")).to_have_attribute("value", "14")

    page.goto(f"{live_server_url}/my-learning")
    expect(page.locator("progress.app-progress").first).to_have_attribute("value", "14")
    axe(page, "my learning")
    page.get_by_role("link", name=demo_content.TITLE).click()
    expect(page.locator("#course-progress")).to_have_attribute("value", "14")
    expect(page.get_by_role("link", name="Continue")).to_be_visible()


def test_check_page_with_errors_and_admin_pages_have_no_axe_violations(page, live_server_url, axe, browser_login, demo_data):
    browser_login(page, "gp.new@example.org", demo_data)
    page.get_by_role("link", name="My learning").first.click()
    page.get_by_role("link", name=demo_content.TITLE).click()
    page.get_by_role("link", name="Start the course").click()
    page.get_by_role("link", name="Go to the knowledge check").click()
    page.get_by_role("button", name="Start the knowledge check").click()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("answer for question 1")
    expect(page).to_have_title(re.compile(r"^Error:"))
    axe(page, "knowledge check with errors")
    page.get_by_role("button", name="Sign out").click()

    browser_login(page, "hub.admin@example.org", demo_data)
    page.goto(f"{live_server_url}/hub/courses")
    axe(page, "admin course list")
    page.get_by_role("link", name=demo_content.TITLE).click()
    axe(page, "admin course page")
    page.get_by_role("link", name="Autumn 2026").click()
    expect(page.locator("#cohort-report")).to_contain_text("Completion rate")
    axe(page, "cohort report")
    cohort_url = page.url
    for name in (
        "Dr Priya Shah",
        "Record attendance: Live workshop: supervision case discussion",
        "Enrol people from a CSV file",
        "Edit cohort",
    ):
        page.goto(cohort_url)
        page.get_by_role("link", name=name).click()
        axe(page, name)
    page.goto(cohort_url)
    page.get_by_role("link", name=demo_content.TITLE).click()
    course_url = page.url
    for name in ("Add a module", "Add a cohort", "Images for module content", "Edit course details"):
        page.goto(course_url)
        page.get_by_role("link", name=name).click()
        axe(page, name)
    page.goto(course_url)
    page.get_by_role("link", name="Questions for Types of supervision").click()
    axe(page, "questions")
    page.get_by_role("link", name="Edit question 1").click()
    axe(page, "edit question")
    page.go_back()
    page.get_by_role("button", name="Add question").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error:"))
    axe(page, "questions with errors")


def test_holder_due_for_renewal_retakes_the_course(page, live_server_url, axe, browser_login, demo_data):
    browser_login(page, "dr.okoye@example.org", demo_data)
    page.get_by_role("link", name="My learning").first.click()
    # The course's card (the "Time to renew" box above it links to the same course page).
    page.locator("a.nhsuk-card__link", has_text=demo_content.TITLE).click()
    expect(page.locator("#completed")).to_contain_text("Course completed")
    expect(page.locator("#course-progress")).to_have_count(0)  # no "0%" beside "Course completed"
    expect(page.locator("#retake")).to_have_text("Take the course again")
    expect(page.locator("main")).to_contain_text("Taking the course again is a re-take (re-take 2)")
    axe(page, "completed course offering a re-take")

    page.get_by_role("button", name="Re-take the course in Autumn 2026").click()
    expect(page.locator("main")).to_contain_text("re-take 2")
    expect(page.locator("#course-progress")).to_have_attribute("value", "0")
    page.get_by_role("link", name="My learning").first.click()
    expect(page.locator("main")).to_contain_text("Re-take 2")
    axe(page, "my learning with a re-take")


def test_author_previews_a_module(page, live_server_url, axe, browser_login, demo_data):
    browser_login(page, "hub.admin@example.org", demo_data)
    page.goto(f"{live_server_url}/hub/courses")
    page.get_by_role("link", name=demo_content.TITLE).click()
    page.get_by_role("link", name=f"Preview {demo_content.MODULES[0]['title']}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(demo_content.MODULES[0]["title"])
    expect(page.locator("#preview-note")).to_contain_text("preview of the module")
    axe(page, "module preview")
