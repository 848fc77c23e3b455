"""A fixture world for the authorisation matrix: the "target" objects live in hub A (group A)."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from learnhub.extensions import db
from tests.als.conftest import build_world, world  # noqa: F401
from tests.certificates.fixtures import completion_for, course_for, declare, issue  # noqa: F401
from tests.courses.conftest import make_course  # noqa: F401
from tests.evaluation.conftest import make_survey  # noqa: F401


@pytest.fixture
def matrix_world(app, world, make_user, make_course, make_survey, issue, declare, course_for, client, auth):  # type: ignore[no-untyped-def]  # noqa: F811
    from learnhub.als.models import AlsFacilitator, AlsMember
    from learnhub.certificates.models import Certificate
    from learnhub.eligibility.models import EligibilityDeclaration

    group_a, group_b = world.groups
    session_id = world.sessions[group_a][0]
    with app.app_context():
        lead = world.facilitator_of(session_id)
    # The lead facilitator records session 1 of group A with a confidential note and an action.
    members = world.members[group_a]
    data = {f"attendance_{uid}": "present" for uid in members}
    data.update(
        presenters=[str(members[0])],
        notes="SECRET-NOTE-TEXT about group A",
        action_0_owner=str(members[0]),
        action_0_text="SECRET-ACTION private step",
    )
    auth.login_as(lead)
    assert client.post(f"/als/sessions/{session_id}/record", data=data).status_code == 302
    auth.logout()

    course = make_course(world.hub)
    survey = make_survey(world.hub, course_id=course.course)
    owner = members[0]
    course_for.use(world.hub, course.course, course.course)
    declare(world.hub, course.course, "educational_supervisor")
    certificate_id = issue(owner, course_id=course.course)
    with app.app_context():
        other_fac = next(f for f in world.facilitators if f != lead)
        hub_b = db.session.get(__import__("learnhub.accounts.models", fromlist=["User"]).User, world.other_hub_admin).hub_id
        facilitator_id = db.session.scalar(select(AlsFacilitator.id).where(AlsFacilitator.user_id == other_fac))
        member_id = db.session.scalar(select(AlsMember.id).where(AlsMember.user_id == owner))
        code = db.session.get(Certificate, certificate_id).code
        declaration_id = db.session.scalar(
            select(EligibilityDeclaration.id).where(EligibilityDeclaration.course_id == course.course)
        )
    with app.app_context():
        # Supervision: a staff member of hub A's first PCN, with a day-to-day contact (hub A's admin).
        from datetime import date

        from learnhub.organisations.models import Pcn
        from learnhub.supervision.models import StaffMember, SupervisionArrangement

        pcn_id = db.session.scalar(select(Pcn.id).where(Pcn.hub_id == world.hub).order_by(Pcn.id))
        staff = StaffMember(
            hub_id=world.hub, pcn_id=pcn_id, name="Staff Zed", role="care_coordinator", start_date=date(2026, 1, 5)
        )
        db.session.add(staff)
        db.session.flush()
        arrangement = SupervisionArrangement(
            staff_id=staff.id, supervisor_id=world.admin, kind="day_to_day", start_date=date(2026, 1, 5)
        )
        db.session.add(arrangement)
        db.session.commit()
        staff_id, arrangement_id = staff.id, arrangement.id
    with app.test_request_context():
        from learnhub.credentials.keys import active_key

        kid = active_key(world.hub).kid  # hub A's signing key (made on first use)
        db.session.commit()
    users = {
        "learner": make_user(hub_id=world.hub),
        "member": world.members[group_b][0],
        "fac": other_fac,
        "xadmin": world.other_hub_admin,
        "admin": world.admin,
        "lead": lead,  # not a matrix column: used by the fuzz test for the session record
        "site": make_user(hub_id=hub_b, is_site_admin=True),
    }
    targets = {
        "course_id": course.course,
        "module_id": course.check,
        "cohort_id": course.cohort,
        "question_id": course.q1,
        "attempt_id": 987654,
        "enrolment_id": 987654,
        "name": "missing.png",
        "programme_id": world.programme,
        "group_id": group_a,
        "facilitator_id": facilitator_id,
        "member_id": member_id,
        "session_id": session_id,
        "instrument_id": survey["instrument_id"],
        "attachment_id": survey["attachment_id"],
        "timepoint": "pre",
        "item_id": next(iter(survey["items"].values())),
        # The first section: it has questions, so hub A's admin's "remove" POST is refused (302).
        "section_id": survey["section_id"],
        "certificate_id": certificate_id,
        "job_id": 987654,
        "declaration_id": declaration_id,
        "user_id": owner,
        "hub_id": world.hub,
        "token": "not-a-real-token",
        "code": code,
        "kid": kid,
        "list_no": 0,
        "fmt": "csv",
        "action": "retire",
        "pcn_id": pcn_id,
        "staff_id": staff_id,
        "arrangement_id": arrangement_id,
        "kind": "day_to_day",
    }
    return SimpleNamespace(users=users, targets=targets, world=world)
