"""ALS in a real browser: a facilitator records a session with an action, the member sees it,
the next session lists it for review; axe finds nothing on the pages involved."""

import re
from datetime import date, time, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from learnhub.extensions import db

pytestmark = pytest.mark.browser

PASSWORD = "demo-browser-password-42"
MEMBER_EMAILS = [
    "splw.member@example.org",
    "splw.owen@example.org",
    "splw.fatima@example.org",
    "splw.ceri@example.org",
    "splw.nadia@example.org",
    "splw.ben@example.org",
]


@pytest.fixture
def als_data(live_app):  # type: ignore[no-untyped-def]
    """Demo data plus one small programme whose first session has just happened, unrecorded."""
    from learnhub.accounts.models import User
    from learnhub.als.models import AlsMember
    from learnhub.als.services import common, planning, programmes
    from learnhub.demo import DemoContext, run_steps

    with live_app.app_context():
        run_steps(DemoContext(password=PASSWORD, password_from_env=True))
        admin = db.session.scalar(select(User).where(User.email == "hub.admin@example.org"))
        start = date.today() - timedelta(days=14)
        programme = programmes.create_programme(
            admin,
            admin.hub_id,
            name="Browser test programme",
            start_date=start,
            end_date=start + timedelta(weeks=20),
            session_time=time(10, 0),
            session_count=3,
        )
        members = [db.session.scalar(select(User).where(User.email == e)) for e in MEMBER_EMAILS]
        for user in members:
            db.session.add(AlsMember(programme=programme, user=user))
        db.session.commit()
        programmes.auto_form_groups(admin, programme)
        facilitator = db.session.scalar(select(User).where(User.email == "facilitator@example.org"))
        entry = planning.add_facilitator(admin, programme, facilitator)
        planning.generate_schedule(admin, programme)
        planning.run_planner(admin, programme, now=common.local_start(start - timedelta(days=1), time(0, 0)))
        db.session.commit()
        sessions = [s.id for s in programme.groups[0].sessions]
        ids = {
            "sessions": sessions,
            "members": {u.email: u.id for u in members},
            "programme": programme.id,
            "pool_entry": entry.id,
        }
        db.session.remove()
    return ids


def _sign_out(page):  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_record_session_with_action_member_sees_it_and_next_session_reviews_it(
    page, live_server_url, axe, browser_login, als_data
):
    first, second = als_data["sessions"][:2]
    lucy = als_data["members"]["splw.member@example.org"]

    browser_login(page, "facilitator@example.org", PASSWORD)
    page.goto(f"{live_server_url}/als/facilitating")
    axe(page, "facilitating")
    page.goto(f"{live_server_url}/als/facilitating/{als_data['pool_entry']}/unavailable")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_title(re.compile(r"^Error:"))
    axe(page, "own unavailable days with errors")
    page.goto(f"{live_server_url}/als/sessions/{first}/record")
    expect(page.locator("body")).to_contain_text("not case details")
    axe(page, "record form")

    # Submitting with patient identifiers: refused, with an error summary, nothing lost.
    for uid in als_data["members"].values():
        page.check(f'input[name="attendance_{uid}"][value="present"]')
    page.check(f'input[name="presenters"][value="{lucy}"]')
    page.select_option('select[name="action_0_owner"]', str(lucy))
    page.fill('textarea[name="action_0_text"]', "Ask the carers' centre about a peer support group")
    page.check('input[name="action_0_shared"]')
    page.fill('textarea[name="notes"]', "We talked about 943 476 5919.")
    page.get_by_role("button", name="Save the session record").click()
    expect(page).to_have_title(re.compile(r"^Error:"))
    expect(page.locator("body")).to_contain_text("Remove anything that could identify a patient")
    axe(page, "record form with errors")

    page.fill('textarea[name="notes"]', "The set practised open questions; role clarity came up again.")
    page.get_by_role("button", name="Save the session record").click()
    expect(page.locator("body")).to_contain_text("The session has been recorded")
    expect(page.locator("body")).to_contain_text("Ask the carers")
    axe(page, "session page")
    _sign_out(page)

    browser_login(page, "splw.member@example.org", PASSWORD)
    page.goto(f"{live_server_url}/als/")
    expect(page.locator(".app-action", has_text="Ask the carers' centre about a peer support group")).to_have_count(1)
    axe(page, "member's ALS page")
    page.goto(f"{live_server_url}/als/sessions/{second}")
    page.get_by_role("button", name="Bid for time at this session").click()
    expect(page.locator("body")).to_contain_text("You have bid for time")
    axe(page, "member's session page")
    _sign_out(page)

    browser_login(page, "facilitator@example.org", PASSWORD)
    page.goto(f"{live_server_url}/als/sessions/{second}/record")
    review = page.locator(".app-review")
    expect(review).to_have_count(1)
    expect(review).to_contain_text("Ask the carers' centre about a peer support group")
    expect(page.locator("body")).to_contain_text("Bids for time: Lucy Hughes")
    axe(page, "next session's record form")


def test_hub_admin_als_pages_have_no_axe_violations(page, live_server_url, axe, browser_login, als_data):
    browser_login(page, "hub.admin@example.org", PASSWORD)
    pid = als_data["programme"]
    paths = [
        "/als/programmes",
        "/als/programmes/new",
        f"/als/programmes/{pid}",
        f"/als/programmes/{pid}/facilitators",
        f"/als/programmes/{pid}/facilitators/{als_data['pool_entry']}/unavailable",
        f"/als/programmes/{pid}/facilitators/{als_data['pool_entry']}/withdraw",
        f"/als/programmes/{pid}/members/import",
        f"/als/programmes/{pid}/dashboard",
        f"/als/sessions/{als_data['sessions'][2]}/manage",
        "/als/themes",
        "/als/settings",
    ]
    for path in paths:
        page.goto(live_server_url + path)
        axe(page, path)
    page.goto(f"{live_server_url}/als/programmes/new")
    page.get_by_role("button", name="Create programme").click()
    expect(page).to_have_title(re.compile(r"^Error:"))
    axe(page, "new programme with errors")
    page.goto(f"{live_server_url}/als/settings")
    page.get_by_label("Months to keep confidential notes after a programme ends").fill("0")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("from 1 to 120")
    axe(page, "notes retention with errors")


def test_admin_confirms_a_weekend_move_withdraws_with_confirmation_sees_needs_cover_and_undoes_it(
    page, live_server_url, axe, browser_login, als_data
):
    """Issue 16 in a browser: a move onto a Saturday warns and needs "Move the session anyway";
    withdrawing the programme's only facilitator lists their sessions first, the schedule then
    shows them as Needs cover (red), and Undo withdrawal puts everything back."""
    pid, entry, last = als_data["programme"], als_data["pool_entry"], als_data["sessions"][2]
    browser_login(page, "hub.admin@example.org", PASSWORD)

    saturday = date.today() + timedelta(days=3)
    while saturday.weekday() != 5:
        saturday += timedelta(days=1)
    page.goto(f"{live_server_url}/als/sessions/{last}/manage")
    page.fill('input[name="new_date-day"]', str(saturday.day))
    page.fill('input[name="new_date-month"]', str(saturday.month))
    page.fill('input[name="new_date-year"]', str(saturday.year))
    page.fill('input[name="new_time"]', "10:00")
    page.get_by_role("button", name="Move the session", exact=True).click()
    expect(page.locator("main")).to_contain_text("is a weekend")
    expect(page.locator("body")).not_to_contain_text("The session has been moved")
    axe(page, "move warnings")
    page.get_by_role("button", name="Move the session anyway").click()
    expect(page.locator("body")).to_contain_text("The session has been moved")

    page.goto(f"{live_server_url}/als/programmes/{pid}/facilitators")
    expect(page.get_by_role("button", name=re.compile("^Undo withdrawal"))).to_have_count(0)
    page.get_by_role("link", name=re.compile("^Withdraw")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("from the pool?")
    expect(page.locator("#affected-sessions li")).to_have_count(2)  # the two sessions still to come
    page.get_by_role("button", name=re.compile("^Withdraw ")).click()
    page.goto(f"{live_server_url}/als/programmes/{pid}")
    expect(page.locator(".app-needs-cover")).to_have_count(2)
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("2 coming sessions need a facilitator")
    axe(page, "schedule with sessions needing cover")

    page.goto(f"{live_server_url}/als/programmes/{pid}/facilitators")
    page.get_by_role("button", name=re.compile("^Undo withdrawal")).click()
    expect(page.locator("body")).to_contain_text("is back in the pool")
    page.goto(f"{live_server_url}/als/programmes/{pid}")
    expect(page.locator(".app-needs-cover")).to_have_count(0)
    page.goto(f"{live_server_url}/als/programmes/{pid}/facilitators")
    expect(page.locator(f'a[href$="/facilitators/{entry}/withdraw"]')).to_have_count(1)  # back in the pool
