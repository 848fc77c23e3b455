"""The register shows its rules, and the rules give every ARRS role a possible supervisor (issue 14)."""

import pytest

from learnhub.eligibility.models import PcnLead
from learnhub.eligibility.supervision import NOT_ARRS, REQUIREMENTS, arrs_roles, possible_supervisors, role_rules
from learnhub.extensions import db
from learnhub.roles import PROFESSIONAL_ROLES


@pytest.mark.parametrize("role", [r for r in PROFESSIONAL_ROLES if r not in NOT_ARRS])
def test_every_arrs_role_has_a_possible_supervisor_and_a_written_requirement(role):
    assert possible_supervisors(role), f"no eligibility covers {PROFESSIONAL_ROLES[role]}: nobody could supervise them"
    assert role in REQUIREMENTS, f"{PROFESSIONAL_ROLES[role]} has no supervision requirement on the rules page"


def test_the_rules_follow_the_domain_table_for_pharmacists():
    assert "senior_clinical_pharmacist" in possible_supervisors("clinical_pharmacist")
    assert "gp" in possible_supervisors("clinical_pharmacist")
    assert possible_supervisors("senior_clinical_pharmacist") == {"gp"}
    rows = {row.role: row for row in role_rules()}
    assert rows["clinical_pharmacist"].requirement.how_often == "At least one session a month"
    assert "no more than 5" in rows["clinical_pharmacist"].requirement.ratio
    assert rows["senior_clinical_pharmacist"].requirement.how_often == "At least one session every 3 months"
    assert set(rows) == set(arrs_roles())


def test_rules_page_for_hub_admins_and_pcn_leads_only(app, client, auth, make_user):
    from learnhub.accounts.models import User

    auth.login_as(make_user(hub_role="hub_admin"))
    register = client.get("/hub/eligibility").get_data(as_text=True)
    assert 'href="/hub/eligibility/rules"' in register
    page = client.get("/hub/eligibility/rules").get_data(as_text=True)
    assert "Who may supervise each ARRS role" in page
    for label in (PROFESSIONAL_ROLES[r] for r in arrs_roles()):
        assert label in page
    assert "1 senior clinical pharmacist to no more than 5 clinical pharmacists" in page
    assert "Clinical pharmacist supervisor" in page
    learner = make_user()
    auth.login_as(learner)
    assert client.get("/hub/eligibility/rules").status_code == 403
    assert client.get("/pcn/eligibility/rules").status_code == 403
    with app.app_context():
        user = db.session.get(User, learner)
        db.session.add(PcnLead(user_id=learner, pcn_id=user.hub.pcns[0].id))
        db.session.commit()
    assert client.get("/pcn/eligibility/rules").status_code == 200
    assert 'href="/pcn/eligibility/rules"' in client.get("/pcn/eligibility").get_data(as_text=True)


def test_pcn_lead_finds_their_register_from_home_and_the_header(app, client, auth, make_user):
    from learnhub.accounts.models import User

    lead = make_user()
    auth.login_as(lead)
    assert "/pcn/eligibility" not in client.get("/").get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, lead)
        db.session.add(PcnLead(user_id=lead, pcn_id=user.hub.pcns[0].id))
        db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert home.count('href="/pcn/eligibility"') == 2  # the header and a card on Home
    assert "PCN supervisor register" in home


def test_register_shows_registration_body_and_number(app, client, auth, make_user, issue, declare):
    from learnhub.accounts.models import User

    admin = make_user(hub_role="hub_admin")
    with app.app_context():
        hub_id = db.session.get(User, admin).hub_id
    gp = make_user(
        hub_id=hub_id, name="Dr Reg Istered", professional_role="gp", registration_body="GMC", registration_number="1234567"
    )
    declare(hub_id, 7, "arrs_clinical_supervisor")
    issue(gp)
    auth.login_as(admin)
    page = client.get("/hub/eligibility").get_data(as_text=True)
    assert "GMC 1234567" in page
    csv_text = client.get("/hub/eligibility", query_string={"format": "csv"}).get_data().decode("utf-8-sig")
    assert "Registration body,Registration number" in csv_text
    assert "GMC,1234567" in csv_text


def test_person_page_says_whether_the_registration_number_format_is_valid(app, client, auth, make_user):
    from learnhub.accounts.models import User

    admin = make_user(hub_role="hub_admin")
    with app.app_context():
        hub_id = db.session.get(User, admin).hub_id
    good = make_user(hub_id=hub_id, registration_body="GMC", registration_number="1234567")
    bad = make_user(hub_id=hub_id, registration_body="NMC", registration_number="1234567")
    auth.login_as(admin)
    assert "the number's format is valid" in client.get(f"/hub/eligibility/people/{good}").get_data(as_text=True)
    page = client.get(f"/hub/eligibility/people/{bad}").get_data(as_text=True)
    assert "does not look right" in page
    assert "Enter a NMC number in the right format" in page
