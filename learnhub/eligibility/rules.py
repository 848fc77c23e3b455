"""Who may hold which supervisor eligibility, and which ARRS roles each one covers (no Flask).

One table, ``ELIGIBILITY_TYPES``, is the whole rule set: for each kind of eligibility, the
professions (codes from :mod:`learnhub.roles`) that may hold it and the roles a holder may
supervise. It follows the NHS England ARRS supervision guidance (shared seed 000) and the
domain notes:

* clinical supervision of the ARRS clinical roles is given "primarily by a GP or by a verified
  and recognised advanced practitioner";
* a clinical pharmacist is supervised monthly by a senior clinical pharmacist, and has an
  assigned GP clinical supervisor; the senior clinical pharmacist is supervised by a GP —
  pharmacists are therefore covered by the GP-only type and by the senior pharmacist type,
  not by the advanced-practitioner route;
* social prescribing link workers, health and wellbeing coaches and care coordinators have a
  GP supervisor;
* Action Learning Set facilitators need not be GPs (any profession).

Changing who may supervise whom means editing this table only.
"""

from dataclasses import dataclass

from learnhub.roles import PROFESSIONAL_ROLES


@dataclass(frozen=True)
class EligibilityType:
    """One kind of supervisor eligibility a course can grant."""

    label: str
    #: Professions that may hold it; None means any profession.
    holders: frozenset[str] | None
    #: Roles a holder may supervise (or facilitate, for ALS).
    covers: frozenset[str]
    #: The rule in words, shown when someone's profession does not qualify.
    rule: str


_CLINICAL_AHP_ROLES = frozenset(
    {
        "advanced_practitioner",
        "pharmacy_technician",
        "physician_associate",
        "physiotherapist",
        "dietitian",
        "podiatrist",
        "occupational_therapist",
        "nursing_associate",
        "nurse",
        "paramedic",
        "mental_health_practitioner",
    }
)

ELIGIBILITY_TYPES: dict[str, EligibilityType] = {
    "arrs_clinical_supervisor": EligibilityType(
        label="ARRS clinical supervisor",
        holders=frozenset({"gp", "advanced_practitioner"}),
        covers=_CLINICAL_AHP_ROLES,
        rule="Clinical supervision of ARRS clinical roles is given by a GP or a recognised advanced practitioner.",
    ),
    "gp_clinical_supervisor": EligibilityType(
        label="GP clinical supervisor (pharmacists and physician associates)",
        holders=frozenset({"gp"}),
        covers=frozenset({"clinical_pharmacist", "senior_clinical_pharmacist", "physician_associate"}),
        rule="Clinical pharmacists, senior clinical pharmacists and physician associates need a GP clinical supervisor.",
    ),
    "pharmacist_supervisor": EligibilityType(
        label="Clinical pharmacist supervisor",
        holders=frozenset({"senior_clinical_pharmacist"}),
        covers=frozenset({"clinical_pharmacist", "pharmacy_technician"}),
        rule="Clinical pharmacists are supervised monthly by a senior clinical pharmacist.",
    ),
    "personalised_care_supervisor": EligibilityType(
        label="Personalised care roles supervisor (SPLW, HWBC, care coordinator)",
        holders=frozenset({"gp"}),
        covers=frozenset({"splw", "hwbc", "care_coordinator"}),
        rule="Social prescribing link workers, health and wellbeing coaches and care coordinators have a GP supervisor.",
    ),
    "als_facilitator": EligibilityType(
        label="Action Learning Set facilitator",
        holders=None,
        covers=frozenset({"splw", "hwbc", "care_coordinator"}),
        rule="Action Learning Set facilitators can be of any profession; they need not be GPs.",
    ),
}

ELIGIBILITY_CHOICES = [(code, kind.label) for code, kind in ELIGIBILITY_TYPES.items()]


def label(code: str) -> str:
    """Readable name of an eligibility type (the code itself if unknown)."""
    kind = ELIGIBILITY_TYPES.get(code)
    return kind.label if kind else code


def may_hold(profession: str, eligibility: str) -> bool:
    """True if someone of this profession may hold this eligibility."""
    kind = ELIGIBILITY_TYPES.get(eligibility)
    if kind is None:
        return False
    return kind.holders is None or profession in kind.holders


def why_not(profession: str, eligibility: str) -> str | None:
    """Why this profession cannot hold this eligibility, or None if it can."""
    if eligibility not in ELIGIBILITY_TYPES:
        return f"{eligibility} is not a known eligibility."
    if may_hold(profession, eligibility):
        return None
    kind = ELIGIBILITY_TYPES[eligibility]
    who = PROFESSIONAL_ROLES.get(profession, profession)
    return f"Profession recorded as {who}, which cannot hold {kind.label}. {kind.rule}"


def types_held_by(profession: str) -> list[str]:
    """Eligibility types a profession may hold."""
    return [code for code in ELIGIBILITY_TYPES if may_hold(profession, code)]


def types_covering(role: str) -> list[str]:
    """Eligibility types whose holders may supervise this role."""
    return [code for code, kind in ELIGIBILITY_TYPES.items() if role in kind.covers]


def supervisable_roles() -> list[tuple[str, str]]:
    """(code, label) of every role some eligibility covers, in the order of PROFESSIONAL_ROLES."""
    covered = set().union(*(kind.covers for kind in ELIGIBILITY_TYPES.values()))
    return [(code, name) for code, name in PROFESSIONAL_ROLES.items() if code in covered]
