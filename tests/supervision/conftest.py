"""A small supervision world: hub A with two PCNs, a lead of PCN 1, supervisors, staff; hub B."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from learnhub.extensions import db


@pytest.fixture
def sworld(app, make_hub, make_user):  # type: ignore[no-untyped-def]
    from learnhub.eligibility.models import EligibilityRecord, PcnLead
    from learnhub.organisations.models import Hub, Pcn
    from learnhub.supervision.models import StaffMember

    hub_a, hub_b = make_hub(), make_hub()
    with app.app_context():
        pcn1 = db.session.get(Hub, hub_a).pcns[0]
        pcn2 = Pcn(hub_id=hub_a, name="Other PCN A")
        db.session.add(pcn2)
        db.session.commit()
        pcn1_id, pcn2_id, practice1 = pcn1.id, pcn2.id, pcn1.practices[0].id
        pcn_b = db.session.get(Hub, hub_b).pcns[0].id
    admin = make_user(hub_id=hub_a, hub_role="hub_admin", name="Admin A")
    lead = make_user(hub_id=hub_a, pcn_id=pcn1_id, name="Lead One")
    lead2 = make_user(hub_id=hub_a, pcn_id=pcn2_id, name="Lead Two")
    admin_b = make_user(hub_id=hub_b, hub_role="hub_admin", name="Admin B")
    lead_b = make_user(hub_id=hub_b, pcn_id=pcn_b, name="Lead B")
    gp = make_user(hub_id=hub_a, pcn_id=pcn1_id, name="Dr Gee Pee", email="gp@example.org")
    senior = make_user(hub_id=hub_a, pcn_id=pcn1_id, name="Senior Pharm", professional_role="senior_clinical_pharmacist")
    plain = make_user(hub_id=hub_a, pcn_id=pcn1_id, name="No Register")
    splw_user = make_user(hub_id=hub_a, pcn_id=pcn1_id, name="Link Worker", professional_role="splw", email="splw@example.org")
    today = date.today()
    with app.app_context():
        db.session.add_all(
            [
                PcnLead(user_id=lead, pcn_id=pcn1_id),
                PcnLead(user_id=lead2, pcn_id=pcn2_id),
                PcnLead(user_id=lead_b, pcn_id=pcn_b),
            ]
        )
        for user, kind in (
            (gp, "personalised_care_supervisor"),
            (gp, "gp_clinical_supervisor"),
            (senior, "pharmacist_supervisor"),
        ):
            db.session.add(
                EligibilityRecord(
                    user_id=user,
                    hub_id=hub_a,
                    eligibility_type=kind,
                    first_granted_on=today - timedelta(days=365),
                    certified_on=today - timedelta(days=365),
                    expires_on=today + timedelta(days=700),
                    renewal_window_days=90,
                )
            )
        splw = StaffMember(
            hub_id=hub_a,
            pcn_id=pcn1_id,
            user_id=splw_user,
            name="Link Worker",
            role="splw",
            start_date=today - timedelta(days=200),
        )
        pharm = StaffMember(
            hub_id=hub_a, pcn_id=pcn1_id, name="Cee Pharm", role="clinical_pharmacist", start_date=today - timedelta(days=100)
        )
        other = StaffMember(hub_id=hub_a, pcn_id=pcn2_id, name="Other Staff", role="hwbc", start_date=today - timedelta(days=100))
        db.session.add_all([splw, pharm, other])
        db.session.commit()
        ids = SimpleNamespace(splw=splw.id, pharm=pharm.id, other=other.id)
    return SimpleNamespace(
        hub_a=hub_a,
        hub_b=hub_b,
        pcn1=pcn1_id,
        pcn2=pcn2_id,
        pcn_b=pcn_b,
        practice1=practice1,
        admin=admin,
        lead=lead,
        lead2=lead2,
        admin_b=admin_b,
        lead_b=lead_b,
        gp=gp,
        senior=senior,
        plain=plain,
        splw_user=splw_user,
        staff=ids,
        today=today,
    )


def date_fields(name: str, day: date) -> dict[str, str]:
    """The three inputs of a DateInputField."""
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}
