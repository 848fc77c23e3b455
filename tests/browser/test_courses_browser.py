"""A learner in a real browser: enrol, read a module, fail then pass a knowledge check, see progress move."""

import pytest

from learnhub.courses import demo_content
from learnhub.extensions import db

pytestmark = pytest.mark.browser

PASSWORD = "demo-browser-password-42"


@pytest.fixture
def demo_data(live_app):  # type: ignore[no-untyped-def]
    """Load the real demo data (including the demo course) into the live server's database."""
    from learnhub.demo import DemoContext, run_steps

    with live_app.app_context():
        run_steps(DemoContext(password=PASSWORD, password_from_env=True))
        db.session.remove()
    return PASSWORD


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
    assert page.get_by_role("heading", level=1).inner_text() == demo_content.TITLE
    axe(page, "course page before enrolling")

    page.get_by_role("button", name="Enrol in Autumn 2026").click()
    assert "You are enrolled" in page.content()
    assert page.locator("#course-progress").get_attribute("value") == "0"
    axe(page, "course page")

    page.get_by_role("link", name="Start the course").click()
    assert page.get_by_role("heading", level=1).inner_text() == module["title"]
    assert page.get_by_text("In progress").first.is_visible()
    axe(page, "module page")

    page.get_by_role("link", name="Go to the knowledge check").click()
    page.get_by_role("button", name="Start the knowledge check").click()
    axe(page, "knowledge check")
    _answer(page, module["questions"], correctly=False)
    assert "You did not pass this time" in page.content()
    assert module["questions"][0][2] in page.content()  # the explanation is shown
    axe(page, "failed result")

    page.get_by_role("button", name="Try again").click()
    _answer(page, module["questions"], correctly=True)
    assert "You passed" in page.content()
    assert page.locator("#course-progress").get_attribute("value") == "14"

    page.goto(f"{live_server_url}/my-learning")
    assert page.locator("progress.app-progress").first.get_attribute("value") == "14"
    axe(page, "my learning")
    page.get_by_role("link", name=demo_content.TITLE).click()
    assert page.locator("#course-progress").get_attribute("value") == "14"
    assert "Continue" in page.content()


def test_check_page_with_errors_and_admin_pages_have_no_axe_violations(page, live_server_url, axe, browser_login, demo_data):
    browser_login(page, "gp.new@example.org", demo_data)
    page.get_by_role("link", name="My learning").first.click()
    page.get_by_role("link", name=demo_content.TITLE).click()
    page.get_by_role("link", name="Start the course").click()
    page.get_by_role("link", name="Go to the knowledge check").click()
    page.get_by_role("button", name="Start the knowledge check").click()
    page.get_by_role("button", name="Submit answers").click()
    assert page.title().startswith("Error:")
    assert "Answer every question" in page.content()
    axe(page, "knowledge check with errors")
    page.get_by_role("button", name="Sign out").click()

    browser_login(page, "hub.admin@example.org", demo_data)
    page.goto(f"{live_server_url}/hub/courses")
    axe(page, "admin course list")
    page.get_by_role("link", name=demo_content.TITLE).click()
    axe(page, "admin course page")
    page.get_by_role("link", name="Autumn 2026").click()
    assert "Completion rate" in page.content()
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
    page.get_by_role("button", name="Add question").click()
    assert page.title().startswith("Error:")
    axe(page, "questions with errors")
