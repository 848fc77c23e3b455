"""The demo register shows every status a hub meets: active, due for renewal, expired, not granted."""

from datetime import date

from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.certificates.models import Certificate
from learnhub.demo import DemoContext, run_steps
from learnhub.eligibility.models import EligibilityEvent, EligibilityRecord
from learnhub.extensions import db


def _statuses(email: str) -> dict[str, str]:
    user = db.session.scalar(select(User).where(User.email == email))
    records = db.session.scalars(select(EligibilityRecord).where(EligibilityRecord.user_id == user.id))
    return {r.eligibility_type: r.status_on(date.today()).value for r in records}


def test_demo_register_has_holders_in_every_state_and_seeding_twice_adds_nothing(app_ctx):
    run_steps(DemoContext(password="demo-password-for-tests-1"))
    certificates = db.session.scalar(select(func.count()).select_from(Certificate))
    run_steps(DemoContext(password="demo-password-for-tests-1"))
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == certificates == 5

    both = {"arrs_clinical_supervisor", "gp_clinical_supervisor", "personalised_care_supervisor"}
    assert _statuses("gp.learner@example.org") == dict.fromkeys(both, "active")
    assert _statuses("dr.okoye@example.org") == dict.fromkeys(both, "due")
    assert _statuses("dr.whitaker@example.org") == dict.fromkeys(both, "expired")
    # An advanced practitioner may supervise ARRS clinical roles, but an SPLW's supervisor is a GP.
    assert _statuses("claire.dawson@example.org") == {"arrs_clinical_supervisor": "active"}
    # A senior clinical pharmacist supervises clinical pharmacists (and nothing else this course grants).
    assert _statuses("anil.patel@example.org") == {"pharmacist_supervisor": "active"}
    patel = db.session.scalar(select(User).where(User.email == "anil.patel@example.org"))
    assert db.session.scalar(select(Certificate).where(Certificate.user_id == patel.id)).status == Certificate.VALID
    refused = db.session.scalars(select(EligibilityEvent).where(EligibilityEvent.user_id == patel.id)).all()
    assert len([e for e in refused if e.kind == EligibilityEvent.NOT_GRANTED]) == 3
    # Every ARRS role has at least one eligible (active or due) supervisor in the demo.
    from learnhub.eligibility.rules import types_covering
    from learnhub.eligibility.supervision import arrs_roles

    current = {
        r.eligibility_type
        for r in db.session.scalars(select(EligibilityRecord))
        if r.status_on(date.today()).value in ("active", "due")
    }
    uncovered = [role for role in arrs_roles() if not current & set(types_covering(role))]
    assert uncovered == []
