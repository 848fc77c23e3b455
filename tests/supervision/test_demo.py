"""The supervision demo shows every dashboard state and can be taken to fully covered."""

from datetime import date

from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.demo import DemoContext, run_steps
from learnhub.extensions import db
from learnhub.organisations.models import Pcn
from learnhub.supervision import rules, services
from learnhub.supervision.models import StaffMember


def _board(name: str) -> services.Dashboard:
    pcn = db.session.scalar(select(Pcn).where(Pcn.name == name))
    (board,) = services.pcn_dashboards(pcn.hub_id, [pcn], date.today())
    return board


def test_demo_pcn_shows_every_state_and_can_be_fully_covered(app_ctx) -> None:  # type: ignore[no-untyped-def]
    run_steps(DemoContext(password="demo-password-for-tests-1"))
    staff_count = db.session.scalar(select(func.count()).select_from(StaffMember))
    run_steps(DemoContext(password="demo-password-for-tests-1"))
    assert db.session.scalar(select(func.count()).select_from(StaffMember)) == staff_count  # idempotent

    board = _board("Riverside PCN")
    roles = sorted(s.role for s in board.staff)
    assert roles.count("clinical_pharmacist") == 3
    assert roles.count("splw") == 6
    assert roles.count("hwbc") == 2
    assert roles.count("care_coordinator") == 3
    assert "physiotherapist" in roles
    assert "paramedic" in roles
    report = board.report
    assert len(report.uncovered_staff) == 9
    # The CSV and the hub view's counts agree with the dashboard.
    _, rows = services.pcn_table(board)
    assert len({r[0] for r in rows if r[-1].startswith("Missing")}) == 9
    assert board.counts()["without_supervisor"] == 9
    assert len(report.overdue) == 1
    assert len(report.flagged) == 1
    assert report.lapsing
    assert any(kind == "clinical" and role == "clinical_pharmacist" for _, kind, role, _, _ in report.over_ratio)

    # Take it to fully covered the way the pages do: for each gap, the first person the picker offers.
    lead = db.session.scalar(select(User).where(User.email == "facilitator2@example.org"))
    staff_by_id = board.staff_by_id
    for staff_id, kind in report.missing:
        member = staff_by_id[staff_id]
        offered = services.candidates(member, kind, date.today())
        assert offered, (member.name, kind)
        services.assign(lead, member, offered[0].user.id, kind, date.today(), None, date.today())
    db.session.commit()
    after = _board("Riverside PCN")
    assert after.report.uncovered_staff == set()
    assert all((s.id, n.kind) not in after.report.missing for s in after.staff for n in rules.needs(s.role) if n.required)
