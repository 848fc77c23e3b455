"""The register's query parameters never give a 500 (issue 13): ``?pcn=²``, ``?within=²`` and friends."""

import pytest

from learnhub.eligibility.models import PcnLead
from learnhub.extensions import db

ODD = ["²", "99999999999999999999999", "-1", "1\x00", "１２", "x" * 10_000]


@pytest.mark.parametrize("value", ODD)
def test_hub_register_ignores_an_odd_pcn_and_explains_an_odd_within(client, auth, make_user, value):
    auth.login_as(make_user(hub_role="hub_admin"))
    response = client.get("/hub/eligibility", query_string={"pcn": value})
    assert response.status_code == 200
    response = client.get("/hub/eligibility", query_string={"within": value})
    assert response.status_code == 200
    if "\x00" not in value:  # NUL bytes are dropped from query strings before the view sees them
        assert "Enter the number of days as a whole number from 0 to 3650" in response.get_data(as_text=True)
    response = client.get("/hub/eligibility", query_string={"within": value, "pcn": value, "format": "csv"})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ODD)
def test_pcn_lead_register_ignores_an_odd_pcn_and_explains_an_odd_within(app, client, auth, make_user, value):
    from learnhub.accounts.models import User

    lead = make_user()
    with app.app_context():
        user = db.session.get(User, lead)
        db.session.add(PcnLead(user_id=lead, pcn_id=user.hub.pcns[0].id))
        db.session.commit()
    auth.login_as(lead)
    assert client.get("/pcn/eligibility", query_string={"pcn": value}).status_code == 200
    response = client.get("/pcn/eligibility", query_string={"within": value})
    assert response.status_code == 200
    if "\x00" not in value:  # NUL bytes are dropped from query strings before the view sees them
        assert "Enter the number of days as a whole number from 0 to 3650" in response.get_data(as_text=True)
