"""PCN leads: read-only register of the PCNs they lead, granted by a hub administrator."""

import csv
import io

from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.eligibility.models import PcnLead
from learnhub.extensions import db
from learnhub.organisations.models import Pcn


def _setup(app, make_user, make_hub, issue, declare):
    """Hub with PCNs X and Y, holders in both (one refused in each), and a lead of X granted by the admin."""
    admin_id = make_user(hub_role="hub_admin")
    with app.app_context():
        hub_id = db.session.get(User, admin_id).hub_id
        pcn_x = Pcn(hub_id=hub_id, name="Riverside PCN")
        pcn_y = Pcn(hub_id=hub_id, name="Moorland PCN")
        db.session.add_all([pcn_x, pcn_y])
        db.session.commit()
        x, y = pcn_x.id, pcn_y.id
    declare(hub_id, 7, "arrs_clinical_supervisor")
    people = {
        "x_gp": make_user(hub_id=hub_id, name="Dr Xavier Riverside", professional_role="gp", pcn_id=x),
        "x_coach": make_user(hub_id=hub_id, name="Xena Coach", professional_role="hwbc", pcn_id=x),
        "y_gp": make_user(hub_id=hub_id, name="Dr Yusuf Moorland", professional_role="gp", pcn_id=y),
        "y_coach": make_user(hub_id=hub_id, name="Yvonne Coach", professional_role="hwbc", pcn_id=y),
        "no_pcn": make_user(hub_id=hub_id, name="Dr Nobody Anywhere", professional_role="gp"),
    }
    for user_id in people.values():
        issue(user_id)
    lead = make_user(hub_id=hub_id, name="Lena Lead", pcn_id=x)
    with app.app_context():
        db.session.add(PcnLead(user_id=lead, pcn_id=x, granted_by_id=admin_id))
        db.session.commit()
    other_hub_pcn_holder = make_user(name="Dr Other Hub", professional_role="gp")
    return dict(admin=admin_id, hub=hub_id, x=x, y=y, lead=lead, people=people, other=other_hub_pcn_holder)


Y_NAMES = ("Dr Yusuf Moorland", "Yvonne Coach", "Dr Nobody Anywhere", "Dr Other Hub")


def test_pcn_lead_sees_only_their_pcns_holders_and_refusals(client, app, auth, make_user, make_hub, issue, declare):
    w = _setup(app, make_user, make_hub, issue, declare)
    auth.login_as(w["lead"])
    page = client.get("/pcn/eligibility").get_data(as_text=True)
    assert "Supervisor eligibility register: Riverside PCN" in page
    assert "Dr Xavier Riverside" in page
    assert "Xena Coach" in page  # a refusal, in their own PCN
    for name in Y_NAMES:
        assert name not in page
    assert "Moorland PCN" not in page  # not even offered as a filter
    # Asking for the other PCN by query parameter shows nothing of it.
    forged = client.get("/pcn/eligibility", query_string={"pcn": w["y"]}).get_data(as_text=True)
    for name in Y_NAMES:
        assert name not in forged
    assert "Dr Xavier Riverside" in forged
    # The CSV is limited the same way.
    for query in ({"format": "csv"}, {"format": "csv", "pcn": w["y"]}):
        response = client.get("/pcn/eligibility", query_string=query)
        assert response.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
        assert [r["Name"] for r in rows] == ["Dr Xavier Riverside"]
        assert {r["PCN"] for r in rows} == {"Riverside PCN"}


def test_pcn_lead_cannot_open_other_pcns_people_by_id(client, app, auth, make_user, make_hub, issue, declare):
    w = _setup(app, make_user, make_hub, issue, declare)
    auth.login_as(w["lead"])
    assert "Granted until" in client.get(f"/pcn/eligibility/people/{w['people']['x_gp']}").get_data(as_text=True)
    for key in ("y_gp", "y_coach", "no_pcn"):
        assert client.get(f"/pcn/eligibility/people/{w['people'][key]}").status_code == 404
    assert client.get(f"/pcn/eligibility/people/{w['other']}").status_code == 404
    assert client.get("/pcn/eligibility/people/99999999").status_code == 404
    # The hub-wide pages stay closed to a PCN lead.
    assert client.get("/hub/eligibility").status_code == 403
    assert client.get(f"/hub/eligibility/people/{w['people']['y_gp']}").status_code == 403


def test_people_who_lead_no_pcn_are_refused(client, app, auth, make_user, make_hub, issue, declare):
    w = _setup(app, make_user, make_hub, issue, declare)
    for user_id in (make_user(hub_id=w["hub"]), w["admin"], w["people"]["x_gp"]):
        auth.login_as(user_id)
        assert client.get("/pcn/eligibility").status_code == 403
        assert client.get(f"/pcn/eligibility/people/{w['people']['x_gp']}").status_code == 403
    # A lead row for another hub's PCN gives nothing (the PCN must be in the lead's own hub).
    stranger = make_user(name="Stranger")
    with app.app_context():
        db.session.add(PcnLead(user_id=stranger, pcn_id=w["x"]))
        db.session.commit()
    auth.login_as(stranger)
    assert client.get("/pcn/eligibility").status_code == 403


def test_hub_admin_grants_and_removes_pcn_lead_access(client, app, auth, make_user, make_hub, issue, declare):
    w = _setup(app, make_user, make_hub, issue, declare)
    person = make_user(hub_id=w["hub"], name="Paul Practice Manager")
    with app.app_context():
        foreign_pcn = db.session.scalar(select(Pcn.id).where(Pcn.hub_id != w["hub"]))
    auth.login_as(w["admin"])
    assert "Change PCN lead access" in client.get(f"/hub/users/{person}").get_data(as_text=True)
    page = client.get(f"/hub/users/{person}/pcn-lead").get_data(as_text=True)
    assert "Riverside PCN" in page
    assert "Moorland PCN" in page
    response = client.post(f"/hub/users/{person}/pcn-lead", data={"pcn_ids": [str(w["y"])]})
    assert response.headers["Location"].endswith(f"/hub/users/{person}")
    # Another hub's PCN is not a choice: refused with a message, nothing changed.
    refused = client.post(f"/hub/users/{person}/pcn-lead", data={"pcn_ids": [str(foreign_pcn)]})
    assert refused.status_code == 400
    assert "There is a problem" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(PcnLead.pcn_id).where(PcnLead.user_id == person)).all() == [w["y"]]

    auth.login_as(person)
    page = client.get("/pcn/eligibility").get_data(as_text=True)
    assert "Dr Yusuf Moorland" in page
    assert "Dr Xavier Riverside" not in page
    assert "/pcn/eligibility" in client.get("/certificates").get_data(as_text=True)

    auth.login_as(w["admin"])
    client.post(f"/hub/users/{person}/pcn-lead", data={})
    auth.login_as(person)
    assert client.get("/pcn/eligibility").status_code == 403

    # Another hub's administrator cannot see or change it.
    auth.login_as(make_user(hub_role="hub_admin"))
    assert client.get(f"/hub/users/{person}/pcn-lead").status_code == 404
    assert client.post(f"/hub/users/{person}/pcn-lead", data={"pcn_ids": [str(w["x"])]}).status_code == 404
    with app.app_context():
        assert db.session.scalars(select(PcnLead.pcn_id).where(PcnLead.user_id == person)).all() == []
