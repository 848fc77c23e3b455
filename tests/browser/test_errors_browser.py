"""WCAG 3.3.1 Error identification in Chromium: each error is named, shown inline and focusable.

- A knowledge check with unanswered questions: one summary link and one inline error per
  unanswered question; focus lands on the summary; each link focuses its question.
- A survey sent with nothing answered: each summary line names its question.
- A refused save (a flash message of category "error"): an error summary that takes focus,
  and "Error: " in the page title.
"""

import re

import pytest
from playwright.sync_api import expect

from learnhub.courses import demo_content
from tests.browser_harness import DEMO_PASSWORD

pytestmark = pytest.mark.browser

PASSWORD = DEMO_PASSWORD
_FOCUSED_SUMMARY = "() => !!document.activeElement && document.activeElement.classList.contains('nhsuk-error-summary')"
_FOCUSED_ID = "() => document.activeElement ? document.activeElement.id : null"


def test_knowledge_check_names_each_unanswered_question_inline_and_in_the_summary(
    page, live_server_url, axe, browser_login, demo_data
):
    browser_login(page, "pharmacist.learner@example.org", demo_data)
    page.get_by_role("link", name="Courses", exact=True).first.click()
    page.get_by_role("link", name=demo_content.TITLE).click()
    page.get_by_role("button", name="Enrol in Autumn 2026").click()
    page.get_by_role("link", name="Start the course").click()
    page.get_by_role("link", name="Go to the knowledge check").click()
    page.get_by_role("button", name="Start the knowledge check").click()

    questions = page.locator("#questions fieldset")
    expect(questions.nth(3)).to_be_visible()  # the attempt's page has loaded (at least 4 questions)
    count = questions.count()
    unanswered = [1, 3]  # questions 2 and 4 as shown
    for index in range(count):
        if index not in unanswered:
            questions.nth(index).locator("input").first.check()
    page.get_by_role("button", name="Submit answers").click()

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error:"))
    page.wait_for_function(_FOCUSED_SUMMARY)
    links = summary.get_by_role("link")
    expect(links).to_have_count(len(unanswered))
    for link_index, index in enumerate(unanswered):
        question = questions.nth(index)
        expect(links.nth(link_index)).to_contain_text(f"for question {index + 1}")
        # The inline error sits in the question's own fieldset and is part of its description.
        error = question.locator(".nhsuk-error-message")
        expect(error).to_be_visible()
        error_id = error.get_attribute("id")
        assert error_id in (question.get_attribute("aria-describedby") or "").split()
        first_input = question.locator("input").first.get_attribute("id")
        links.nth(link_index).click()
        page.wait_for_function(f"() => document.activeElement && document.activeElement.id === {first_input!r}")
    for index in range(count):
        if index not in unanswered:
            expect(questions.nth(index).locator(".nhsuk-error-message")).to_have_count(0)
            # What was answered is kept.
            expect(questions.nth(index).locator("input").first).to_be_checked()
    axe(page, "knowledge check with two unanswered questions")


def test_survey_error_summary_names_each_question_and_links_to_it(page, live_server_url, axe, browser_login, demo_data):
    browser_login(page, "gp.learner@example.org", demo_data)
    page.goto(f"{live_server_url}/evaluation/surveys")
    page.locator("main table a").first.click()
    page.get_by_role("button", name="Submit your answers").click()

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error:"))
    page.wait_for_function(_FOCUSED_SUMMARY)
    links = summary.get_by_role("link")
    texts = [" ".join(t.split()) for t in links.all_inner_texts()]
    assert len(texts) > 1
    assert len(set(texts)) == len(texts), f"summary lines repeat: {texts}"
    for text in texts:
        assert " for '" in text or "Answer this question" not in text, text
    # Each line names its question and its link focuses that question's first input.
    for n in range(len(texts)):
        link = links.nth(n)
        target = link.get_attribute("href").lstrip("#")
        legend_text = page.locator(f"fieldset:has(#{target}) legend, label[for={target}]").first.inner_text()
        assert " ".join(legend_text.split()) in texts[n]
        link.click()
        page.wait_for_function(f"() => document.activeElement && document.activeElement.id === {target!r}")
    axe(page, "survey with errors")


def test_a_refused_save_is_an_error_summary_that_takes_focus(page, live_server_url, axe, browser_login, demo_data):
    browser_login(page, "facilitator@example.org", demo_data)
    page.goto(f"{live_server_url}/als/facilitating")
    # The last session listed is months away: the page offers no "Record session" link for it
    # yet, and opening its record form anyway (an old bookmark) and saving is refused.
    later = page.locator('a[href^="/als/sessions/"]').last.get_attribute("href")
    page.goto(f"{live_server_url}{later}/record")
    for radio in page.locator('input[type="radio"][value="present"]').all():
        radio.check()
    page.locator("#notes").fill("We talked about supervision contracts.")
    page.get_by_role("button", name="Save the session record").click()

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("can be recorded from")
    expect(page).to_have_title(re.compile(r"^Error:"))
    page.wait_for_function(_FOCUSED_SUMMARY)
    expect(page.locator(".nhsuk-notification-banner")).to_have_count(0)
    axe(page, "refused session record")
