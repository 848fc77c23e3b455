"""Declaring what a course grants, the register and its CSV, and renewal reminders."""

import csv
import io
from datetime import date, timedelta

from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.eligibility.models import EligibilityDeclaration, EligibilityRecord
from learnhub.extensions import db
from learnhub.organisations.models import Pcn


def _hub_of(app, user_id: int) -> int:
    with app.app_context():
        return db.session.get(User, user_id).hub_id


def _course_in(app, hub_id: int) -> int:
    from learnhub.courses.models import Course

    with app.app_context():
        course = Course(hub_id=hub_id, title="Supervising ARRS roles", summary="", audience=[], learning_outcomes="")
        db.session.add(course)
        db.session.commit()
        return course.id


def test_admin_declares_eligibility_for_a_course(client, app, auth, make_user):
    admin_id = make_user(hub_role="hub_admin")
    course_id = _course_in(app, _hub_of(app, admin_id))
    auth.login_as(admin_id)
    assert client.get("/hub/courses/999999/eligibility").status_code == 404
    missing = client.post(
        f"/hub/courses/{course_id}/eligibility",
        data={"eligibility_type": "arrs_clinical_supervisor", "renewal_window_days": "90"},
    )
    assert missing.status_code == 200
    assert "Enter how long the eligibility lasts, in months" in missing.get_data(as_text=True)
    too_long_window = client.post(
        f"/hub/courses/{course_id}/eligibility",
        data={"eligibility_type": "arrs_clinical_supervisor", "validity_months": "1", "renewal_window_days": "90"},
    )
    assert "renewal window must be shorter" in too_long_window.get_data(as_text=True)
    data = {"eligibility_type": "arrs_clinical_supervisor", "validity_months": "36", "renewal_window_days": "90"}
    response = client.post(f"/hub/courses/{course_id}/eligibility", data=data)
    assert response.headers["Location"].endswith(f"/hub/courses/{course_id}/eligibility")
    assert "This course already grants ARRS clinical supervisor" in client.post(
        f"/hub/courses/{course_id}/eligibility", data=data
    ).get_data(as_text=True)
    with app.app_context():
        declaration = db.session.scalar(select(EligibilityDeclaration))
        assert (declaration.course_id, declaration.validity_months, declaration.renewal_window_days) == (course_id, 36, 90)
        declaration_id = declaration.id
    # Another hub's administrator cannot see or change it.
    auth.login_as(make_user(hub_role="hub_admin"))
    assert client.get(f"/hub/courses/{course_id}/eligibility").status_code == 404
    assert client.post(f"/hub/courses/{course_id}/eligibility/{declaration_id}/remove").status_code == 404
    auth.login_as(admin_id)
    client.post(f"/hub/courses/{course_id}/eligibility/{declaration_id}/remove")
    with app.app_context():
        assert db.session.scalar(select(EligibilityDeclaration)) is None


def _register_setup(app, make_user, issue, declare):
    admin_id = make_user(hub_role="hub_admin")
    hub_id = _hub_of(app, admin_id)
    with app.app_context():
        first_pcn = db.session.scalar(select(Pcn).where(Pcn.hub_id == hub_id))
        second = Pcn(hub_id=hub_id, name="Moorland PCN")
        db.session.add(second)
        db.session.commit()
        pcn_x, pcn_y = first_pcn.id, second.id
    declare(hub_id, 7, "gp_clinical_supervisor")
    declare(hub_id, 7, "pharmacist_supervisor")
    declare(hub_id, 7, "arrs_clinical_supervisor")
    gp = make_user(hub_id=hub_id, name="Dr Gita Patel", professional_role="gp", pcn_id=pcn_x)
    pharmacist = make_user(hub_id=hub_id, name="Sam Senior", professional_role="senior_clinical_pharmacist", pcn_id=pcn_x)
    ap = make_user(hub_id=hub_id, name="Alex Advanced", professional_role="advanced_practitioner", pcn_id=pcn_x)
    far_gp = make_user(hub_id=hub_id, name="Dr Far Away", professional_role="gp", pcn_id=pcn_y)
    hwbc = make_user(hub_id=hub_id, name="Holly Coach", professional_role="hwbc", pcn_id=pcn_x)
    for user_id in (gp, pharmacist, ap, far_gp, hwbc):
        issue(user_id)
    return admin_id, pcn_x


def test_who_can_supervise_a_clinical_pharmacist_in_a_pcn(client, app, auth, make_user, issue, declare):
    admin_id, pcn_x = _register_setup(app, make_user, issue, declare)
    auth.login_as(admin_id)
    page = client.get(
        "/hub/eligibility", query_string={"role": "clinical_pharmacist", "pcn": pcn_x, "status": "current"}
    ).get_data(as_text=True)
    page = page.split("Completions that gave no eligibility")[0]
    assert "Dr Gita Patel" in page
    assert "Sam Senior" in page
    assert "Alex Advanced" not in page  # the advanced-practitioner route does not cover pharmacists
    assert "Dr Far Away" not in page  # another PCN
    assert "2 entries" in page


def test_register_explains_why_no_eligibility_followed(client, app, auth, make_user, issue, declare):
    admin_id, _ = _register_setup(app, make_user, issue, declare)
    auth.login_as(admin_id)
    page = client.get("/hub/eligibility").get_data(as_text=True)
    assert "Completions that gave no eligibility" in page
    assert "Holly Coach" in page
    assert "Profession recorded as Health and wellbeing coach, which cannot hold ARRS clinical supervisor" in page


def test_register_filters_by_type_and_expiry_and_exports_csv(client, app, auth, make_user, issue, declare):
    admin_id, _ = _register_setup(app, make_user, issue, declare)
    with app.app_context():
        record = db.session.scalar(
            select(EligibilityRecord).join(User, EligibilityRecord.user_id == User.id).where(User.name == "Alex Advanced")
        )
        record.expires_on = date.today() + timedelta(days=20)
        db.session.commit()
    auth.login_as(admin_id)
    page = client.get("/hub/eligibility", query_string={"within": "30"}).get_data(as_text=True)
    page = page.split("Completions that gave no eligibility")[0]
    assert "Alex Advanced" in page
    assert "Dr Gita Patel" not in page
    assert "Due for renewal" in page
    bad = client.get("/hub/eligibility", query_string={"within": "soon"}).get_data(as_text=True)
    assert "Enter the number of days as a whole number" in bad
    response = client.get("/hub/eligibility", query_string={"eligibility": "gp_clinical_supervisor", "format": "csv"})
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert sorted(r["Name"] for r in rows) == ["Dr Far Away", "Dr Gita Patel"]
    assert rows[0]["Status"] == "Active"
    assert "Clinical pharmacist" in rows[0]["Can supervise"]
    assert len(rows[0]["Certificate code"]) == 19


def test_register_is_for_hub_admins(client, auth, make_user):
    auth.login_as(make_user())
    assert client.get("/hub/eligibility").status_code == 403


def test_reminders_are_sent_once_when_the_window_opens_and_30_days_before_expiry(app, make_user, issue, declare, outbox):
    user_id = make_user(email="gp@example.org", professional_role="gp")
    declare(_hub_of(app, user_id), 7, "arrs_clinical_supervisor", months=36, window=90)
    issue(user_id, completed_at=date(2026, 1, 10))  # expires 10 January 2029; window opens 12 October 2028
    runner = app.test_cli_runner()
    assert "Sent 0" in runner.invoke(args=["send-eligibility-reminders", "--today", "2028-10-11"]).output
    assert "Sent 1 " in runner.invoke(args=["send-eligibility-reminders", "--today", "2028-10-12"]).output
    assert "Sent 0" in runner.invoke(args=["send-eligibility-reminders", "--today", "2028-10-13"]).output
    assert "Sent 1 " in runner.invoke(args=["send-eligibility-reminders", "--today", "2028-12-11"]).output
    assert "Sent 0" in runner.invoke(args=["send-eligibility-reminders", "--today", "2028-12-20"]).output
    assert [m["To"] for m in outbox] == ["gp@example.org", "gp@example.org"]
    assert outbox[0]["Subject"] == "Time to renew: ARRS clinical supervisor"
    assert "expires on 10 January 2029" in outbox[1]["Subject"]
    # A renewal moves the expiry, so the next period gets its own reminders.
    issue(user_id, completion_id=99, completed_at=date(2028, 12, 20))
    assert "Sent 1 " in runner.invoke(args=["send-eligibility-reminders", "--today", "2031-10-12"]).output


def test_person_page_shows_history_with_the_expiry_base(client, app, auth, make_user, issue, declare):
    admin_id = make_user(hub_role="hub_admin")
    hub_id = _hub_of(app, admin_id)
    declare(hub_id, 7, "arrs_clinical_supervisor", months=36, window=90)
    declare(hub_id, 7, "pharmacist_supervisor")
    gp = make_user(hub_id=hub_id, name="Dr Gita Patel", professional_role="gp")
    issue(gp, completion_id=1, completed_at=date(2026, 1, 10))
    issue(gp, completion_id=2, completed_at=date(2028, 12, 1))
    auth.login_as(admin_id)
    page = client.get(f"/hub/eligibility/people/{gp}").get_data(as_text=True)
    assert "Renewed until 10 January 2032 (counted from the previous expiry)" in page
    assert "Granted until 10 January 2029 (counted from the completion date)" in page
    assert "Not granted: Profession recorded as GP, which cannot hold Clinical pharmacist supervisor" in page
    auth.login_as(make_user(hub_role="hub_admin"))
    assert client.get(f"/hub/eligibility/people/{gp}").status_code == 404


def test_register_page_and_csv_queries_do_not_grow_with_holders(client, app, auth, make_user, issue, declare, count_queries):
    admin_id = make_user(hub_role="hub_admin")
    hub_id = _hub_of(app, admin_id)
    with app.app_context():
        pcn_id = db.session.scalar(select(Pcn.id).where(Pcn.hub_id == hub_id))
    declare(hub_id, 7, "arrs_clinical_supervisor")
    auth.login_as(admin_id)

    def queries_with(holders: int) -> tuple[int, int]:
        for _ in range(holders):
            issue(make_user(hub_id=hub_id, professional_role="gp", pcn_id=pcn_id))
        with count_queries() as page:
            assert client.get("/hub/eligibility").status_code == 200
        with count_queries() as export:
            assert client.get("/hub/eligibility", query_string={"format": "csv"}).status_code == 200
        return page(), export()

    assert queries_with(2) == queries_with(6)
