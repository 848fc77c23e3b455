"""Corrections (issue 14): revoke and reinstate with confirmation pages, reasons, history and audit rows;
what a revoked certificate's verify page and PDF say; finding certificates as administrators type."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.audit import Action, AuditEvent
from learnhub.certificates.codes import format_code
from learnhub.certificates.models import Certificate
from learnhub.certificates.pdf import certificate_html
from learnhub.eligibility.models import EligibilityRecord
from learnhub.extensions import db
from tests.helpers import assert_redirect


def _hub_of(app, user_id: int) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.get(User, user_id).hub_id


def _audited(app, action: Action) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


@pytest.fixture
def revocable(app, make_user, issue, declare):  # type: ignore[no-untyped-def]
    """A hub admin and a GP's certificate that carries an eligibility."""
    admin_id = make_user(hub_role="hub_admin", name="Helen Marsh")
    hub_id = _hub_of(app, admin_id)
    gp = make_user(hub_id=hub_id, name="Dr Siân Jones", professional_role="gp")
    declare(hub_id, 7, "arrs_clinical_supervisor", months=36, window=90)
    cert_id = issue(gp)
    with app.app_context():
        code = db.session.get(Certificate, cert_id).code
    return {"admin": admin_id, "holder": gp, "cert": cert_id, "code": format_code(code)}


def test_revoke_asks_for_confirmation_then_reinstate_undoes_it_with_history(app, client, auth, revocable):
    cert_id, code = revocable["cert"], revocable["code"]
    auth.login_as(revocable["admin"])
    detail = client.get(f"/hub/certificates/{cert_id}").get_data(as_text=True)
    assert f'href="/hub/certificates/{cert_id}/revoke"' in detail
    confirm = client.get(f"/hub/certificates/{cert_id}/revoke")
    assert confirm.status_code == 200
    page = confirm.get_data(as_text=True)
    assert f"Are you sure you want to revoke certificate {code}?" in page
    assert "ARRS clinical supervisor" in page  # says which eligibility goes with it
    response = client.post(f"/hub/certificates/{cert_id}/revoke", data={"reason": "Recorded in error"})
    assert_redirect(response)
    # The revoke form no longer shows on a revoked certificate; reinstate does.
    detail = client.get(f"/hub/certificates/{cert_id}").get_data(as_text=True)
    assert "Revoke this certificate" not in detail
    assert f'href="/hub/certificates/{cert_id}/reinstate"' in detail
    with app.app_context():
        assert db.session.scalar(select(EligibilityRecord)).revoked_at is not None

    confirm = client.get(f"/hub/certificates/{cert_id}/reinstate")
    assert confirm.status_code == 200
    assert "Recorded in error" in confirm.get_data(as_text=True)
    refused = client.post(f"/hub/certificates/{cert_id}/reinstate", data={"reason": "  "})
    assert refused.status_code == 400
    assert "Enter the reason for reinstating this certificate" in refused.get_data(as_text=True)
    done = client.post(f"/hub/certificates/{cert_id}/reinstate", data={"reason": "Attendance was correct after all"})
    assert_redirect(done)
    assert done.headers["Location"].endswith(f"/hub/certificates/{cert_id}")
    with app.app_context():
        cert = db.session.get(Certificate, cert_id)
        assert cert.status == "valid"
        record = db.session.scalar(select(EligibilityRecord))
        assert record.revoked_at is None
        assert record.status_on(date.today()).value == "active"
    assert _audited(app, Action.CERTIFICATE_REVOKED) == 1
    assert _audited(app, Action.CERTIFICATE_REINSTATED) == 1
    assert _audited(app, Action.ELIGIBILITY_REINSTATED) == 1
    verify = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "Status: Valid" in verify
    assert "Corrections" in verify
    assert "Revoked" in verify
    assert "Recorded in error" in verify
    assert "Reinstated" in verify
    assert "Attendance was correct after all" in verify
    # A second reinstate (double click) changes nothing.
    again = client.post(f"/hub/certificates/{cert_id}/reinstate", data={"reason": "again"})
    assert_redirect(again)
    assert _audited(app, Action.CERTIFICATE_REINSTATED) == 1
    # The person's eligibility history shows the reinstatement.
    person = client.get(f"/hub/eligibility/people/{revocable['holder']}").get_data(as_text=True)
    assert "Reinstated" in person


def test_revoked_certificate_verify_page_shows_eligibility_and_validity_withdrawn(app, client, auth, revocable):
    auth.login_as(revocable["admin"])
    before = client.get(f"/verify/{revocable['code']}").get_data(as_text=True)
    assert "ARRS clinical supervisor until" in before
    client.post(f"/hub/certificates/{revocable['cert']}/revoke", data={"reason": "Did not attend"})
    page = client.get(f"/verify/{revocable['code']}").get_data(as_text=True)
    assert "Status: Revoked" in page
    assert "Withdrawn: the certificate was revoked" in page
    assert "<del>ARRS clinical supervisor until" in page


def test_holder_pdf_of_a_revoked_or_superseded_certificate_is_marked(app, client, auth, make_user, issue):
    admin_id = make_user(hub_role="hub_admin")
    holder = make_user(hub_id=_hub_of(app, admin_id), name="Dr Ana Lopes")
    cert_id = issue(holder)
    auth.login_as(holder)
    issued = client.get(f"/certificates/{cert_id}/download")
    with app.app_context():
        stored = db.session.get(Certificate, cert_id).pdf
    assert issued.data == stored  # a valid certificate downloads exactly as issued
    auth.login_as(admin_id)
    client.post(f"/hub/certificates/{cert_id}/revoke", data={"reason": "Issued to the wrong person"})
    auth.login_as(holder)
    marked = client.get(f"/certificates/{cert_id}/download")
    assert marked.status_code == 200
    assert marked.data.startswith(b"%PDF")
    assert marked.data != stored
    assert "revoked" in marked.headers["Content-Disposition"]


def test_the_marked_certificate_says_so_in_words_and_title(app):
    from learnhub.certificates.pdf import CertificateFacts

    facts = CertificateFacts(
        holder_name="Dr Ana Lopes",
        course_title="Supervising ARRS roles",
        completed_on=date(2026, 1, 10),
        cpd_hours=6,
        outcomes=[],
        hub_name="Northshire Training Hub",
        signatory=None,
        code="7KQ2M9XD4TRAB0CE",
        verify_url="https://example.org/verify/7KQ2-M9XD-4TRA-B0CE",
        mark="SUPERSEDED",
    )
    html = certificate_html(facts)
    assert "<title>SUPERSEDED: Certificate of completion: Supervising ARRS roles" in html
    assert "SUPERSEDED – this certificate is no longer valid" in html
    assert "Certificate of completion for CPD records" in html
    assert "participation" not in html


def test_search_ignores_accents_finds_part_of_a_code_filters_expired_and_hides_superseded(
    app, client, auth, make_user, issue, declare
):
    from learnhub.certificates.services import reissue_certificate

    admin_id = make_user(hub_role="hub_admin")
    hub_id = _hub_of(app, admin_id)
    sian = issue(make_user(hub_id=hub_id, name="Dr Siân Jones"))
    old = issue(make_user(hub_id=hub_id, name="Dr Olu Old"), completion_id=2)
    with app.test_request_context():
        new = reissue_certificate(None, db.session.get(Certificate, old), "Dr Olu Oldfield")
        db.session.commit()
        new_id = new.id
        expired = db.session.get(Certificate, sian)
        expired.valid_until = date.today() - timedelta(days=1)
        db.session.commit()
        code = db.session.get(Certificate, sian).code
    auth.login_as(admin_id)
    found = client.get("/hub/certificates", query_string={"q": "sian"}).get_data(as_text=True)
    assert "Dr Siân Jones" in found
    part = client.get("/hub/certificates", query_string={"q": code[4:8].lower()}).get_data(as_text=True)
    assert "Dr Siân Jones" in part
    listing = client.get("/hub/certificates").get_data(as_text=True)
    assert "Dr Olu Oldfield" in listing
    assert f'/hub/certificates/{old}"' not in listing  # the superseded version is hidden by default
    everything = client.get("/hub/certificates", query_string={"status": "all"}).get_data(as_text=True)
    assert f'/hub/certificates/{old}"' in everything
    assert f'/hub/certificates/{new_id}"' in everything
    only_expired = client.get("/hub/certificates", query_string={"status": "expired"}).get_data(as_text=True)
    assert "Dr Siân Jones" in only_expired
    assert "Dr Olu Oldfield" not in only_expired
    only_valid = client.get("/hub/certificates", query_string={"status": "valid"}).get_data(as_text=True)
    assert "Dr Siân Jones" not in only_valid
    for odd in ("²", "\\x00", "x" * 5000):
        assert client.get("/hub/certificates", query_string={"q": odd, "status": odd, "page": odd}).status_code == 200
