"""The profession rules table."""

import pytest

from learnhub.eligibility.rules import ELIGIBILITY_TYPES, may_hold, types_covering, types_held_by, why_not
from learnhub.roles import PROFESSIONAL_ROLES


def test_every_profession_and_role_in_the_table_is_a_known_code():
    for kind in ELIGIBILITY_TYPES.values():
        assert kind.covers <= set(PROFESSIONAL_ROLES)
        assert kind.holders is None or kind.holders <= set(PROFESSIONAL_ROLES)


@pytest.mark.parametrize("profession", ["gp", "advanced_practitioner"])
def test_gps_and_advanced_practitioners_can_clinically_supervise_arrs_clinical_roles(profession):
    assert may_hold(profession, "arrs_clinical_supervisor")
    assert "arrs_clinical_supervisor" in types_covering("physiotherapist")


@pytest.mark.parametrize("profession", ["nurse", "splw", "clinical_pharmacist", "paramedic", "other"])
def test_other_professions_cannot_be_arrs_clinical_supervisors(profession):
    assert not may_hold(profession, "arrs_clinical_supervisor")
    assert "GP or a recognised advanced practitioner" in why_not(profession, "arrs_clinical_supervisor")


def test_splw_supervisor_is_a_gp():
    assert types_held_by("gp").count("personalised_care_supervisor") == 1
    assert not may_hold("advanced_practitioner", "personalised_care_supervisor")
    assert not may_hold("splw", "personalised_care_supervisor")
    assert "personalised_care_supervisor" in types_covering("splw")


@pytest.mark.parametrize("profession", list(PROFESSIONAL_ROLES))
def test_als_facilitators_need_not_be_gps(profession):
    assert may_hold(profession, "als_facilitator")


def test_clinical_pharmacists_are_supervised_by_senior_pharmacists_or_gps_not_by_the_ap_route():
    covering = types_covering("clinical_pharmacist")
    assert set(covering) == {"gp_clinical_supervisor", "pharmacist_supervisor"}
    assert may_hold("senior_clinical_pharmacist", "pharmacist_supervisor")
    assert not may_hold("clinical_pharmacist", "pharmacist_supervisor")
    assert not may_hold("advanced_practitioner", "gp_clinical_supervisor")


def test_unknown_eligibility_is_never_held():
    assert not may_hold("gp", "astronaut")
    assert why_not("gp", "astronaut") == "astronaut is not a known eligibility."
