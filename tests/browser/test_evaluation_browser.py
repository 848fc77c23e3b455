"""Evaluation in a real browser: a participant answers before and after; the hub admin sees the result."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from werkzeug.security import generate_password_hash

from learnhub.extensions import db

pytestmark = pytest.mark.browser

PASSWORD = "browser-evaluation-password-7"


@pytest.fixture
def evaluation_setup(live_app):  # type: ignore[no-untyped-def]
    """A hub with an admin, a participant and eight others who have already answered before and after."""
    from learnhub.accounts.models import User
    from learnhub.evaluation import services
    from learnhub.evaluation.models import POST, PRE, Invitee
    from learnhub.organisations.models import Hub, Pcn
    from learnhub.roles import HubRole
    from learnhub.timeutil import utcnow
    from tests.evaluation.conftest import SECTIONS

    password_hash = generate_password_hash(PASSWORD)
    with live_app.app_context():
        hub = Hub(name="Browser Evaluation Hub")
        pcn = Pcn(hub=hub, name="Browser PCN")
        db.session.add_all([hub, pcn])
        db.session.flush()

        def person(email: str, role: str = HubRole.LEARNER.value, profession: str = "gp") -> User:
            user = User(
                email=email,
                name=email.split("@")[0].title(),
                password_hash=password_hash,
                hub_id=hub.id,
                hub_role=role,
                pcn_id=pcn.id,
                professional_role=profession,
            )
            db.session.add(user)
            return user

        person("eval.admin@example.org", HubRole.HUB_ADMIN.value)
        participant = person("eval.learner@example.org", profession="nurse")
        others = [person(f"eval.other{i}@example.org") for i in range(8)]
        db.session.flush()
        instrument = services.create_instrument(hub.id, "Supervisor course survey", "Before and after the course.", SECTIONS)
        now = utcnow()
        window = (now - timedelta(days=1), now + timedelta(days=7))
        attachment = services.attach(instrument, "hub", hub.id, "Spring supervisor course", {PRE: window, POST: window})
        for user in [participant, *others]:
            db.session.add(Invitee(attachment_id=attachment.id, user_id=user.id, subgroup="Spring"))
        db.session.commit()
        items = {i.text: i.id for i in instrument.items}
        for n, user in enumerate(others):
            pre = {
                items["I feel confident supervising."]: 2 + n % 2,
                items["I feel isolated at work."]: 4,
                items["How satisfied are you?"]: 5,
            }
            post = {
                items["I feel confident supervising."]: 4,
                items["I feel isolated at work."]: 2 + n % 2,
                items["How satisfied are you?"]: 8,
                items["Will you supervise?"]: 1,
            }
            services.save_response(user, attachment, PRE, pre, submit=True)
            db.session.commit()
            services.save_response(user, attachment, POST, post, submit=True)
            db.session.commit()
        from learnhub.courses.models import Course

        db.session.add(Course(hub_id=hub.id, title="Browser supervisor course", published=True))
        db.session.commit()
        instrument_id = instrument.id
        db.session.remove()
        return {"instrument_id": instrument_id}


def _answer(page, question: str, label: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("group", name=question).get_by_label(label, exact=True).check()


def test_participant_answers_before_and_after_and_admin_sees_matched_result(
    page, live_server_url, axe, browser_login, evaluation_setup
):
    browser_login(page, "eval.learner@example.org", PASSWORD)
    expect(page.get_by_text("2 surveys to answer")).to_be_visible()
    page.get_by_role("link", name="Your surveys").click()
    axe(page, "your surveys")
    page.get_by_role("link", name="Supervisor course survey (before)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervisor course survey")
    axe(page, "survey form")
    # Submitting with nothing answered shows an accessible error summary.
    page.get_by_role("button", name="Submit your answers").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    axe(page, "survey form with errors")
    _answer(page, "I feel confident supervising.", "Disagree")
    _answer(page, "I feel isolated at work.", "Agree")
    _answer(page, "How satisfied are you?", "5")
    page.get_by_role("button", name="Submit your answers").click()
    expect(page.get_by_text("Your answers have been sent")).to_be_visible()

    page.get_by_role("link", name="Supervisor course survey (after)").click()
    _answer(page, "I feel confident supervising.", "Strongly agree")
    _answer(page, "I feel isolated at work.", "Disagree")
    _answer(page, "How satisfied are you?", "9")
    _answer(page, "Will you supervise?", "Yes")
    page.get_by_role("group", name="Support wanted").get_by_label("Group").check()
    page.get_by_label("Any comments?").fill("Really useful, thank you.")
    page.get_by_role("button", name="Submit your answers").click()
    expect(page.get_by_text("Your answers have been sent")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    browser_login(page, "eval.admin@example.org", PASSWORD)
    page.goto(f"{live_server_url}/evaluation/instruments")
    axe(page, "instruments")
    page.get_by_role("link", name="Results of Supervisor course survey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervisor course survey")
    rates = page.get_by_role("table", name="Response rates (table of the chart above)")
    expect(rates.get_by_role("row", name="Matched pairs")).to_contain_text("9")
    expect(page.locator("svg.app-chart").nth(1)).to_be_attached()  # at least two charts
    expect(page.get_by_role("img", name="Answers before and after: I feel confident supervising.")).to_be_visible()
    expect(page.locator("body")).to_contain_text("Across 9 people who answered before and after")
    axe(page, "results dashboard")
    # Filtering on GPs would leave out one person (the nurse): comparing views would reveal her answers.
    page.goto(f"{live_server_url}/evaluation/instruments/{evaluation_setup['instrument_id']}/results?role=gp")
    expect(page.get_by_text("Filtered results not shown")).to_be_visible()
    expect(page.locator("body")).to_contain_text("it leaves out fewer than 8 people")
    axe(page, "results withheld for differencing")
    page.goto(f"{live_server_url}/evaluation/instruments/{evaluation_setup['instrument_id']}")
    axe(page, "instrument page")
    page.goto(f"{live_server_url}/evaluation/settings")
    axe(page, "settings")


def test_admin_builds_a_survey_and_attaches_it_to_a_course(page, live_server_url, axe, browser_login, evaluation_setup):
    """Create a survey, add a section and a question, reorder, attach it to a course with dates: every page passes axe."""
    from datetime import date

    browser_login(page, "eval.admin@example.org", PASSWORD)
    page.goto(f"{live_server_url}/evaluation/instruments")
    page.get_by_role("link", name="Create a survey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a survey")
    axe(page, "create a survey")
    page.get_by_role("button", name="Create survey").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a title for the survey")
    axe(page, "create a survey with errors")
    page.get_by_label("Title").fill("Wellbeing check")
    page.get_by_role("button", name="Create survey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wellbeing check")
    expect(page.get_by_text("This survey has no sections yet")).to_be_visible()
    axe(page, "new survey page")

    for title in ("Support", "Looking ahead"):
        page.get_by_role("link", name="Add a section").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Add a section")
        axe(page, "add a section")
        page.get_by_label("Section title").fill(title)
        page.get_by_role("button", name="Add section").click()
        expect(page.get_by_role("heading", name=title, level=3)).to_be_visible()
    # Reorder sections with the move buttons (plain forms, no script needed).
    page.get_by_role("button", name="Move up section Looking ahead").click()
    expect(page.locator("h3").first).to_have_text("Looking ahead")

    page.get_by_label("Section", exact=True).select_option(label="Support")
    page.get_by_label("Type of answer").select_option(label="Agreement scale (1 to 5)")
    page.get_by_label("Question or statement").fill("I know where to get support.")
    page.get_by_role("button", name="Add question").click()
    expect(page.get_by_role("cell", name="I know where to get support.")).to_be_visible()
    axe(page, "survey with sections and a question")
    page.get_by_role("link", name="Change question 1 of Support").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change a question")
    axe(page, "change a question")
    page.get_by_label("Hint (optional)").fill("Think about the last month.")
    page.get_by_role("button", name="Save question").click()
    expect(page.get_by_text("The question has been saved.")).to_be_visible()

    page.get_by_role("link", name="Use this survey for a course or programme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Use this survey for a course or programme")
    axe(page, "attach")
    page.get_by_role("button", name="Use this survey").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select a course or programme")
    axe(page, "attach with errors")
    page.get_by_label("Course or programme").select_option(label="Course: Browser supervisor course")
    today = date.today()
    before = page.get_by_role("group", name="Before")
    # Dates are typed as day, month and year (the NHS.UK date input).
    for name, day in (("Opens on", today), ("Last day to answer", today.replace(year=today.year + 1))):
        group = before.get_by_role("group", name=name)
        group.get_by_label("Day").fill(str(day.day))
        group.get_by_label("Month").fill(str(day.month))
        group.get_by_label("Year").fill(str(day.year))
    page.get_by_role("button", name="Use this survey").click()
    expect(page.get_by_role("cell", name="Browser supervisor course Course")).to_be_visible()
    page.get_by_role("link", name="Dates or remove for Browser supervisor course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Survey dates for Browser supervisor course")
    axe(page, "survey dates")
    page.get_by_role("button", name="Stop using this survey for Browser supervisor course").click()
    expect(page.get_by_text("The survey is no longer used for Browser supervisor course.")).to_be_visible()


def test_chart_text_is_at_least_12px_and_charts_fit_a_375px_screen(page, live_server_url, browser_login, evaluation_setup):
    """WCAG reflow and legibility: the results charts scale to a phone without text below 12 CSS px."""
    from learnhub.evaluation.warmup import warm_worker

    warm_worker()  # as gunicorn does for each worker: the live server runs in this process
    page.set_viewport_size({"width": 375, "height": 800})
    browser_login(page, "eval.admin@example.org", PASSWORD)
    page.goto(f"{live_server_url}/evaluation/instruments/{evaluation_setup['instrument_id']}/results")
    expect(page.locator("svg.app-chart").first).to_be_visible()
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('svg.app-chart text')].map(
            t => t.getScreenCTM().a * parseFloat(t.getAttribute('font-size')))"""
    )
    assert sizes
    assert min(sizes) >= 12, min(sizes)
    widths = page.evaluate("() => [...document.querySelectorAll('svg.app-chart')].map(s => s.getBoundingClientRect().right)")
    assert max(widths) <= 375
