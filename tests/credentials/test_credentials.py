"""Open Badges 3.0 credentials: what the holder downloads, the public keys and status list, rotation."""

import hashlib
import io
import json
from datetime import date, timedelta

from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from learnhub.credentials import badge, keys, statuslist
from learnhub.credentials.models import IssuerKey
from learnhub.extensions import db
from tests.credentials.helpers import cert_of, hub_of, part


def _download(client, auth, user_id: int, cert_id: int) -> str:
    auth.login_as(user_id)
    response = client.get(f"/certificates/{cert_id}/credential")
    assert response.status_code == 200
    assert response.mimetype == "application/vc+jwt"
    assert "attachment" in response.headers["Content-Disposition"]
    assert ".jwt" in response.headers["Content-Disposition"]
    return response.get_data(as_text=True)


def test_holder_downloads_an_open_badge_credential_describing_the_certificate(client, app, auth, make_user, issue, declare):
    user_id = make_user(email="Priya.Shah@Example.org", name="Dr Priya Shah")
    hub_id = hub_of(app, user_id)
    declare(hub_id, 7, "arrs_clinical_supervisor", months=36)
    cert = cert_of(app, issue(user_id, course_title="Supervising ARRS roles", cpd_hours="6.5"))
    page = (auth.login_as(user_id), client.get("/certificates"))[1].get_data(as_text=True)
    assert "Download digital credential" in page
    assert "add it to a digital wallet or staff passport, or send it to an employer" in page

    token = _download(client, auth, user_id, cert.id)
    header, vc = part(token, 0), part(token, 1)
    assert header["alg"] == "EdDSA"
    assert header["typ"] == "vc+jwt"
    assert header["kid"].startswith(f"http://localhost/credentials/issuers/{hub_id}/keys/")
    assert vc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["issuer"]["id"] == f"http://localhost/credentials/issuers/{hub_id}"
    assert vc["issuer"]["name"] == cert.hub_name
    assert vc["id"].endswith(f"/verify/{cert.display_code}")
    assert vc["validFrom"] == cert.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert vc["validUntil"] == f"{cert.valid_until.isoformat()}T23:59:59Z"
    subject = vc["credentialSubject"]
    email_id = next(i for i in subject["identifier"] if i["identityType"] == "emailAddress")
    assert email_id["hashed"] is True
    assert "priya" not in json.dumps(email_id).lower()
    digest = hashlib.sha256(f"priya.shah@example.org{email_id['salt']}".encode()).hexdigest()
    assert email_id["identityHash"] == f"sha256${digest}"
    assert subject["creditsEarned"] == 6.5
    achievement = subject["achievement"]
    assert achievement["name"] == "Supervising ARRS roles"
    assert achievement["creditsAvailable"] == 6.5
    assert "Plan supervision for a new ARRS practitioner" in achievement["criteria"]["narrative"]
    (alignment,) = achievement["alignment"]
    assert alignment["targetCode"] == "arrs_clinical_supervisor"
    assert "Paramedic" in alignment["targetDescription"]
    assert cert.valid_until.isoformat() in alignment["targetDescription"]
    (result,) = subject["result"]
    assert result["resultDescription"] == achievement["resultDescription"][0]["id"]
    assert f"Eligible until {cert.valid_until.isoformat()}" in result["value"]
    status = vc["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert status["statusListCredential"] == f"http://localhost/credentials/issuers/{hub_id}/status/0"
    assert status["statusListIndex"] == str(cert.id)


def test_only_the_holder_and_their_hub_may_download_and_not_a_revoked_one(client, app, auth, make_user, issue):
    user_id = make_user()
    cert = cert_of(app, issue(user_id))
    assert client.get(f"/certificates/{cert.id}/credential").status_code == 302  # sign in first
    auth.login_as(make_user())
    assert client.get(f"/certificates/{cert.id}/credential").status_code == 404
    admin_id = make_user(hub_id=cert.hub_id, hub_role="hub_admin")
    auth.login_as(admin_id)
    assert client.post(f"/hub/certificates/{cert.id}/revoke", data={"reason": "Did not attend"}).status_code == 302
    auth.login_as(user_id)
    response = client.get(f"/certificates/{cert.id}/credential")
    assert response.status_code == 302
    assert "has been revoked or replaced" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_private_key_is_stored_encrypted_and_never_published(client, app, auth, make_user, issue):
    user_id = make_user()
    cert = cert_of(app, issue(user_id))
    token = _download(client, auth, user_id, cert.id)
    with app.app_context():
        key = db.session.scalar(select(IssuerKey).where(IssuerKey.hub_id == cert.hub_id))
        pem = bytes(key.private_pem)
        assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        try:
            serialization.load_pem_private_key(pem, password=None)
        except TypeError:
            pass  # a password is required
        else:
            raise AssertionError("the private key loaded without a password")
        private_d = keys.signing_key(key).as_dict(private=True)["d"]
    assert part(token, 0)["kid"].endswith(key.kid)
    jwks = client.get(f"/credentials/issuers/{cert.hub_id}/jwks.json")
    assert jwks.headers["Access-Control-Allow-Origin"] == "*"
    published = jwks.get_json()["keys"]
    assert [k["kid"] for k in published] == [part(token, 0)["kid"]]
    assert all("d" not in k for k in published)
    assert private_d not in jwks.get_data(as_text=True)
    single = client.get(part(token, 0)["kid"].removeprefix("http://localhost"))
    assert single.get_json()["x"] == published[0]["x"]
    profile = client.get(f"/credentials/issuers/{cert.hub_id}").get_json()
    assert profile["type"] == ["Profile"]
    assert profile["id"] == part(token, 1)["issuer"]["id"]


def test_one_key_per_hub_however_many_ask_and_another_hub_has_its_own(app, make_user, issue):
    first = cert_of(app, issue(make_user()))
    second = cert_of(app, issue(make_user()))
    with app.test_request_context():
        a = keys.active_key(first.hub_id)
        again = keys.active_key(first.hub_id)
        other = keys.active_key(second.hub_id)
        db.session.commit()
        assert a.id == again.id
        assert other.id != a.id
        assert db.session.scalar(select(db.func.count()).select_from(IssuerKey)) == 2


def test_rotation_keeps_old_credentials_verifiable(client, app, auth, make_user, issue):
    user_id = make_user()
    cert = cert_of(app, issue(user_id))
    old_token = _download(client, auth, user_id, cert.id)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["credentials", "rotate-key", "--hub", str(cert.hub_id)])
    assert result.exit_code == 0, result.output
    assert "new signing key" in result.output
    new_token = _download(client, auth, user_id, cert.id)
    assert part(new_token, 0)["kid"] != part(old_token, 0)["kid"]
    kids = [k["kid"] for k in client.get(f"/credentials/issuers/{cert.hub_id}/jwks.json").get_json()["keys"]]
    assert kids == [part(new_token, 0)["kid"], part(old_token, 0)["kid"]]
    client.get("/account/logout")
    page = client.post("/verify/credential", data={"credential": old_token})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Status: Valid" in text
    assert "signed with an earlier key" in text
    assert "Status: Valid" in client.post("/verify/credential", data={"credential": new_token}).get_data(as_text=True)
    missing = runner.invoke(args=["credentials", "rotate-key", "--hub", "987654321"])
    assert missing.exit_code != 0
    assert "There is no hub" in missing.output


def test_a_changed_key_secret_replaces_the_key_and_old_credentials_still_verify(client, app, auth, make_user, issue):
    user_id = make_user()
    cert = cert_of(app, issue(user_id))
    old_token = _download(client, auth, user_id, cert.id)
    app.config["CREDENTIAL_KEY_SECRET"] = "a different secret"
    new_token = _download(client, auth, user_id, cert.id)
    assert part(new_token, 0)["kid"] != part(old_token, 0)["kid"]
    assert client.get(f"/credentials/issuers/{cert.hub_id}/status/0").status_code == 200
    with app.app_context():
        from learnhub.audit import AuditEvent

        assert db.session.scalar(select(db.func.count()).select_from(IssuerKey).where(IssuerKey.hub_id == cert.hub_id)) == 2
        rotated = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "credential.key_rotated")).all()
        assert len(rotated) == 1
    for token in (old_token, new_token):
        assert "Status: Valid" in client.post("/verify/credential", data={"credential": token}).get_data(as_text=True)


def test_status_list_sets_the_bit_of_revoked_and_superseded_certificates(client, app, auth, make_user, issue):
    admin_id = make_user(hub_role="hub_admin")
    hub_id = hub_of(app, admin_id)
    keep = cert_of(app, issue(make_user(hub_id=hub_id)))
    revoked = cert_of(app, issue(make_user(hub_id=hub_id)))
    renamed = cert_of(app, issue(make_user(hub_id=hub_id)))
    elsewhere = cert_of(app, issue(make_user()))
    auth.login_as(admin_id)
    client.post(f"/hub/certificates/{revoked.id}/revoke", data={"reason": "Did not attend"})
    client.post(f"/hub/certificates/{renamed.id}/reissue", data={"holder_name": "Corrected Name"})
    response = client.get(f"/credentials/issuers/{hub_id}/status/0")
    assert response.mimetype == "application/vc+jwt"
    listed = part(response.get_data(as_text=True), 1)
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listed["issuer"] == f"http://localhost/credentials/issuers/{hub_id}"
    assert listed["credentialSubject"]["statusPurpose"] == "revocation"
    bits = statuslist.decode(listed["credentialSubject"]["encodedList"])
    assert len(bits) * 8 == statuslist.LIST_SIZE
    assert statuslist.bit(bits, revoked.id)
    assert statuslist.bit(bits, renamed.id)
    assert not statuslist.bit(bits, keep.id)
    assert not statuslist.bit(bits, elsewhere.id)  # another hub's list
    # A revocation undone clears the bit again; the replaced version stays set.
    client.post(f"/hub/certificates/{revoked.id}/reinstate", data={"reason": "Revoked in error"})
    bits = statuslist.decode(
        part(client.get(f"/credentials/issuers/{hub_id}/status/0").get_data(as_text=True), 1)["credentialSubject"]["encodedList"]
    )
    assert not statuslist.bit(bits, revoked.id)
    assert statuslist.bit(bits, renamed.id)
    assert client.get(f"/credentials/issuers/{hub_id}/status/99999999").status_code == 404
    assert client.get("/credentials/issuers/987654321/status/0").status_code == 404


def test_expired_certificates_carry_their_end_date(app, make_user, issue, declare):
    user_id = make_user()
    declare(hub_of(app, user_id), 7, "als_facilitator", months=12, window=30)
    cert_id = issue(user_id, completed_at=date.today() - timedelta(days=400))
    with app.test_request_context():
        from learnhub.certificates.models import Certificate

        vc = badge.credential_for(db.session.get(Certificate, cert_id))
    assert vc["validUntil"] < date.today().isoformat()


def test_the_issuing_hub_s_administrator_can_download_it_for_the_holder(client, app, auth, make_user, issue):
    cert = cert_of(app, issue(make_user()))
    admin_id = make_user(hub_id=cert.hub_id, hub_role="hub_admin")
    auth.login_as(admin_id)
    page = client.get(f"/hub/certificates/{cert.id}").get_data(as_text=True)
    assert f"/certificates/{cert.id}/credential" in page
    token = _download(client, auth, admin_id, cert.id)
    assert part(token, 1)["id"].endswith(cert.display_code)
    auth.login_as(make_user(hub_role="hub_admin"))  # another hub's administrator
    assert client.get(f"/certificates/{cert.id}/credential").status_code == 404


def test_the_credential_also_downloads_as_json_and_the_verify_page_accepts_that_file(client, app, auth, make_user, issue):
    user_id = make_user(name="Dr Priya Shah")
    cert = cert_of(app, issue(user_id, course_title="Supervising ARRS roles"))
    auth.login_as(user_id)
    page = client.get("/certificates").get_data(as_text=True)
    assert f"/certificates/{cert.id}/credential?format=json" in page
    assert "the same signed credential as a .json file" in page
    response = client.get(f"/certificates/{cert.id}/credential?format=json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="credential-{cert.display_code}.json"'
    envelope = json.loads(response.get_data(as_text=True))
    assert envelope["type"] == "EnvelopedVerifiableCredential"
    assert envelope["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    media, token = envelope["id"].split(",", 1)
    assert media == "data:application/vc+jwt"
    assert part(token, 0)["typ"] == "vc+jwt"
    assert part(token, 1)["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    client.get("/account/logout")
    upload = {"upload": (io.BytesIO(response.data), f"credential-{cert.display_code}.json")}
    checked = client.post("/verify/credential", data=upload, content_type="multipart/form-data").get_data(as_text=True)
    assert "Status: Valid" in checked
    assert "Supervising ARRS roles" in checked
