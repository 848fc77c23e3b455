"""A supervisor's arrangements stop counting: the PCN lead hears once, through the outbox and real SMTP."""

from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.certificates.services import revoke_eligibility
from learnhub.eligibility.models import EligibilityRecord
from learnhub.extensions import db
from learnhub.notifications.models import OutboxMessage
from learnhub.organisations.services import set_active
from learnhub.privacy.erasure import erase_user
from learnhub.supervision import notices, services
from learnhub.supervision.models import StaffMember
from learnhub.timeutil import utcnow
from tests.supervision.conftest import sworld  # noqa: F401 - fixture


def _text(message) -> str:  # type: ignore[no-untyped-def]
    return message.get_body(preferencelist=("plain",)).get_content()


def _arrange(w, staff_id: int, kind: str, supervisor: int) -> None:  # type: ignore[no-untyped-def]
    services.assign(db.session.get(User, w.lead), db.session.get(StaffMember, staff_id), supervisor, kind, w.today, None, w.today)
    db.session.commit()


def _email(user_id: int) -> str:
    return db.session.get(User, user_id).email


def _revoke(w, user_id: int, kind: str) -> None:  # type: ignore[no-untyped-def]
    record = db.session.scalar(
        select(EligibilityRecord).where(EligibilityRecord.user_id == user_id, EligibilityRecord.eligibility_type == kind)
    )
    revoke_eligibility(db.session.get(User, w.admin), record, "Registration lapsed", utcnow())
    db.session.commit()


def test_revoking_a_supervisors_eligibility_tells_the_pcn_lead_once(app, smtp, sworld) -> None:  # noqa: F811
    _, inbox = smtp
    w = sworld
    with app.app_context():
        _arrange(w, w.staff.pharm, "clinical", w.senior)
        _arrange(w, w.staff.splw, "clinical", w.gp)  # needs the GP's personalised care entry, not touched here
        lead, lead2 = _email(w.lead), _email(w.lead2)
        assert inbox.to(lead) == []

        _revoke(w, w.senior, "pharmacist_supervisor")
        (message,) = inbox.to(lead)
        pcn_name = db.session.get(StaffMember, w.staff.pharm).pcn.name
        assert message["Subject"] == f"{pcn_name}: a clinical pharmacist needs a new supervisor"
        body = _text(message)
        assert "Senior Pharm can no longer give clinical supervision to a clinical pharmacist" in body
        assert "eligibility was revoked" in body
        assert "Cee Pharm" not in body  # the role, not the person
        assert "Registration lapsed" not in body  # the free-text reason stays on the register
        assert f"http://localhost/pcn/supervision/{w.pcn1}" in body
        assert inbox.to(lead2) == []  # another PCN's lead: not theirs

        # The same revocation again, or the hook called again: nothing is sent twice.
        _revoke(w, w.senior, "pharmacist_supervisor")
        notices.tell_leads(w.senior, set(), notices.REVOKED)
        db.session.commit()
        assert len(inbox.to(lead)) == 1
        assert (
            db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.category == "supervision")) == 1
        )

        # Revoking an entry no arrangement rests on tells nobody.
        _revoke(w, w.gp, "gp_clinical_supervisor")
        assert len(inbox.to(lead)) == 1


def test_deactivating_then_erasing_a_supervisor_tells_the_lead_each_time_without_the_name_after_erasure(
    app,
    smtp,
    sworld,  # noqa: F811
) -> None:
    _, inbox = smtp
    w = sworld
    with app.app_context():
        _arrange(w, w.staff.splw, "clinical", w.gp)
        lead = _email(w.lead)
        admin = db.session.get(User, w.admin)

        set_active(admin, db.session.get(User, w.gp), False)
        db.session.commit()
        (deactivated,) = inbox.to(lead)
        role = db.session.get(StaffMember, w.staff.splw).role_label.lower()
        assert f"Dr Gee Pee can no longer give clinical supervision to a {role} in" in _text(deactivated)
        assert "account was deactivated" in _text(deactivated)

        set_active(admin, db.session.get(User, w.gp), True)
        db.session.commit()
        assert len(inbox.to(lead)) == 1  # reactivating is not news

    with app.app_context():
        erase_user(db.session.get(User, w.admin), db.session.get(User, w.gp))
        db.session.commit()
        messages = inbox.to(lead)
        assert len(messages) == 2
        erased = _text(messages[-1])
        assert "account was erased" in erased
        assert "Gee Pee" not in erased
        assert "gp@example.org" not in erased
