"""Demo hub, PCNs, practices and users of every kind."""

from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.extensions import db
from learnhub.organisations.models import Hub, Pcn, Practice
from learnhub.roles import HubRole

HUB_NAME = "Northvale Primary Care Training Hub"
PCNS = {
    "Riverside PCN": ["Riverside Surgery", "Bridge Street Medical Centre", "Mill Lane Practice"],
    "Moorland PCN": ["Moorland Health Centre", "Hillside Surgery", "Vale Medical Practice"],
}

#: email, name, professional role, hub permission, PCN, practice (index into PCNS lists), site admin
USERS = [
    ("site.admin@example.org", "Sam Okafor", "other", HubRole.LEARNER, None, None, True),
    ("hub.admin@example.org", "Helen Marsh", "nurse", HubRole.HUB_ADMIN, None, None, False),
    ("gp.learner@example.org", "Dr Priya Shah", "gp", HubRole.LEARNER, "Riverside PCN", 0, False),
    ("gp.halfway@example.org", "Dr Tom Baker", "gp", HubRole.LEARNER, "Riverside PCN", 1, False),
    ("gp.new@example.org", "Dr Aisha Rahman", "gp", HubRole.LEARNER, "Moorland PCN", 0, False),
    ("pharmacist.learner@example.org", "Mei Chen", "senior_clinical_pharmacist", HubRole.LEARNER, "Moorland PCN", 1, False),
    ("ap.learner@example.org", "Gareth Evans", "advanced_practitioner", HubRole.LEARNER, "Moorland PCN", 2, False),
    ("facilitator@example.org", "Jo Whitfield", "other", HubRole.FACILITATOR, None, None, False),
    ("facilitator2@example.org", "Dr Kwame Mensah", "gp", HubRole.FACILITATOR, "Riverside PCN", 2, False),
    ("facilitator3@example.org", "Ruth Kowalski", "nurse", HubRole.FACILITATOR, None, None, False),
    ("facilitator4@example.org", "Deepak Nair", "mental_health_practitioner", HubRole.FACILITATOR, None, None, False),
    ("splw.member@example.org", "Lucy Hughes", "splw", HubRole.LEARNER, "Riverside PCN", 0, False),
]

_MEMBER_NAMES = [
    ("splw", "Owen Price"),
    ("splw", "Fatima Begum"),
    ("splw", "Ceri Jones"),
    ("splw", "Nadia Ali"),
    ("splw", "Ben Carter"),
    ("hwbc", "Grace Adeyemi"),
    ("hwbc", "Liam Murphy"),
    ("hwbc", "Zara Hussain"),
    ("hwbc", "Ellie Ward"),
    ("hwbc", "Rhys Morgan"),
    ("care_coordinator", "Sophie Turner"),
    ("care_coordinator", "Imran Khan"),
    ("care_coordinator", "Hannah Lee"),
    ("care_coordinator", "Dylan Roberts"),
    ("care_coordinator", "Megan Davies"),
    ("splw", "Ayo Bello"),
    ("hwbc", "Kate Sullivan"),
]
ROLE_PREFIX = {"splw": "splw", "hwbc": "hwbc", "care_coordinator": "cc"}


def _member_rows() -> list[tuple]:
    rows = []
    pcn_names = list(PCNS)
    for i, (role, name) in enumerate(_MEMBER_NAMES):
        first = name.split()[0].lower()
        pcn = pcn_names[i % 2]
        rows.append((f"{ROLE_PREFIX[role]}.{first}@example.org", name, role, HubRole.LEARNER, pcn, i % 3, False))
    return rows


def seed(ctx) -> None:  # type: ignore[no-untyped-def]
    """Create the demo hub and people, or top them up if some are there already."""
    hub = db.session.scalar(select(Hub).where(Hub.name == HUB_NAME))
    if hub is None:
        hub = Hub(name=HUB_NAME, signatory="Dr Helen Marsh, Training Hub Clinical Lead")
        db.session.add(hub)
        db.session.flush()
    pcns: dict[str, Pcn] = {}
    for pcn_name, practice_names in PCNS.items():
        pcn = db.session.scalar(select(Pcn).where(Pcn.hub_id == hub.id, Pcn.name == pcn_name))
        if pcn is None:
            pcn = Pcn(hub=hub, name=pcn_name)
            db.session.add(pcn)
            db.session.flush()
        for practice_name in practice_names:
            if not db.session.scalar(select(Practice).where(Practice.pcn_id == pcn.id, Practice.name == practice_name)):
                db.session.add(Practice(pcn=pcn, name=practice_name))
        db.session.flush()
        pcns[pcn_name] = pcn

    for email, name, role, permission, pcn_name, practice_index, site_admin in USERS + _member_rows():
        user = db.session.scalar(select(User).where(User.email == email))
        created = user is None
        if created:
            user = User(
                email=email, name=name, professional_role=role, hub_id=hub.id, hub_role=permission.value, is_site_admin=site_admin
            )
            if pcn_name:
                pcn = pcns[pcn_name]
                user.pcn_id = pcn.id
                user.practice_id = pcn.practices[practice_index].id
            db.session.add(user)
        if created or ctx.password_from_env:
            user.set_password_hash(ctx.password_hash)
        ctx.logins.append(
            (
                email,
                f"{name} – {user.professional_role_label}, {permission.label.lower()}"
                + (", site administrator" if site_admin else ""),
            )
        )
    db.session.commit()
    ctx.objects["hub"] = hub
