"""Who can see which session, notes and actions."""

import pytest
from sqlalchemy import func, select

from learnhub.als.models import AlsAction, AlsNote, AlsNoteAccess, AlsSession
from learnhub.extensions import db
from tests.helpers import assert_redirect


def record_data(world, group, *, notes="We explored role clarity and practised open questions.", action=None, shared=True):
    members = world.members[group]
    data = {f"attendance_{uid}": "present" for uid in members}
    data[f"attendance_{members[-1]}"] = "apologies"
    data["presenters"] = [str(members[0])]
    data["notes"] = notes
    if action:
        data.update({"action_0_owner": str(members[0]), "action_0_text": action})
        if shared:
            data["action_0_shared"] = "y"
    return data


@pytest.fixture
def recorded(world, client, auth, app):
    """Session 1 of group A recorded by its facilitator with one shared and one private action."""
    group = world.groups[0]
    session_id = world.sessions[group][0]
    with app.app_context():
        facilitator = world.facilitator_of(session_id)
    auth.login_as(facilitator)
    data = record_data(world, group, action="Ask for protected admin time")
    data.update({"action_1_owner": str(world.members[group][0]), "action_1_text": "Talk to my supervisor about boundaries"})
    response = client.post(f"/als/sessions/{session_id}/record", data=data)
    assert_redirect(response)
    auth.logout()
    return session_id, facilitator


def test_member_of_another_group_gets_404_for_sessions_notes_and_calendar(world, recorded, client, auth):
    session_id, _ = recorded
    outsider = world.members[world.groups[1]][0]
    auth.login_as(outsider)
    assert client.get(f"/als/sessions/{session_id}").status_code == 404
    assert client.get(f"/als/sessions/{session_id}/record").status_code == 404
    assert client.get(f"/als/sessions/{session_id}/calendar.ics").status_code == 404
    assert client.post(f"/als/sessions/{session_id}/bid").status_code == 404


def test_unknown_session_is_404(world, client, auth):
    auth.login_as(world.members[world.groups[0]][0])
    assert client.get("/als/sessions/999999").status_code == 404


def test_hub_admin_never_sees_notes(world, recorded, client, auth):
    session_id, _ = recorded
    auth.login_as(world.admin)
    assert client.get(f"/als/sessions/{session_id}").status_code == 403
    assert client.get(f"/als/sessions/{session_id}/record").status_code == 403
    dashboard = client.get(f"/als/programmes/{world.programme}/dashboard").get_data(as_text=True)
    assert "role clarity" not in dashboard
    assert "protected admin time" not in dashboard


def test_admin_of_another_hub_gets_404(world, recorded, client, auth):
    session_id, _ = recorded
    auth.login_as(world.other_hub_admin)
    assert client.get(f"/als/sessions/{session_id}").status_code == 404
    assert client.get(f"/als/programmes/{world.programme}").status_code == 404
    assert client.get(f"/als/programmes/{world.programme}/dashboard").status_code == 404


def test_facilitator_sees_notes_only_for_sessions_they_facilitate(world, recorded, client, auth, app):
    session_id, facilitator = recorded
    with app.app_context():
        others = [s for sessions in world.sessions.values() for s in sessions if world.facilitator_of(s) != facilitator]
    auth.login_as(facilitator)
    assert client.get(f"/als/sessions/{session_id}").status_code == 200
    assert client.get(f"/als/sessions/{others[0]}").status_code == 404
    assert client.get(f"/als/sessions/{others[0]}/record").status_code == 404


def test_member_reads_notes_and_every_read_is_logged(world, recorded, client, auth, app):
    session_id, _ = recorded
    member = world.members[world.groups[0]][1]
    auth.login_as(member)
    page = client.get(f"/als/sessions/{session_id}").get_data(as_text=True)
    assert "We explored role clarity" in page
    client.get(f"/als/sessions/{session_id}")
    with app.app_context():
        reads = db.session.scalars(select(AlsNoteAccess).where(AlsNoteAccess.user_id == member)).all()
        assert [r.session_id for r in reads] == [session_id, session_id]
        assert all(r.accessed_at is not None for r in reads)


def test_private_actions_are_seen_only_by_their_owner(world, recorded, client, auth):
    session_id, _ = recorded
    owner, other = world.members[world.groups[0]][:2]
    auth.login_as(other)
    page = client.get(f"/als/sessions/{session_id}").get_data(as_text=True)
    assert "Ask for protected admin time" in page
    assert "Talk to my supervisor" not in page
    assert "1 private action not shown" in page
    auth.login_as(owner)
    assert "Talk to my supervisor" in client.get(f"/als/sessions/{session_id}").get_data(as_text=True)
    mine = client.get("/als/").get_data(as_text=True)
    assert "Ask for protected admin time" in mine
    assert "Talk to my supervisor" in mine


def test_member_cannot_record(world, client, auth):
    session_id = world.sessions[world.groups[0]][0]
    auth.login_as(world.members[world.groups[0]][0])
    assert client.get(f"/als/sessions/{session_id}/record").status_code == 403


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("notes", "Discussed the patient with NHS number 943 476 5919 at length"),
        ("notes", "An older man, DOB 03/04/1950, who lives alone"),
        ("notes", "Visited a home in LS1 4AP"),
        ("action_0_text", "Phone about 943-476-5919 tomorrow"),
    ],
)
def test_patient_identifiers_are_refused_and_nothing_is_saved(world, client, auth, app, field, text):
    group = world.groups[0]
    session_id = world.sessions[group][0]
    with app.app_context():
        facilitator = world.facilitator_of(session_id)
    auth.login_as(facilitator)
    data = record_data(world, group, action="Something safe")
    data[field] = text
    response = client.post(f"/als/sessions/{session_id}/record", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Remove anything that could identify a patient" in page
    assert "Error:" in page
    # What they typed is still in the form, so nothing is lost.
    assert text.split()[-1] in page
    with app.app_context():
        assert db.session.get(AlsSession, session_id).status == "planned"
        assert db.session.scalar(select(func.count()).select_from(AlsNote)) == 0
        assert db.session.scalar(select(func.count()).select_from(AlsAction)) == 0
