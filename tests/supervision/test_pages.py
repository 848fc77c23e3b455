"""The supervision pages: staff list, CSV import, assigning, logging, dashboards, authorisation."""

import io
from datetime import UTC, timedelta

from sqlalchemy import func, select

from learnhub.extensions import db
from learnhub.supervision.models import StaffMember, SupervisionArrangement, SupervisionLog
from tests.supervision.conftest import date_fields


def _count(app, model) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _assign(client, w, staff_id, kind, supervisor, **extra):  # type: ignore[no-untyped-def]
    data = {"supervisor_id": str(supervisor), **date_fields("start_date", w.today), **extra}
    return client.post(f"/pcn/supervision/staff/{staff_id}/assign/{kind}", data=data)


def test_lead_sees_dashboard_with_missing_supervisors(client, auth, sworld) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(sworld.lead)
    page = client.get(f"/pcn/supervision/{sworld.pcn1}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'id="count-uncovered">2<' in body  # the SPLW and the clinical pharmacist
    assert "Other Staff" not in body
    assert client.get("/pcn/supervision").status_code == 200


def test_assign_shows_only_valid_people_with_load_and_refuses_an_ineligible_one(app, client, auth, sworld) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(sworld.lead)
    page = client.get(f"/pcn/supervision/staff/{sworld.staff.pharm}/assign/clinical").get_data(as_text=True)
    assert "Senior Pharm" in page
    assert "0 of 5 supervisees" in page
    assert "Dr Gee Pee" not in page
    assert "No Register" not in page
    refused = _assign(client, sworld, sworld.staff.pharm, "clinical", sworld.gp)
    assert refused.status_code == 400
    assert "Clinical pharmacist supervisor" in refused.get_data(as_text=True)
    assert _count(app, SupervisionArrangement) == 0
    ok = _assign(client, sworld, sworld.staff.pharm, "clinical", sworld.senior)
    assert ok.status_code == 302
    assert _count(app, SupervisionArrangement) == 1


def test_picker_leaves_out_people_at_the_cap(app, client, auth, sworld) -> None:  # type: ignore[no-untyped-def]
    from learnhub.organisations.models import Hub

    with app.app_context():
        db.session.get(Hub, sworld.hub_a).supervisee_cap = 1
        db.session.commit()
    auth.login_as(sworld.lead)
    assert _assign(client, sworld, sworld.staff.pharm, "gp_clinical", sworld.gp).status_code == 302
    page = client.get(f"/pcn/supervision/staff/{sworld.staff.splw}/assign/clinical").get_data(as_text=True)
    assert "Dr Gee Pee" not in page
    refused = _assign(client, sworld, sworld.staff.splw, "clinical", sworld.gp)
    assert refused.status_code == 400
    assert "cap is 1 supervisees" in refused.get_data(as_text=True)


def test_self_supervision_refused(app, client, auth, sworld) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(sworld.lead)
    response = _assign(client, sworld, sworld.staff.splw, "day_to_day", sworld.splw_user)
    assert response.status_code == 400
    assert "Nobody can supervise themselves" in response.get_data(as_text=True)
    assert _count(app, SupervisionArrangement) == 0


def test_unknown_kind_is_404(client, auth, sworld) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(sworld.lead)
    assert client.get(f"/pcn/supervision/staff/{sworld.staff.splw}/assign/cpd").status_code == 404
    assert client.get(f"/pcn/supervision/staff/{sworld.staff.splw}/assign/nonsense").status_code == 404


def test_add_staff_and_duplicate_refused(app, client, auth, sworld) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(sworld.lead)
    data = {"name": "New Coach", "role": "hwbc", "practice_id": "0", **date_fields("start_date", sworld.today)}
    assert client.post(f"/pcn/supervision/{sworld.pcn1}/staff", data=data).status_code == 302
    again = client.post(f"/pcn/supervision/{sworld.pcn1}/staff", data=data)
    assert again.status_code == 400
    assert "already on" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(StaffMember.name == "New Coach")) == 1


def test_add_staff_with_an_account_of_another_pcn_refused(app, client, auth, sworld, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user(hub_id=sworld.hub_a, pcn_id=sworld.pcn2, email="elsewhere@example.org")
    auth.login_as(sworld.lead)
    data = {"name": "Elsewhere", "role": "hwbc", "email": "elsewhere@example.org", **date_fields("start_date", sworld.today)}
    response = client.post(f"/pcn/supervision/{sworld.pcn1}/staff", data=data)
    assert response.status_code == 400
    assert "belongs to another PCN" in response.get_data(as_text=True)


def _upload(client, pcn_id, text):  # type: ignore[no-untyped-def]
    return client.post(
        f"/pcn/supervision/{pcn_id}/staff/import",
        data={"csv_file": (io.BytesIO(text.encode()), "staff.csv")},
        content_type="multipart/form-data",
    )


def test_csv_import_checks_every_row_and_saves_nothing_on_a_problem(app, client, auth, sworld) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(sworld.lead)
    before = _count(app, StaffMember)
    bad = (
        "name,role,start date,pcn\nA One,splw,2026-04-01,\nA One,splw,2026-04-01,\n"
        "B Two,hwbc,2026-04-01,Other PCN A\nC Three,astronaut,2026-04-01,\n"
    )
    response = _upload(client, sworld.pcn1, bad)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Duplicate of row 2" in body
    assert "import each PCN" in body
    assert "not an ARRS role" in body
    assert _count(app, StaffMember) == before
    good = "name,role,start date\nA One,Social prescribing link worker,2026-04-01\nB Two,hwbc,2026-04-01\n"
    assert _upload(client, sworld.pcn1, good).status_code == 302
    assert _count(app, StaffMember) == before + 2


def test_log_session_refuses_future_and_before_start_and_identifiers(app, client, auth, sworld) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(sworld.lead)
    _assign(client, sworld, sworld.staff.splw, "clinical", sworld.gp)
    with app.app_context():
        arrangement_id = db.session.scalar(select(SupervisionArrangement.id))
    auth.login_as(sworld.splw_user)  # the supervisee logs it
    url = f"/supervision/arrangements/{arrangement_id}"
    future = client.post(url, data={**date_fields("session_date", sworld.today + timedelta(days=1)), "minutes": "60"})
    assert future.status_code == 400
    assert "today or in the past" in future.get_data(as_text=True)
    early = client.post(url, data={**date_fields("session_date", sworld.today - timedelta(days=3)), "minutes": "60"})
    assert early.status_code == 400
    assert "on or after the arrangement started" in early.get_data(as_text=True)
    nhs = client.post(url, data={**date_fields("session_date", sworld.today), "minutes": "60", "note": "Discussed 943 476 5919"})
    assert nhs.status_code == 400
    assert _count(app, SupervisionLog) == 0
    ok = client.post(url, data={**date_fields("session_date", sworld.today), "minutes": "45", "note": "Caseload review"})
    assert ok.status_code == 302
    assert _count(app, SupervisionLog) == 1
    mine = client.get("/supervision").get_data(as_text=True)
    assert "Dr Gee Pee" in mine
    auth.login_as(sworld.gp)
    assert "Link Worker" in client.get("/supervision").get_data(as_text=True)


def test_nobody_reaches_another_pcn_or_hub_by_changing_ids(app, client, auth, sworld) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(sworld.lead)
    _assign(client, sworld, sworld.staff.splw, "clinical", sworld.gp)
    with app.app_context():
        arrangement_id = db.session.scalar(select(SupervisionArrangement.id))
    urls = [
        f"/pcn/supervision/{sworld.pcn1}",
        f"/pcn/supervision/{sworld.pcn1}/staff",
        f"/pcn/supervision/{sworld.pcn1}/staff/import",
        f"/pcn/supervision/staff/{sworld.staff.splw}",
        f"/pcn/supervision/staff/{sworld.staff.splw}/assign/clinical",
        f"/supervision/arrangements/{arrangement_id}",
    ]
    for who in (sworld.lead2, sworld.admin_b, sworld.lead_b):
        auth.login_as(who)
        for url in urls:
            assert client.get(url).status_code == 404, (who, url)
        assert client.post(f"/pcn/supervision/arrangements/{arrangement_id}/end").status_code == 404
    auth.login_as(sworld.plain)  # leads nothing: 403 on the PCN pages, 404 on others' arrangements
    assert client.get(f"/pcn/supervision/{sworld.pcn1}").status_code == 403
    assert client.get(f"/supervision/arrangements/{arrangement_id}").status_code == 404
    assert client.get("/hub/supervision").status_code == 403
    auth.login_as(sworld.lead)  # the lead cannot reach PCN 2 of the same hub
    assert client.get(f"/pcn/supervision/{sworld.pcn2}").status_code == 404
    assert client.get(f"/pcn/supervision/staff/{sworld.staff.other}").status_code == 404
    auth.login_as(sworld.admin)  # the hub admin reaches any PCN of the hub
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert client.get(f"/pcn/supervision/{sworld.pcn2}").status_code == 200


def test_hub_view_suppresses_small_counts_and_exports_csv(client, auth, sworld) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(sworld.admin)
    page = client.get("/hub/supervision")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert '<td class="nhsuk-table__cell">*</td>' in body
    csv = client.get("/hub/supervision?format=csv")
    assert csv.status_code == 200
    assert csv.mimetype == "text/csv"
    text = csv.get_data(as_text=True)
    assert "Staff without a required supervisor" in text
    assert "2" not in text.splitlines()[1].split(",")[1:]


def test_hub_view_exports_xlsx(client, auth, sworld) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(sworld.admin)
    response = client.get("/hub/supervision?format=xlsx")
    assert response.status_code == 200
    assert response.data[:2] == b"PK"


def test_hub_cap_form(client, auth, sworld) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(sworld.admin)
    assert client.post("/hub/supervision", data={"cap": "0"}).status_code == 400
    assert client.post("/hub/supervision", data={"cap": "7"}).status_code == 302
    assert 'value="7"' in client.get("/hub/supervision").get_data(as_text=True)


def test_pcn_dashboard_csv_agrees_with_the_dashboard(client, auth, sworld) -> None:  # type: ignore[no-untyped-def]
    auth.login_as(sworld.lead)
    csv = client.get(f"/pcn/supervision/{sworld.pcn1}?format=csv").get_data(as_text=True)
    assert csv.count(",Missing") == 5  # SPLW: clinical, day-to-day; pharmacist: clinical, GP, CPD


def test_end_arrangement_and_revoked_supervisor_flagged(app, client, auth, sworld) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    from learnhub.eligibility.models import EligibilityRecord

    auth.login_as(sworld.lead)
    _assign(client, sworld, sworld.staff.splw, "clinical", sworld.gp)
    with app.app_context():
        record = db.session.scalar(
            select(EligibilityRecord).where(EligibilityRecord.eligibility_type == "personalised_care_supervisor")
        )
        record.revoked_at = datetime.now(UTC)
        db.session.commit()
        arrangement_id = db.session.scalar(select(SupervisionArrangement.id))
    body = client.get(f"/pcn/supervision/{sworld.pcn1}").get_data(as_text=True)
    assert 'id="count-flagged">1<' in body
    assert client.post(f"/pcn/supervision/arrangements/{arrangement_id}/end").status_code == 302
    with app.app_context():
        assert db.session.get(SupervisionArrangement, arrangement_id).end_date == sworld.today


def test_dashboard_says_how_many_more_supervisors_of_which_kind(app, client, auth, sworld) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        db.session.add(
            StaffMember(hub_id=sworld.hub_a, pcn_id=sworld.pcn1, name="Phil Io", role="physiotherapist", start_date=sworld.today)
        )
        db.session.commit()
    auth.login_as(sworld.lead)
    body = client.get(f"/pcn/supervision/{sworld.pcn1}").get_data(as_text=True)
    assert "1 more supervisor eligible as ARRS clinical supervisor would cover your 1 physiotherapist" in body
