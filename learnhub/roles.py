"""Professional roles, registration bodies and hub permissions (plain data, no Flask)."""

import re
from enum import StrEnum


class HubRole(StrEnum):
    """What a user may do in their training hub."""

    LEARNER = "learner"
    FACILITATOR = "facilitator"
    HUB_ADMIN = "hub_admin"

    @property
    def label(self) -> str:
        """Human-readable name."""
        return HUB_ROLE_LABELS[self]


#: How much power each hub permission gives; a site administrator is above every one.
_HUB_ROLE_RANK = {HubRole.LEARNER: 0, HubRole.FACILITATOR: 1, HubRole.HUB_ADMIN: 2}
SITE_ADMIN_RANK = 3


def account_rank(account: object) -> int:
    """How much power an account has: site administrator 3, hub administrator 2, facilitator 1, learner 0.

    ``account`` is anything with ``is_site_admin`` and ``hub_role`` (a ``User``).
    """
    if getattr(account, "is_site_admin", False):
        return SITE_ADMIN_RANK
    return _HUB_ROLE_RANK.get(HubRole(getattr(account, "hub_role", HubRole.LEARNER)), 0)


def may_act_on(actor: object, target: object) -> bool:
    """Nobody may act on an account (permission, deactivation, invitation, erasure) with more power than their own."""
    return account_rank(actor) >= account_rank(target)


def may_grant(actor: object, hub_role: str) -> bool:
    """Nobody may give a permission above their own."""
    return account_rank(actor) >= _HUB_ROLE_RANK[HubRole(hub_role)]


HUB_ROLE_LABELS = {
    HubRole.LEARNER: "Learner",
    HubRole.FACILITATOR: "Facilitator",
    HubRole.HUB_ADMIN: "Hub administrator",
}

#: Professional roles, in the order a user sees them. Codes are stored; labels are shown.
PROFESSIONAL_ROLES: dict[str, str] = {
    "gp": "GP",
    "advanced_practitioner": "Advanced practitioner",
    "senior_clinical_pharmacist": "Senior clinical pharmacist",
    "clinical_pharmacist": "Clinical pharmacist",
    "pharmacy_technician": "Pharmacy technician",
    "nurse": "Nurse",
    "nursing_associate": "Nursing associate",
    "physiotherapist": "Physiotherapist",
    "paramedic": "Paramedic",
    "occupational_therapist": "Occupational therapist",
    "dietitian": "Dietitian",
    "podiatrist": "Podiatrist",
    "physician_associate": "Physician associate",
    "mental_health_practitioner": "Mental health practitioner",
    "splw": "Social prescribing link worker",
    "hwbc": "Health and wellbeing coach",
    "care_coordinator": "Care coordinator",
    "other": "Other",
}

#: Personalised-care roles that usually make up Action Learning Sets.
PERSONALISED_CARE_ROLES = ("splw", "hwbc", "care_coordinator")

#: Regulators and the shape of their register numbers (upper-cased, spaces removed).
REGISTRATION_BODIES: dict[str, tuple[str, re.Pattern[str], str]] = {
    "GMC": ("General Medical Council", re.compile(r"^\d{7}$"), "7 digits, like 1234567"),
    "NMC": (
        "Nursing and Midwifery Council",
        re.compile(r"^\d{2}[A-Z]\d{4}[A-Z]$"),
        "2 digits, a letter, 4 digits and a letter, like 12A3456E",
    ),
    "HCPC": (
        "Health and Care Professions Council",
        re.compile(r"^[A-Z]{2}\d{4,6}$"),
        "2 letters then 4 to 6 digits, like PA123456",
    ),
    "GPhC": ("General Pharmaceutical Council", re.compile(r"^\d{7}$"), "7 digits, like 2012345"),
}


def normalise_registration_number(number: str) -> str:
    """Upper-case a register number and drop spaces."""
    return re.sub(r"\s+", "", number or "").upper()


def registration_number_problem(body: str, number: str) -> str | None:
    """Say what is wrong with a register number for a body, or None if it looks right."""
    if body not in REGISTRATION_BODIES:
        return "Select a registration body from the list"
    name, pattern, shape = REGISTRATION_BODIES[body]
    if not pattern.match(normalise_registration_number(number)):
        return f"Enter a {body} number in the right format: {shape}"
    return None
