"""The public verify page checks a pasted or uploaded credential; every bad input gets a clear answer."""

import io
import json
from datetime import date, timedelta

import pytest
from joserfc.jwk import OKPKey

from learnhub.certificates.models import Certificate
from learnhub.credentials import badge, keys
from learnhub.credentials.models import IssuerKey
from learnhub.extensions import db
from tests.credentials.helpers import cert_of, flip, hub_of, part


@pytest.fixture
def credential(client, app, auth, make_user, issue):
    """credential(user_id=None, **issue_args) -> (certificate, token) downloaded by the holder."""

    def factory(user_id: int | None = None, **overrides: object) -> tuple[Certificate, str]:
        user_id = user_id or make_user(name="Dr Priya Shah")
        cert = cert_of(app, issue(user_id, **overrides))
        auth.login_as(user_id)
        token = client.get(f"/certificates/{cert.id}/credential").get_data(as_text=True)
        client.get("/account/logout")
        return cert, token

    return factory


def _check(client, text: str | bytes, *, upload: bool = False):
    if upload:
        data = {"upload": (io.BytesIO(text if isinstance(text, bytes) else text.encode()), "credential.jwt")}
        return client.post("/verify/credential", data=data, content_type="multipart/form-data")
    return client.post("/verify/credential", data={"credential": text})


def test_the_form_is_public_and_linked_from_the_code_page(client):
    page = client.get("/verify/credential")
    assert page.status_code == 200
    assert "Check a digital credential" in page.get_data(as_text=True)
    assert "/verify/credential" in client.get("/verify").get_data(as_text=True)


def test_a_pasted_or_uploaded_credential_shows_the_same_fields_as_the_code(client, credential):
    cert, token = credential(course_title="Supervising ARRS roles")
    for response in (_check(client, token), _check(client, token, upload=True), _check(client, f"\n  {token}\n")):
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "Status: Valid" in page
        for expected in ("Dr Priya Shah", "Supervising ARRS roles", cert.display_code, cert.hub_name):
            assert expected in page
    # The W3C enveloped form of the same credential is accepted too.
    envelope = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "EnvelopedVerifiableCredential",
        "id": f"data:application/vc+jwt,{token}",
    }
    assert "Status: Valid" in _check(client, json.dumps(envelope), upload=True).get_data(as_text=True)


def test_revoked_and_superseded_credentials_say_so(client, app, auth, make_user, credential):
    admin_id = make_user(hub_role="hub_admin")
    hub_id = hub_of(app, admin_id)
    revoked, revoked_token = credential(make_user(hub_id=hub_id))
    renamed, renamed_token = credential(make_user(hub_id=hub_id))
    auth.login_as(admin_id)
    client.post(f"/hub/certificates/{revoked.id}/revoke", data={"reason": "Did not attend day 2"})
    client.post(f"/hub/certificates/{renamed.id}/reissue", data={"holder_name": "Corrected Name"})
    client.get("/account/logout")
    page = _check(client, revoked_token).get_data(as_text=True)
    assert "Status: Revoked" in page
    assert "Did not attend day 2" in page
    assert "Status: Valid" not in page
    page = _check(client, renamed_token).get_data(as_text=True)
    assert "Status: Superseded" in page
    assert "Ask the holder for the current credential" in page


def test_an_expired_credential_says_expired(client, app, make_user, credential, declare):
    user_id = make_user()
    declare(hub_of(app, user_id), 7, "als_facilitator", months=12, window=30)
    _cert, token = credential(user_id, completed_at=date.today() - timedelta(days=400))
    page = _check(client, token).get_data(as_text=True)
    assert "Status: Expired" in page
    assert "It has expired" in page


def test_a_changed_credential_is_refused(client, credential):
    _cert, token = credential()
    payload = part(token, 1)
    for tampered in (flip(token, 20), flip(token, len(token.split(".")[1]) - 5)):
        response = _check(client, tampered)
        assert response.status_code == 400
        assert "This credential has been changed" in response.get_data(as_text=True)
    # A well-formed payload with a different holder, under the original signature.
    payload["credentialSubject"]["identifier"][1]["identityHash"] = "Someone Else"
    import base64

    forged_body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    header, _body, signature = token.split(".")
    response = _check(client, f"{header}.{forged_body}.{signature}")
    assert response.status_code == 400
    assert "This credential has been changed" in response.get_data(as_text=True)


def test_a_credential_from_another_issuer_is_refused(client, app, credential):
    cert, token = credential()
    stranger = OKPKey.generate_key("Ed25519")
    from joserfc import jws

    header = {"alg": "EdDSA", "typ": "vc+jwt", "kid": "https://badges.example.com/keys/1"}
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="EdDSA is deprecated")
        foreign = jws.serialize_compact(header, json.dumps(part(token, 1)).encode(), stranger, algorithms=["EdDSA"])
    response = _check(client, foreign)
    assert response.status_code == 400
    assert "not issued by this site" in response.get_data(as_text=True)
    # Our key URL but a key we never published: refused, not looked up elsewhere.
    header["kid"] = f"http://localhost/credentials/issuers/{cert.hub_id}/keys/{stranger.thumbprint()}"
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="EdDSA is deprecated")
        unknown = jws.serialize_compact(header, json.dumps(part(token, 1)).encode(), stranger, algorithms=["EdDSA"])
    assert "signing key is unknown" in _check(client, unknown).get_data(as_text=True)


def test_a_credential_whose_status_list_cannot_be_read_is_refused(client, app, credential):
    cert, token = credential()
    vc = part(token, 1)
    with app.test_request_context():
        key = db.session.scalar(db.select(IssuerKey).where(IssuerKey.hub_id == cert.hub_id))
        elsewhere = dict(vc, credentialStatus=dict(vc["credentialStatus"], statusListCredential="https://lists.example.net/1"))
        beyond = dict(vc, credentialStatus=dict(vc["credentialStatus"], statusListIndex="99999999"))
        missing = {k: v for k, v in vc.items() if k != "credentialStatus"}
        tokens = [badge.sign(changed, key) for changed in (elsewhere, beyond, missing)]
    for signed in tokens:
        response = _check(client, signed)
        assert response.status_code == 400
        assert "status cannot be checked" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "{not json",
        '{"id": "https://example.org"}',
        "a.b.c",
        "eyJhbGciOiJFZERTQSJ9.e30.AAAA",
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.e30.AAAA",
        "\u0000\u0001",
    ],
)
def test_malformed_input_is_refused_clearly(client, text):
    response = _check(client, text)
    assert response.status_code == 400
    assert "This is not a credential we can read" in response.get_data(as_text=True)


def test_binary_and_oversized_uploads_are_refused_never_a_500(client):
    binary = _check(client, bytes(range(256)) * 4, upload=True)
    assert binary.status_code == 400
    assert "not a credential we can read" in binary.get_data(as_text=True)
    large = _check(client, b"e" * (100 * 1024), upload=True)
    assert large.status_code == 400
    assert "too large to be a credential" in large.get_data(as_text=True)
    pasted = _check(client, "e" * (100 * 1024))
    assert "too large to be a credential" in pasted.get_data(as_text=True)
    # A 10 MB file: refused by the upload limit with the site's page (the body is built by hand:
    # the test client would spool a file that large to a temporary file it never closes).
    boundary = "credentialboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="upload"; filename="big.jwt"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + b"e" * (10 * 1024 * 1024)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    huge = client.post("/verify/credential", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert huge.status_code == 413
    assert "The file is too large" in huge.get_data(as_text=True)


def test_nothing_sent_asks_for_the_credential(client):
    response = _check(client, "   ")
    assert response.status_code == 400
    assert "Paste the credential or choose its file" in response.get_data(as_text=True)


def test_a_credential_for_a_certificate_we_never_issued_is_refused(client, app, credential):
    cert, token = credential()
    vc = dict(part(token, 1), id="http://localhost/verify/AAAA-AAAA-AAAA-AAAA")
    with app.test_request_context():
        signed = badge.sign(vc, keys.active_key(cert.hub_id))
    response = _check(client, signed)
    assert response.status_code == 400
    assert "certificate cannot be found" in response.get_data(as_text=True)


def test_checking_the_same_credential_again_at_once_answers_again(client, app, credential):
    app.config["DOUBLE_SUBMIT_SECONDS"] = 10
    _cert, token = credential()
    for _ in range(2):
        response = _check(client, token)
        assert response.status_code == 200
        assert "Status: Valid" in response.get_data(as_text=True)
    # A check writes nothing, not even the double-submit guard's row (a repeat would wait for it).
    from learnhub.submissions import FormSubmission

    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(FormSubmission)) == 0


def test_a_reissued_certificate_s_credential_still_carries_the_eligibility(client, app, auth, make_user, credential, declare):
    admin_id = make_user(hub_role="hub_admin")
    hub_id = hub_of(app, admin_id)
    declare(hub_id, 7, "gp_clinical_supervisor", months=36)
    holder_id = make_user(hub_id=hub_id, name="Dr Amy Lee")
    cert, _token = credential(holder_id)
    auth.login_as(admin_id)
    client.post(f"/hub/certificates/{cert.id}/reissue", data={"holder_name": "Dr Amy Lee-Smith"})
    with app.app_context():
        new_id = db.session.scalar(
            db.select(Certificate.id).where(Certificate.superseded_by_id.is_(None), Certificate.user_id == holder_id)
        )
    auth.login_as(holder_id)
    token = client.get(f"/certificates/{new_id}/credential").get_data(as_text=True)
    achievement = part(token, 1)["credentialSubject"]["achievement"]
    assert [a["targetCode"] for a in achievement["alignment"]] == ["gp_clinical_supervisor"]
    assert "Clinical pharmacist" in achievement["alignment"][0]["targetDescription"]
    assert "Dr Amy Lee-Smith" in json.dumps(part(token, 1)["credentialSubject"]["identifier"])


def test_credential_checks_are_rate_limited(app, client):
    app.config["VERIFY_RATE_LIMIT"] = "3 per minute"
    codes = [client.post("/verify/credential", data={"credential": "x.y.z"}).status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]
    assert client.get("/verify/credential").status_code == 200  # reading the form is not limited
