"""WCAG 1.4.10 Reflow and 1.4.12 Text spacing: every GET page of every demo role fits 320 CSS px.

At 320 CSS px (1280 px at 400% zoom) no page may scroll sideways as a whole: wide content
(tables that are not lists of records, code examples) scrolls inside its own focusable region.
The pages come from ``app.url_map`` and the demo data (``tests/browser/pages.py``), so a new
page is swept without editing this file; a GET rule that no role reaches fails the test.
"""

import pytest
from sqlalchemy import select

from learnhub.extensions import db
from tests.browser import pages as sweep

pytestmark = pytest.mark.browser

PASSWORD = "demo-reflow-password-42"
WIDTH = 320
#: The WCAG 1.4.12 text-spacing override (the bookmarklet auditors use), applied as a
#: constructed stylesheet so the page's Content-Security-Policy still holds.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""
_APPLY_SPACING = """css => {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}"""
#: What overflows: the document's width, and the widest elements that stick out.
_MEASURE = """width => {
  const doc = document.documentElement.scrollWidth;
  const culprits = [];
  if (doc > width) {
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && !el.closest('[data-app-scroll]')) {
        const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
          (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
        culprits.push(name + ' ' + Math.round(r.right) + 'px');
      }
    }
  }
  return {doc, culprits: culprits.slice(-4)};
}"""


@pytest.fixture
def demo_roles(live_app):  # type: ignore[no-untyped-def]
    """The demo data, and every demo login (plus a visitor who is not signed in)."""
    from learnhub.accounts.models import User
    from learnhub.demo import DemoContext, run_steps

    with live_app.app_context():
        ctx = DemoContext(password=PASSWORD, password_from_env=True)
        run_steps(ctx)
        roles: dict[str, int | None] = {"visitor": None}
        for email, _ in ctx.logins:
            roles[email] = db.session.scalar(select(User.id).where(User.email == email))
        db.session.remove()
    return roles


def test_every_page_of_every_role_reflows_at_320px_with_and_without_text_spacing(
    page, live_app, live_server_url, browser_login, axe, demo_roles
):
    found = sweep.discover(live_app, demo_roles)
    missing = sweep.unreached(live_app, found)
    print("\n".join(f"{r}: {len(p)}" for r, p in found.pages.items()))
    assert not missing, "GET pages no demo role reached (link them, or explain them in tests/browser/pages.py):\n" + "\n".join(
        missing
    )
    page.set_viewport_size({"width": WIDTH, "height": 800})
    too_wide = []
    checked_axe: set[str] = set()
    count = 0
    for role in found.pages:
        user_id = demo_roles[role]
        page.context.clear_cookies()
        if user_id is not None:
            browser_login(page, role, PASSWORD)
        for path in found.pages[role]:
            page.goto(live_server_url + path)
            count += 1
            plain = page.evaluate(_MEASURE, WIDTH)
            page.evaluate(_APPLY_SPACING, TEXT_SPACING)
            spaced = page.evaluate(_MEASURE, WIDTH)
            for label, result in (("", plain), (" with text spacing", spaced)):
                if result["doc"] > WIDTH:
                    too_wide.append(f"{path} as {role}{label}: {result['doc']} px ({', '.join(result['culprits'])})")
            endpoint = sweep.endpoint_of(live_app, path)
            if endpoint not in checked_axe:
                checked_axe.add(endpoint)
                page.goto(live_server_url + path)
                axe(page, f"{path} as {role} at {WIDTH} px")
    print(f"reflow sweep: {count} pages, {len(checked_axe)} endpoints checked with axe")
    assert not too_wide, f"{len(too_wide)} page(s) wider than {WIDTH} px:\n" + "\n".join(too_wide)
