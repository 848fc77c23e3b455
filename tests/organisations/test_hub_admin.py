"""Hub administrators managing people; permissions enforced on every page and object."""

import io
import re

import pytest
from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.extensions import db
from tests.helpers import assert_redirect

ADMIN_PAGES = ["/hub", "/hub/users", "/hub/users/invite", "/hub/users/import", "/hub/structure"]


@pytest.fixture
def admin(make_user, make_hub):  # type: ignore[no-untyped-def]
    hub_id = make_hub()
    return make_user("admin@example.org", hub_id=hub_id, hub_role="hub_admin"), hub_id


def _count_users(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.parametrize("path", [*ADMIN_PAGES, "/admin/hubs"])
def test_learner_gets_403_on_admin_pages(client, auth, make_user, path):
    auth.login_as(make_user(hub_role="learner"))
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/hub/users", "/admin/hubs"])
def test_anonymous_is_sent_to_sign_in(client, path):
    response = client.get(path)
    assert_redirect(response)
    assert response.headers["Location"].startswith("/account/sign-in")


def test_hub_admin_sees_own_hub_pages_but_not_site_admin(client, auth, admin):
    auth.login_as(admin[0])
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 200, path
    assert client.get("/admin/hubs").status_code == 403


def test_admin_of_another_hub_gets_404_for_a_user(client, auth, admin, make_user):
    other_user = make_user("other@example.org")  # in a different, new hub
    auth.login_as(admin[0])
    assert client.get(f"/hub/users/{other_user}").status_code == 404
    assert client.post(f"/hub/users/{other_user}/permission", data={"hub_role": "hub_admin"}).status_code == 404
    assert client.post(f"/hub/users/{other_user}/deactivate").status_code == 404


def test_user_list_shows_only_own_hub_and_searches(client, auth, admin, make_user):
    make_user("alice@example.org", name="Alice Jones", hub_id=admin[1])
    make_user("stranger@example.org", name="Stranger Danger")
    auth.login_as(admin[0])
    html = client.get("/hub/users").data.decode()
    assert "Alice Jones" in html
    assert "Stranger Danger" not in html
    html = client.get("/hub/users", query_string={"q": "ALICE"}).data.decode()
    assert "Alice Jones" in html
    assert "admin@example.org" not in html


def test_invite_sends_a_link_that_sets_a_password(client, auth, app, admin, outbox):
    auth.login_as(admin[0])
    response = client.post(
        "/hub/users/invite",
        data={"name": "Dr New Person", "email": "New@Example.org", "professional_role": "gp", "hub_role": "facilitator"},
    )
    assert_redirect(response)
    assert outbox[-1]["To"] == "new@example.org"
    link = re.search(r"/account/invitation/\S+", outbox[-1].get_content()).group(0)
    with app.app_context():
        invited = db.session.scalar(select(User).where(User.email == "new@example.org"))
        assert invited.password_hash is None
        assert invited.hub_id == admin[1]
        assert invited.hub_role == "facilitator"
    newcomer = app.test_client()
    assert b"Set up your account" in newcomer.get(link).data
    response = newcomer.post(link, data={"password": "lighthouse-pebble-saffron"})
    assert_redirect(response)
    assert b"Hello, Dr New Person" in newcomer.get("/").data


def test_invite_duplicate_email_is_refused(client, auth, admin, make_user):
    make_user("taken@example.org")
    auth.login_as(admin[0])
    response = client.post(
        "/hub/users/invite",
        data={"name": "X", "email": "taken@example.org", "professional_role": "gp", "hub_role": "learner"},
    )
    assert b"An account with this email address already exists" in response.data


def _upload(client, text: str, name: str = "people.csv"):  # type: ignore[no-untyped-def]
    return client.post(
        "/hub/users/import",
        data={"csv_file": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )


def test_csv_import_with_a_bad_row_invites_nobody_and_lists_problems(client, auth, app, admin, outbox):
    auth.login_as(admin[0])
    before = _count_users(app)
    response = _upload(client, "name,email\nGood Person,good@example.org\nBad,not-an-email\n")
    assert response.status_code == 400
    html = response.data.decode()
    assert "1 rows have a problem. Nobody has been invited" in html
    assert "&#39;not-an-email&#39; is not a valid email address" in html
    assert _count_users(app) == before
    assert outbox == []


def test_csv_import_of_a_good_file_invites_everyone(client, auth, app, admin, outbox):
    auth.login_as(admin[0])
    before = _count_users(app)
    response = _upload(client, "name,email,permission\nOne,one@example.org,\nTwo,two@example.org,facilitator\n")
    assert_redirect(response)
    assert _count_users(app) == before + 2
    assert sorted(m["To"] for m in outbox) == ["one@example.org", "two@example.org"]


def test_csv_import_rejects_non_csv_files(client, auth, admin):
    auth.login_as(admin[0])
    response = _upload(client, "whatever", name="people.xlsx")
    assert b"The selected file must be a CSV" in response.data


def test_change_permission_and_deactivate(client, auth, app, admin, make_user):
    person = make_user("p@example.org", hub_id=admin[1])
    auth.login_as(admin[0])
    assert_redirect(client.post(f"/hub/users/{person}/permission", data={"hub_role": "facilitator"}))
    assert_redirect(client.post(f"/hub/users/{person}/deactivate"))
    with app.app_context():
        user = db.session.get(User, person)
        assert user.hub_role == "facilitator"
        assert not user.active


def test_deactivation_signs_the_person_out(app, client, auth, admin, make_user):
    person = make_user("p@example.org", hub_id=admin[1])
    their_browser = app.test_client()
    their_browser.post("/account/sign-in", data={"email": "p@example.org", "password": "correct-horse-battery-staple"})
    assert their_browser.get("/account/profile").status_code == 200
    auth.login_as(admin[0])
    client.post(f"/hub/users/{person}/deactivate")
    assert_redirect(their_browser.get("/account/profile"))


def test_admin_cannot_demote_or_deactivate_themselves(client, auth, app, admin):
    auth.login_as(admin[0])
    client.post(f"/hub/users/{admin[0]}/permission", data={"hub_role": "learner"})
    client.post(f"/hub/users/{admin[0]}/deactivate")
    with app.app_context():
        me = db.session.get(User, admin[0])
        assert me.hub_role == "hub_admin"
        assert me.active


def test_invalid_permission_value_is_refused(client, auth, app, admin, make_user):
    person = make_user(hub_id=admin[1])
    auth.login_as(admin[0])
    response = client.post(f"/hub/users/{person}/permission", data={"hub_role": "site_admin"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, person).hub_role == "learner"


def test_structure_adds_pcn_and_practice_and_refuses_duplicates(client, auth, app, admin):
    auth.login_as(admin[0])
    added = client.post("/hub/structure/pcns", data={"pcn-pcn_name": "Coastal PCN"})
    assert_redirect(added)
    assert added.headers["Location"] == "/hub/structure"
    duplicate = client.post("/hub/structure/pcns", data={"pcn-pcn_name": "coastal pcn"})
    assert duplicate.status_code == 400
    assert b"This hub already has a PCN with that name" in duplicate.data
    html = client.get("/hub/structure").data.decode()
    pcn_id = re.search(r'<option value="(\d+)"[^>]*>\s*Coastal PCN\s*</option>', html).group(1)
    response = client.post(
        "/hub/structure/practices",
        data={"practice-practice_name": "Harbour Surgery", "practice-pcn_id": pcn_id, "practice-ods_code": "y01234"},
    )
    assert_redirect(response)
    assert response.headers["Location"] == "/hub/structure"
    assert "Harbour Surgery (Y01234)" in client.get("/hub/structure").data.decode()
    # The old combined form endpoint takes no POST any more (one endpoint per action).
    assert client.post("/hub/structure", data={"pcn-pcn_name": "Another PCN"}).status_code == 405


def test_site_admin_creates_hub_and_invites_its_admin(client, auth, app, make_user, outbox):
    auth.login_as(make_user("root@example.org", is_site_admin=True))
    response = client.post("/admin/hubs", data={"name": "Coastal Training Hub", "signatory": "Dr Sea"})
    assert_redirect(response)
    hub_path = response.headers["Location"]
    dup = client.post("/admin/hubs", data={"name": "coastal training hub"})
    assert b"A hub with this name already exists" in dup.data
    response = client.post(
        hub_path, data={"name": "Hub Boss", "email": "boss@example.org", "professional_role": "gp", "hub_role": "hub_admin"}
    )
    assert_redirect(response)
    with app.app_context():
        boss = db.session.scalar(select(User).where(User.email == "boss@example.org"))
        assert boss.hub_role == "hub_admin"
    assert outbox[-1]["To"] == "boss@example.org"


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("permission", "You cannot change your own permission"),
        ("deactivate", "You cannot deactivate your own account"),
    ],
)
def test_a_refused_action_is_shown_as_an_error_not_a_notice(client, auth, admin, action, message):
    """WCAG 3.3.1: a refusal is an error summary (role=alert, focused by NHS.UK frontend) and the
    page title starts with "Error:", not a grey "Important" banner."""
    auth.login_as(admin[0])
    page = client.post(f"/hub/users/{admin[0]}/{action}", data={"hub_role": "learner"}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert html.split("</title>")[0].split("<title>")[1].strip().startswith("Error:")
    summary = html[html.index('class="nhsuk-error-summary"') :]
    assert message in summary[:1500]
    assert "nhsuk-notification-banner" not in html.split('class="nhsuk-error-summary"')[0].split("<main")[-1]
