"""Demo supervision data: Riverside PCN's ARRS staff, with every dashboard state showing.

Riverside PCN (led by Dr Kwame Mensah, facilitator2@example.org) has 3 clinical pharmacists,
a senior clinical pharmacist, 6 SPLWs, 2 health and wellbeing coaches, 3 care coordinators, a
first-contact physiotherapist and a paramedic. Some arrangements are missing (9 staff without a
required supervisor), the senior pharmacist is over the 1 : 5 ratio (she also supervises 4 of
Moorland's clinical pharmacists), one supervisor's account is deactivated (flagged), one
pharmacist's monthly session is overdue, and one GP's eligibility lapses within 90 days. There
are enough trained supervisors with spare places to cover everyone through the pages.

The supervisors' register entries are written directly (with a "granted" event): demo data,
not course completions. Idempotent: nothing is added if Riverside already has ARRS staff.
"""

from datetime import date, timedelta

from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.eligibility.models import EligibilityEvent, EligibilityRecord
from learnhub.extensions import db
from learnhub.organisations.models import Hub, Pcn
from learnhub.supervision.models import StaffMember, SupervisionArrangement, SupervisionLog

PCN = "Riverside PCN"
OTHER_PCN = "Moorland PCN"
LEAD_EMAIL = "facilitator2@example.org"

#: email, name, profession, PCN, active, {eligibility: days until expiry}
SUPERVISORS = [
    (
        "dr.asante@example.org",
        "Dr Kofi Asante",
        "gp",
        PCN,
        True,
        {"gp_clinical_supervisor": 700, "personalised_care_supervisor": 700},
    ),
    ("dr.bell@example.org", "Dr Sarah Bell", "gp", PCN, True, {"personalised_care_supervisor": 60}),  # lapses soon
    ("dr.farooq@example.org", "Dr Omar Farooq", "gp", PCN, True, {"personalised_care_supervisor": 900}),
    ("dr.holt@example.org", "Dr Jane Holt", "gp", PCN, False, {"personalised_care_supervisor": 500}),  # deactivated
    ("anna.kaur@example.org", "Anna Kaur", "senior_clinical_pharmacist", PCN, True, {"pharmacist_supervisor": 800}),
    ("raj.patel@example.org", "Raj Patel", "senior_clinical_pharmacist", OTHER_PCN, True, {"pharmacist_supervisor": 800}),
    ("liz.grant@example.org", "Liz Grant", "advanced_practitioner", PCN, True, {"arrs_clinical_supervisor": 800}),
    ("paul.reid@example.org", "Paul Reid", "other", PCN, True, {}),  # practice manager: CPD supervision
]

#: name, role, account email (None: name only)
STAFF = [
    ("Chris Doyle", "clinical_pharmacist", None),
    ("Hana Sato", "clinical_pharmacist", None),
    ("Mark Evans", "clinical_pharmacist", None),
    ("Anna Kaur", "senior_clinical_pharmacist", "anna.kaur@example.org"),
    ("Lucy Hughes", "splw", "splw.member@example.org"),
    ("Owen Price", "splw", "splw.owen@example.org"),
    ("Ceri Jones", "splw", "splw.ceri@example.org"),
    ("Tom Reeve", "splw", None),
    ("Jas Gill", "splw", None),
    ("Amy Cole", "splw", None),
    ("Grace Adeyemi", "hwbc", None),
    ("Liam Murphy", "hwbc", None),
    ("Sophie Turner", "care_coordinator", None),
    ("Imran Khan", "care_coordinator", None),
    ("Hannah Lee", "care_coordinator", None),
    ("Ben Ortiz", "physiotherapist", None),
    ("Kim Walsh", "paramedic", None),
]
MOORLAND_STAFF = [
    ("Zoe Frank", "clinical_pharmacist"),
    ("Ali Musa", "clinical_pharmacist"),
    ("Eve Long", "clinical_pharmacist"),
    ("Dan Shaw", "clinical_pharmacist"),
]

LEAD = "lead"
#: staff name, kind, supervisor email (LEAD: the PCN lead), days ago it started, [days ago of logged sessions]
ARRANGEMENTS = [
    ("Chris Doyle", "clinical", "anna.kaur@example.org", 120, [60]),  # overdue: monthly
    ("Chris Doyle", "gp_clinical", "dr.asante@example.org", 120, []),
    ("Chris Doyle", "cpd", LEAD, 120, []),
    ("Hana Sato", "clinical", "anna.kaur@example.org", 90, [10]),
    ("Hana Sato", "gp_clinical", "dr.asante@example.org", 90, []),
    ("Hana Sato", "cpd", LEAD, 90, []),
    ("Anna Kaur", "clinical", "dr.asante@example.org", 200, [30]),
    ("Anna Kaur", "cpd", "paul.reid@example.org", 200, []),
    ("Lucy Hughes", "clinical", "dr.bell@example.org", 150, []),
    ("Lucy Hughes", "day_to_day", LEAD, 150, []),
    ("Owen Price", "clinical", "dr.bell@example.org", 150, []),
    ("Owen Price", "day_to_day", LEAD, 150, []),
    ("Ceri Jones", "clinical", "dr.bell@example.org", 150, []),
    ("Ceri Jones", "day_to_day", LEAD, 150, []),
    ("Grace Adeyemi", "clinical", "dr.bell@example.org", 100, []),
    ("Grace Adeyemi", "day_to_day", LEAD, 100, []),
    ("Sophie Turner", "clinical", "dr.holt@example.org", 300, []),  # supervisor deactivated: flagged
    ("Sophie Turner", "day_to_day", LEAD, 300, []),
    ("Ben Ortiz", "clinical", "liz.grant@example.org", 80, []),
    ("Kim Walsh", "clinical", "liz.grant@example.org", 80, []),
    ("Kim Walsh", "cpd", "paul.reid@example.org", 80, []),
]


def seed(ctx) -> None:  # type: ignore[no-untyped-def]
    """Riverside PCN's ARRS staff, supervisors and arrangements (once)."""
    hub = ctx.objects.get("hub") or db.session.scalar(select(Hub).order_by(Hub.id))
    if hub is None:
        return
    pcns = {p.name: p for p in db.session.scalars(select(Pcn).where(Pcn.hub_id == hub.id))}
    if PCN not in pcns or OTHER_PCN not in pcns:
        return
    pcn, other = pcns[PCN], pcns[OTHER_PCN]
    if db.session.scalar(select(StaffMember.id).where(StaffMember.pcn_id == pcn.id).limit(1)):
        return
    today = date.today()
    people: dict[str, User] = {}
    for email, name, profession, pcn_name, active, eligibilities in SUPERVISORS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            home = pcns[pcn_name]
            user = User(
                email=email,
                name=name,
                professional_role=profession,
                hub_id=hub.id,
                hub_role="learner",
                pcn_id=home.id,
                practice_id=home.practices[0].id if home.practices else None,
                active=active,
            )
            user.set_password(ctx.password)
            db.session.add(user)
            db.session.flush()
        people[email] = user
        ctx.logins.append((email, f"{name} – {user.professional_role_label}, supervisor (supervision demo)"))
        for kind, days in eligibilities.items():
            if db.session.scalar(
                select(EligibilityRecord.id).where(
                    EligibilityRecord.user_id == user.id, EligibilityRecord.eligibility_type == kind
                )
            ):
                continue
            expires = today + timedelta(days=days)
            granted = expires - timedelta(days=3 * 365)
            record = EligibilityRecord(
                user_id=user.id,
                hub_id=hub.id,
                eligibility_type=kind,
                first_granted_on=granted,
                certified_on=granted,
                expires_on=expires,
                renewal_window_days=90,
            )
            db.session.add(record)
            db.session.flush()
            db.session.add(
                EligibilityEvent(
                    user_id=user.id,
                    hub_id=hub.id,
                    record_id=record.id,
                    eligibility_type=kind,
                    kind=EligibilityEvent.GRANTED,
                    expires_on=expires,
                    reason="Demo data",
                )
            )
    lead = db.session.scalar(select(User).where(User.email == LEAD_EMAIL))
    staff: dict[str, StaffMember] = {}
    for i, (name, role, email) in enumerate(STAFF):
        user = db.session.scalar(select(User).where(User.email == email)) if email else None
        member = StaffMember(
            hub_id=hub.id,
            pcn_id=pcn.id,
            practice_id=pcn.practices[i % len(pcn.practices)].id if pcn.practices else None,
            user_id=user.id if user else None,
            name=name,
            role=role,
            start_date=today - timedelta(days=400),
            hours_per_week=37.5 if i % 3 else 22.5,
        )
        db.session.add(member)
        staff[name] = member
    db.session.flush()
    anna = people["anna.kaur@example.org"]
    for name, role in MOORLAND_STAFF:  # with Riverside's two, Anna has 6 clinical pharmacists: over the 1 : 5 ratio
        member = StaffMember(
            hub_id=hub.id, pcn_id=other.id, name=name, role=role, start_date=today - timedelta(days=400), hours_per_week=37.5
        )
        db.session.add(member)
        db.session.flush()
        db.session.add(
            SupervisionArrangement(
                staff_id=member.id, supervisor_id=anna.id, kind="clinical", start_date=today - timedelta(days=100)
            )
        )
    for name, kind, email, days_ago, sessions in ARRANGEMENTS:
        supervisor = lead if email == LEAD else people[email]
        if supervisor is None:
            continue
        arrangement = SupervisionArrangement(
            staff_id=staff[name].id, supervisor_id=supervisor.id, kind=kind, start_date=today - timedelta(days=days_ago)
        )
        db.session.add(arrangement)
        db.session.flush()
        for ago in sessions:
            db.session.add(
                SupervisionLog(arrangement_id=arrangement.id, session_date=today - timedelta(days=ago), kind=kind, minutes=60)
            )
    db.session.commit()
    ctx.notes.append(f"Supervision: {LEAD_EMAIL} manages {PCN}'s ARRS staff and supervisors at /pcn/supervision")
