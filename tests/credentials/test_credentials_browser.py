"""Digital credentials in a real browser (CSRF on): download from My certificates, upload and
paste on the public check page, a changed one refused; axe on each page."""

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import or_, select

from learnhub.extensions import db
from tests.credentials.helpers import flip

pytestmark = pytest.mark.browser
PASSWORD = "demo-browser-password-42"


@pytest.fixture
def holder(live_app, live_server_url):  # type: ignore[no-untyped-def]
    """Load the demo data; the email of a demo learner with a valid (unexpired) certificate, and its course."""
    from learnhub.accounts.models import User
    from learnhub.certificates.models import Certificate
    from learnhub.demo import DemoContext, run_steps

    with live_app.test_request_context(base_url=live_server_url):
        run_steps(DemoContext(password=PASSWORD, password_from_env=True))
        row = db.session.execute(
            select(User.email, Certificate.course_title)
            .join(Certificate, Certificate.user_id == User.id)
            .where(
                Certificate.status == Certificate.VALID,
                or_(Certificate.valid_until.is_(None), Certificate.valid_until >= date.today()),
            )
            .order_by(Certificate.id)
        ).first()
        db.session.remove()
    assert row is not None
    return row


def test_download_then_check_by_upload_and_paste(page, live_server_url, browser_login, axe, holder, tmp_path):  # type: ignore[no-untyped-def]
    email, course_title = holder
    browser_login(page, email, PASSWORD)
    page.goto(f"{live_server_url}/certificates")
    expect(page.locator("main")).to_contain_text("add it to a digital wallet or staff passport")
    axe(page, "my certificates")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Download digital credential for {course_title}").first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".jwt")
    token = download.path().read_text()
    page.get_by_role("button", name="Sign out").click()

    page.goto(f"{live_server_url}/verify")
    page.get_by_role("link", name="Check a digital credential").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check a digital credential")
    axe(page, "credential form")
    saved = tmp_path / "credential.jwt"
    saved.write_text(token)
    page.get_by_label("Or upload the credential file").set_input_files(str(saved))
    page.get_by_role("button", name="Check credential").click()
    expect(page.locator("#credential-status")).to_contain_text("Status: Valid")
    axe(page, "credential checked")

    page.get_by_role("link", name="Check another credential").click()
    page.get_by_label("Paste the credential").fill(flip(token, 30))
    page.get_by_role("button", name="Check credential").click()
    expect(page.locator("#credential-status")).to_contain_text("This credential has been changed")
    axe(page, "credential refused")

    page.goto(f"{live_server_url}/verify/credential")
    page.get_by_role("button", name="Check credential").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Paste the credential or choose its file")
    axe(page, "credential form with an error")
