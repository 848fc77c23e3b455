"""Issue 17's pages in a real browser: one-click unsubscribe (reached only from an email) and
the preferences page, with axe, at 320 CSS px, using the keyboard only."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from learnhub.extensions import db

pytestmark = pytest.mark.browser


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_unsubscribe_link_from_an_email_works_by_keyboard_at_320px(page, live_app, live_server_url, axe, demo_data):  # type: ignore[no-untyped-def]
    from learnhub.accounts.models import User
    from learnhub.notifications import services
    from learnhub.notifications.categories import COURSES

    with live_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "gp.learner@example.org"))
        user_id = user.id
        assert services.wants(user, COURSES)
        token = services.unsubscribe_token(user_id, COURSES)
        db.session.remove()

    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server_url}/notifications/unsubscribe/{token}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stop emails about")
    assert _fits(page)
    axe(page)
    button = page.get_by_role("button", name="Stop these emails")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("Stop emails about")
    assert _fits(page)
    axe(page)

    with live_app.app_context():
        assert not services.wants(db.session.get(User, user_id), COURSES)
        db.session.remove()


def test_preferences_page_passes_axe_and_saves_by_keyboard(page, live_server_url, axe, browser_login, demo_data):  # type: ignore[no-untyped-def]
    browser_login(page, "gp.learner@example.org", demo_data)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server_url}/notifications/preferences")
    assert _fits(page)
    axe(page)
    save = page.get_by_role("button", name="Save")
    save.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    axe(page)
