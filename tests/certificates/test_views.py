"""Verify page, learners' certificates, and hub administration of certificates."""

from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.certificates.codes import format_code
from learnhub.certificates.models import Certificate
from learnhub.extensions import db
from tests.helpers import assert_redirect


def _cert(app, cert_id: int) -> Certificate:
    with app.app_context():
        cert = db.session.get(Certificate, cert_id)
        db.session.expunge(cert)
        return cert


def _hub_of(app, user_id: int) -> int:
    with app.app_context():
        return db.session.get(User, user_id).hub_id


def test_verify_page_shows_every_field_and_valid_status_without_login(client, app, make_user, issue):
    user_id = make_user(name="Dr Priya Shah")
    cert = _cert(app, issue(user_id, course_title="Supervising ARRS roles", cpd_hours="6.5"))
    page = client.get(f"/verify/{format_code(cert.code)}").get_data(as_text=True)
    for expected in (
        "Status: Valid",
        "Dr Priya Shah",
        "Supervising ARRS roles",
        "6.5",
        "Plan supervision for a new ARRS practitioner",
        cert.hub_name,
        "Dr Test, Clinical Lead",
    ):
        assert expected in page


def test_verify_accepts_sloppy_codes_and_redirects_to_the_canonical_url(client, app, make_user, issue):
    cert = _cert(app, issue(make_user()))
    sloppy = cert.code.lower().replace("0", "o")
    response = client.get(f"/verify/{sloppy}")
    assert_redirect(response)
    assert response.headers["Location"].endswith(f"/verify/{format_code(cert.code)}")
    response = client.get("/verify", query_string={"code": " ".join(cert.code[i : i + 4] for i in range(0, 16, 4))})
    assert response.headers["Location"].endswith(f"/verify/{format_code(cert.code)}")


def test_unknown_code_is_plainly_not_found(client):
    response = client.get("/verify/0000-0000-0000-0000")
    assert response.status_code == 404
    assert "Certificate not found" in response.get_data(as_text=True)


def test_malformed_code_says_what_is_wrong(client):
    response = client.get("/verify", query_string={"code": "ABCD-EFGH"})
    assert response.status_code == 400
    assert "must be 16 characters long" in response.get_data(as_text=True)
    response = client.get("/verify/ABCD-EFGH-JKMN-PQR%21")
    assert response.status_code == 400
    assert "remove or correct: !" in response.get_data(as_text=True)


def test_verify_lookups_are_rate_limited(app, client):
    app.config["VERIFY_RATE_LIMIT"] = "3 per minute"
    codes = [client.get("/verify/0000-0000-0000-0000").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]


def test_learner_lists_and_downloads_their_stored_pdf(client, app, auth, make_user, issue):
    user_id = make_user()
    cert = _cert(app, issue(user_id))
    with app.app_context():
        stored = db.session.get(Certificate, cert.id).pdf
    auth.login_as(user_id)
    page = client.get("/certificates").get_data(as_text=True)
    assert "Supervising ARRS roles in primary care" in page
    assert format_code(cert.code) in page
    response = client.get(f"/certificates/{cert.id}/download")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data == stored


def test_other_people_cannot_download_a_certificate(client, app, auth, make_user, issue):
    cert = _cert(app, issue(make_user()))
    auth.login_as(make_user())
    assert client.get(f"/certificates/{cert.id}/download").status_code == 404


def test_admin_pages_are_for_the_issuing_hub_only(client, app, auth, make_user, issue):
    cert = _cert(app, issue(make_user()))
    auth.login_as(make_user(hub_role="hub_admin"))  # another hub
    assert client.get(f"/hub/certificates/{cert.id}").status_code == 404
    assert client.post(f"/hub/certificates/{cert.id}/revoke", data={"reason": "x"}).status_code == 404
    auth.login_as(make_user())
    assert client.get("/hub/certificates").status_code == 403


def test_admin_revokes_and_the_verify_page_says_so(client, app, auth, make_user, issue):
    admin_id = make_user(hub_role="hub_admin", name="Helen Marsh")
    cert = _cert(app, issue(make_user(hub_id=_hub_of(app, admin_id))))
    auth.login_as(admin_id)
    assert cert.holder_name in client.get("/hub/certificates", query_string={"q": format_code(cert.code)}).get_data(as_text=True)
    response = client.post(f"/hub/certificates/{cert.id}/revoke", data={"reason": ""})
    assert response.status_code == 400
    assert "Enter the reason for revoking this certificate" in response.get_data(as_text=True)
    response = client.post(f"/hub/certificates/{cert.id}/revoke", data={"reason": "Did not attend day 2"})
    assert response.headers["Location"].endswith(f"/hub/certificates/{cert.id}")
    page = client.get(f"/verify/{format_code(cert.code)}").get_data(as_text=True)
    assert "Status: Revoked" in page
    assert "Did not attend day 2" in page
    # A second revoke (a double click, another tab) changes nothing and says who revoked it.
    again = client.post(f"/hub/certificates/{cert.id}/revoke", data={"reason": "again"})
    assert_redirect(again)
    assert again.headers["Location"].endswith(f"/hub/certificates/{cert.id}")
    detail = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "already revoked on" in detail
    assert "Helen Marsh" in detail
    refused = client.post(f"/hub/certificates/{cert.id}/reissue", data={"holder_name": "New Name"})
    assert refused.status_code == 400
    assert "revoked certificate cannot be re-issued" in refused.get_data(as_text=True)


def test_reissue_after_name_correction(client, app, auth, make_user, issue):
    admin_id = make_user(hub_role="hub_admin")
    cert = _cert(app, issue(make_user(hub_id=_hub_of(app, admin_id), name="Malgorzata Nowak")))
    auth.login_as(admin_id)
    response = client.post(f"/hub/certificates/{cert.id}/reissue", data={"holder_name": "Małgorzata Nowak"})
    with app.app_context():
        new = db.session.scalar(select(Certificate).where(Certificate.version == 2))
        assert new.holder_name == "Małgorzata Nowak"
    assert response.headers["Location"].endswith(f"/hub/certificates/{new.id}")
    old_page = client.get(f"/verify/{format_code(cert.code)}").get_data(as_text=True)
    assert "Status: Superseded" in old_page
    assert "Małgorzata Nowak" in client.get(f"/verify/{format_code(new.code)}").get_data(as_text=True)


def test_verify_page_shows_expired(client, app, make_user, issue, declare):
    from datetime import date, timedelta

    user_id = make_user()
    declare(_hub_of(app, user_id), 7, "als_facilitator", months=12, window=30)
    cert = _cert(app, issue(user_id, completed_at=date.today() - timedelta(days=400)))
    page = client.get(f"/verify/{format_code(cert.code)}").get_data(as_text=True)
    assert "Status: Expired" in page
    assert "It has expired" in page
