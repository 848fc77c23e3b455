"""The identifier guard on ALS pages: themes, and the variants of notes and actions it used to miss."""

import pytest
from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.als.models import AlsAction, AlsNote, AlsSession, AlsTheme
from learnhub.extensions import db
from tests.als.test_confidentiality import record_data


def test_a_theme_with_patient_identifiers_is_refused(world, client, auth, app):
    auth.login_as(world.admin)
    response = client.post("/als/themes", data={"theme_name": "Patient 943 476 5919 (SW1A 1AA)"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Remove anything that could identify a patient" in page
    assert "an NHS number and a full postcode" in page
    with app.app_context():
        names = db.session.scalars(select(AlsTheme.name)).all()
    assert not any("5919" in name for name in names)


def test_the_theme_service_refuses_identifiers_without_the_form(world, app):
    with app.app_context():
        admin = db.session.get(User, world.admin)
        from learnhub.als.services.common import AlsError
        from learnhub.als.services.programmes import add_theme

        with pytest.raises(AlsError, match="NHS number"):
            add_theme(admin, world.hub, "943.476.5919")
        assert db.session.scalar(select(AlsTheme.id).where(AlsTheme.name == "943.476.5919")) is None


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("notes", "Discussed the case of 943.476.5919 at length"),
        ("notes", "Discussed 943\u200b4765919 at length"),
        ("notes", "Discussed 943 476\n5919 at length"),
        ("notes", "The patient, DOB 12-Mar-1980, at length"),
        ("notes", "Visited \uff33\uff37\uff11\uff21 \uff11\uff21\uff21 at length"),
        ("action_0_text", "Ring 943\u2013476\u20135919 back tomorrow"),
        ("action_0_text", "Ring the family on 07700 900123 tomorrow"),
    ],
)
def test_every_way_of_writing_an_identifier_is_refused(world, client, auth, app, field, text):
    group = world.groups[0]
    session_id = world.sessions[group][0]
    with app.app_context():
        facilitator = world.facilitator_of(session_id)
    auth.login_as(facilitator)
    data = record_data(world, group, action="Something safe")
    data[field] = text
    page = client.post(f"/als/sessions/{session_id}/record", data=data).get_data(as_text=True)
    assert "Remove anything that could identify a patient" in page
    with app.app_context():
        assert db.session.get(AlsSession, session_id).status == "planned"
        assert db.session.scalar(select(func.count()).select_from(AlsNote)) == 0
        assert db.session.scalar(select(func.count()).select_from(AlsAction)) == 0


def test_dates_that_are_not_dates_of_birth_are_saved(world, client, auth, app):
    group = world.groups[0]
    session_id = world.sessions[group][0]
    with app.app_context():
        facilitator = world.facilitator_of(session_id)
    auth.login_as(facilitator)
    data = record_data(world, group, action="Something safe")
    data["notes"] = "We used the guidance published on 01/09/2008; one member qualified on 15.07.2005."
    client.post(f"/als/sessions/{session_id}/record", data=data)
    with app.app_context():
        assert db.session.get(AlsSession, session_id).status == "held"
