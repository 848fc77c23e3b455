from sqlalchemy import func, select

from learnhub.als.models import AlsAction, AlsFacilitator, AlsGroup, AlsNote, AlsProgramme, AlsSession
from learnhub.demo import DemoContext, run_steps
from learnhub.extensions import db


def test_seed_demo_is_idempotent_and_has_what_the_issue_asks(app_ctx):
    def counts():
        return [
            db.session.scalar(select(func.count()).select_from(m))
            for m in (AlsProgramme, AlsGroup, AlsFacilitator, AlsSession, AlsNote, AlsAction)
        ]

    run_steps(DemoContext(password="demo-password-for-tests"))
    first = counts()
    run_steps(DemoContext(password="demo-password-for-tests"))
    assert counts() == first
    programmes, groups, facilitators, sessions, notes, actions = first
    assert (programmes, groups, facilitators) == (1, 3, 4)
    assert notes == 6
    assert actions == 12
    for group in db.session.scalars(select(AlsGroup)):
        statuses = [s.status for s in group.sessions]
        assert statuses[:2] == ["held", "held"]
        assert "planned" in statuses[2:]
        assert all(s.facilitations for s in group.sessions)
