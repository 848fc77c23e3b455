"""Query parameters a careless link or a fuzzer sends never give a 500 (issue 13)."""

import pytest

BAD_PAGES = ["²", "99999999999999999999999", "-3", "0", "1e5", "\x00", "x" * 10_000]


@pytest.mark.parametrize("page", BAD_PAGES)
def test_audit_page_with_a_bad_page_number_shows_the_first_page(client, auth, make_user, page):
    auth.login_as(make_user(hub_role="hub_admin"))
    response = client.get("/hub/audit", query_string={"page": page})
    assert response.status_code == 200
    assert "Events (page 1" in response.get_data(as_text=True)


@pytest.mark.parametrize("day", ["9999-12-31", "0000-00-00", "2026-02-30", "²⁰²⁶-01-01", "2026-01-01\x00"])
def test_audit_page_with_an_unusable_date_says_so(client, auth, make_user, day):
    auth.login_as(make_user(hub_role="hub_admin"))
    for name in ("date_from", "date_to"):
        response = client.get("/hub/audit", query_string={name: day})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        if "\x00" not in day:  # NUL bytes are dropped from query strings before the view sees them
            assert "There is a problem" in page


def test_audit_page_far_beyond_the_last_page_is_empty_not_an_error(client, auth, make_user):
    auth.login_as(make_user(hub_role="hub_admin"))
    response = client.get("/hub/audit", query_string={"page": "999999"})
    assert response.status_code == 200
    assert "No events match." in response.get_data(as_text=True)


@pytest.mark.parametrize("page", BAD_PAGES)
def test_users_page_with_a_bad_page_number_shows_the_first_page(client, auth, make_user, page):
    auth.login_as(make_user(hub_role="hub_admin", name="Ada Admin"))
    response = client.get("/hub/users", query_string={"page": page, "q": "\x00Ada", "permission": "\x00"})
    assert response.status_code == 200
    assert "Ada Admin" in response.get_data(as_text=True)


def test_users_page_pages_through_everyone_instead_of_stopping_silently(app, client, auth, make_user):
    from learnhub.accounts.models import User
    from learnhub.extensions import db

    admin = make_user(hub_role="hub_admin", name="Aaa Admin")
    with app.app_context():
        hub_id = db.session.get(User, admin).hub_id
        for i in range(105):
            db.session.add(User(email=f"p{i:03}@example.org", name=f"Person {i:03}", hub_id=hub_id))
        db.session.commit()
    auth.login_as(admin)
    first = client.get("/hub/users").get_data(as_text=True)
    assert "106 people (page 1 of 2)" in first
    assert "Person 098" in first
    assert "Person 099" not in first
    second = client.get("/hub/users", query_string={"page": 2}).get_data(as_text=True)
    assert "Person 104" in second
