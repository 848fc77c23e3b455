"""The people import accepts every CSV Excel writes, and says clearly what is wrong with anything else."""

import io

import pytest
from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.audit import Action, AuditEvent
from learnhub.extensions import db
from tests.helpers import assert_redirect

ROWS = "name,email,professional_role\nSiân Jones,sian@example.org,Nurse\nBob Brown,bob@example.org,GP\n"


@pytest.fixture
def admin(make_user, make_hub):  # type: ignore[no-untyped-def]
    return make_user("admin@example.org", hub_id=make_hub(), hub_role="hub_admin")


def _upload(client, data: bytes, name: str = "people.csv"):  # type: ignore[no-untyped-def]
    return client.post("/hub/users/import", data={"csv_file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _names(app) -> list[str]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return sorted(db.session.scalars(select(User.name).where(User.email != "admin@example.org")))


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(ROWS.encode(), id="utf-8"),
        pytest.param(ROWS.encode("utf-8-sig"), id="utf-8 with BOM (Excel CSV UTF-8)"),
        pytest.param(ROWS.encode("cp1252"), id="Windows-1252 (Excel CSV on Windows)"),
        pytest.param(ROWS.replace("\n", "\r").encode("cp1252"), id="CR only (Excel CSV Macintosh)"),
        pytest.param(ROWS.replace("\n", "\r\n").encode("utf-16"), id="UTF-16 (Excel Unicode text)"),
        pytest.param(ROWS.replace(",", "\t").encode("utf-16"), id="UTF-16 tab-separated"),
    ],
)
def test_every_file_excel_writes_is_imported(app, client, auth, admin, outbox, data):
    auth.login_as(admin)
    response = _upload(client, data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert response.headers["Location"] == "/hub/users"
    assert _names(app) == ["Bob Brown", "Siân Jones"]
    assert sorted(m["To"] for m in outbox) == ["bob@example.org", "sian@example.org"]


def test_a_huge_field_is_a_clear_message_not_a_500(app, client, auth, admin, outbox):
    auth.login_as(admin)
    response = _upload(client, ("name,email\n" + "A" * 140_000 + ",a@example.org\n").encode())
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Row 2" in page
    assert "There is a problem" in page
    assert _names(app) == []
    assert outbox == []


def test_a_file_that_is_not_text_is_a_clear_message(app, client, auth, admin):
    auth.login_as(admin)
    response = _upload(client, b"\x00\x01\x02PK\x03\x04" * 100)
    assert response.status_code == 400
    assert "The file must be a CSV" in response.get_data(as_text=True)


def test_a_file_name_with_nul_is_refused_or_read_never_a_500(app, client, auth, admin):
    auth.login_as(admin)
    response = _upload(client, ROWS.encode(), name="peo\x00ple.csv")
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert "There is a problem" in response.get_data(as_text=True)


def test_import_audits_in_the_same_transaction_and_mails_only_after_commit(app, client, auth, admin, outbox, monkeypatch):
    """If the request fails after the accounts are written, nobody is invited and no mail goes out."""
    from learnhub.organisations import services

    auth.login_as(admin)
    real_audit = services.audit

    def audit_then_fail(actor, action, **details):  # type: ignore[no-untyped-def]
        real_audit(actor, action, **details)
        if action == Action.USERS_IMPORTED:
            raise RuntimeError("the database went away at the end of the import")

    monkeypatch.setattr(services, "audit", audit_then_fail)
    response = _upload(client, ROWS.encode())
    assert response.status_code == 500
    assert _names(app) == []
    assert outbox == []  # the invitation emails were never sent for accounts that do not exist
    monkeypatch.setattr(services, "audit", real_audit)
    response = _upload(client, ROWS.encode())
    assert_redirect(response)
    assert len(outbox) == 2
    with app.app_context():
        imported = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == Action.USERS_IMPORTED)
        assert db.session.scalar(imported) == 1
