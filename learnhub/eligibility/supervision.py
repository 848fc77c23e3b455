"""What each ARRS role needs by way of supervision (no Flask): the register's rules, shown to readers.

One entry per ARRS role in :data:`learnhub.roles.PROFESSIONAL_ROLES`, from the per-role table of
the domain notes (NHS England ARRS guidance, seeds 000 and 003): who gives clinical
supervision, how often, any ratio, and other expectations. Which eligibility on the register
covers a role comes from :mod:`learnhub.eligibility.rules`, so the two tables cannot drift
apart: :func:`role_rules` joins them, and a test fails if any ARRS role has no possible
supervisor.
"""

from dataclasses import dataclass

from learnhub.eligibility.rules import ELIGIBILITY_TYPES, types_covering
from learnhub.roles import PROFESSIONAL_ROLES


@dataclass(frozen=True)
class RoleRequirement:
    """Supervision an ARRS role needs, in words."""

    clinical: str
    how_often: str = "Regularly, as agreed with the supervisor"
    ratio: str = "No national ratio"
    other: str = ""


#: Professions that are not ARRS roles (supervisors, or not a role at all).
NOT_ARRS = frozenset({"gp", "other"})

REQUIREMENTS: dict[str, RoleRequirement] = {
    "advanced_practitioner": RoleRequirement("A GP or a verified and recognised advanced practitioner"),
    "senior_clinical_pharmacist": RoleRequirement("A GP clinical supervisor", how_often="At least one session every 3 months"),
    "clinical_pharmacist": RoleRequirement(
        "A senior clinical pharmacist, with access to an assigned GP clinical supervisor",
        how_often="At least one session a month",
        ratio="1 senior clinical pharmacist to no more than 5 clinical pharmacists",
        other="Part of a professional clinical network",
    ),
    "pharmacy_technician": RoleRequirement("A GP, advanced practitioner or senior clinical pharmacist"),
    "nurse": RoleRequirement("A GP or a verified and recognised advanced practitioner"),
    "nursing_associate": RoleRequirement(
        "A GP or a verified and recognised advanced practitioner", other="Also a named day-to-day contact"
    ),
    "physiotherapist": RoleRequirement("A GP or a verified and recognised advanced practitioner"),
    "paramedic": RoleRequirement(
        "A GP or a verified and recognised advanced practitioner",
        other="Under rotational models the host organisation is responsible",
    ),
    "occupational_therapist": RoleRequirement("A GP or a verified and recognised advanced practitioner"),
    "dietitian": RoleRequirement("A GP or a verified and recognised advanced practitioner"),
    "podiatrist": RoleRequirement("A GP or a verified and recognised advanced practitioner"),
    "physician_associate": RoleRequirement("A GP clinical supervisor"),
    "mental_health_practitioner": RoleRequirement(
        "Through the mental health trust when jointly funded, with a GP mentor identified by the PCN; "
        "otherwise a GP, senior mental health practitioner or nurse manager",
        other="Peer supervision encouraged",
    ),
    "splw": RoleRequirement(
        "A GP supervisor (required by the DES), with access to clinical, non-managerial supervision",
        other="First point of contact; peer support networks; Action Learning Set group supervision",
    ),
    "hwbc": RoleRequirement(
        "Regular access to clinical, non-managerial supervision with a GP and others",
        other="First point of contact; coaching supervision from a qualified health coaching supervisor",
    ),
    "care_coordinator": RoleRequirement(
        "No formal national guidance; a GP supervisor is usual",
        other="First point of contact; Action Learning Set group supervision",
    ),
}


def arrs_roles() -> list[str]:
    """Codes of every ARRS role, in the order of PROFESSIONAL_ROLES."""
    return [code for code in PROFESSIONAL_ROLES if code not in NOT_ARRS]


@dataclass(frozen=True)
class RoleRule:
    """One row of the rules page: a role, what it needs, and the eligibilities (and holders) that cover it."""

    role: str
    label: str
    requirement: RoleRequirement | None
    #: (eligibility label, professions that may hold it) for each eligibility that covers the role.
    covered_by: list[tuple[str, list[str]]]


def role_rules() -> list[RoleRule]:
    """The rules page: every ARRS role with its requirement and the eligibilities covering it."""
    rows = []
    for role in arrs_roles():
        covered = []
        for code in types_covering(role):
            kind = ELIGIBILITY_TYPES[code]
            holders = (
                ["Any profession"]
                if kind.holders is None
                else [PROFESSIONAL_ROLES[h] for h in PROFESSIONAL_ROLES if h in kind.holders]
            )
            covered.append((kind.label, holders))
        rows.append(RoleRule(role, PROFESSIONAL_ROLES[role], REQUIREMENTS.get(role), covered))
    return rows


def possible_supervisors(role: str) -> set[str]:
    """Professions that could hold an eligibility covering this role (empty: nobody could)."""
    found: set[str] = set()
    for code in types_covering(role):
        holders = ELIGIBILITY_TYPES[code].holders
        found |= set(PROFESSIONAL_ROLES) if holders is None else set(holders)
    return found
