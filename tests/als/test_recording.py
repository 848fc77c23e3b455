"""A facilitator records sessions; actions are reviewed at the next check-in."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.als.models import AlsAction, AlsAttendance, AlsNote, AlsNoteAccess, AlsPresenter, AlsSession
from learnhub.als.services import common, participation, records
from learnhub.extensions import db
from tests.als.test_confidentiality import record_data


@pytest.fixture
def first(world, app, auth):
    group = world.groups[0]
    session_id = world.sessions[group][0]
    with app.app_context():
        facilitator = world.facilitator_of(session_id)
    auth.login_as(facilitator)
    return group, session_id, facilitator


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_recording_twice_is_an_edit_not_a_duplicate(world, first, client, app):
    group, session_id, facilitator = first
    data = record_data(world, group, action="Ask for protected admin time")
    response = client.post(f"/als/sessions/{session_id}/record", data=data)
    assert response.headers["Location"] == f"/als/sessions/{session_id}"
    assert "The session has been recorded" in client.get(response.headers["Location"]).get_data(as_text=True)

    def reads():  # type: ignore[no-untyped-def]
        with app.app_context():
            return db.session.scalars(select(AlsNoteAccess.session_id).where(AlsNoteAccess.user_id == facilitator)).all()

    assert reads() == [session_id]  # the session page shows the notes: one read
    form = client.get(f"/als/sessions/{session_id}/record").get_data(as_text=True)
    assert "Saving again updates the record" in form
    assert "Ask for protected admin time" in form  # prefilled
    # Opening the form to edit it is not a read of the notes (issue 16): the log lists reads.
    assert reads() == [session_id]

    data["notes"] = "Edited: the set practised open questions."
    data["action_0_text"] = "Ask for protected admin time every Friday"
    response = client.post(f"/als/sessions/{session_id}/record", data=data)
    assert "The session record has been updated" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert _count(AlsNote) == 1
        assert db.session.get(AlsSession, session_id).note.text == "Edited: the set practised open questions."
        assert _count(AlsAttendance) == len(world.members[group])
        assert _count(AlsPresenter) == 1
        assert [a.text for a in db.session.scalars(select(AlsAction))] == ["Ask for protected admin time every Friday"]


def test_next_session_lists_open_actions_for_review(world, first, client, app, auth):
    group, session_id, facilitator = first
    client.post(f"/als/sessions/{session_id}/record", data=record_data(world, group, action="Map local walking groups"))
    next_id = world.sessions[group][1]
    with app.app_context():
        next_facilitator = world.facilitator_of(next_id)
        action_id = db.session.scalar(select(AlsAction.id))
    auth.login_as(next_facilitator)
    form = client.get(f"/als/sessions/{next_id}/record").get_data(as_text=True)
    assert "Check-in: actions from earlier sessions" in form
    assert "Map local walking groups" in form
    assert f'name="review_{action_id}_outcome"' in form
    # The next session is in the future, so it cannot be recorded yet; what was typed stays.
    data = record_data(world, group)
    data[f"review_{action_id}_outcome"] = "partly"
    data[f"review_{action_id}_reflection"] = "Found two groups, need a third"
    page = client.post(f"/als/sessions/{next_id}/record", data=data).get_data(as_text=True)
    assert "This session can be recorded from" in page
    assert "Found two groups, need a third" in page


def test_review_outcome_is_saved_when_the_next_session_is_recorded(world, first, app):
    group, session_id, facilitator = first
    members = world.members[group]
    with app.app_context():
        actor = db.session.get(User, facilitator)
        s1 = db.session.get(AlsSession, session_id)
        base = dict(attendance={m: "present" for m in members}, presenters=[members[0]], theme_ids=[], notes="Process notes")
        records.record_session(
            actor, s1, records.SessionRecord(**base, actions=[records.ActionInput(members[0], "Try it", True)], reviews=[])
        )
        action = db.session.scalar(select(AlsAction))
        s2 = db.session.get(AlsSession, world.sessions[group][1])
        later = s2.starts_at + timedelta(hours=2)
        assert [a.id for a in records.open_actions_for_review(s2)] == [action.id]
        records.record_session(
            actor,
            s2,
            records.SessionRecord(**base, actions=[], reviews=[records.ReviewInput(action.id, "done", "It worked")]),
            now=later,
        )
        db.session.refresh(action)
        assert (action.outcome, action.reflection, action.reviewed_session_id) == ("done", "It worked", s2.id)
        s3 = db.session.get(AlsSession, world.sessions[group][2])
        assert records.open_actions_for_review(s3) == []


def test_carried_forward_actions_stay_open(world, first, app):
    group, session_id, facilitator = first
    members = world.members[group]
    with app.app_context():
        actor = db.session.get(User, facilitator)
        base = dict(attendance={m: "present" for m in members}, presenters=[members[0]], theme_ids=[], notes="Notes")
        s1 = db.session.get(AlsSession, session_id)
        records.record_session(
            actor, s1, records.SessionRecord(**base, actions=[records.ActionInput(members[0], "Try it", False)], reviews=[])
        )
        action = db.session.scalar(select(AlsAction))
        s2 = db.session.get(AlsSession, world.sessions[group][1])
        records.record_session(
            actor,
            s2,
            records.SessionRecord(**base, actions=[], reviews=[records.ReviewInput(action.id, "carried_forward", "")]),
            now=s2.starts_at + timedelta(hours=2),
        )
        s3 = db.session.get(AlsSession, world.sessions[group][2])
        assert [a.id for a in records.open_actions_for_review(s3)] == [action.id]


def test_service_refuses_identifiers_even_without_the_form(world, first, app):
    group, session_id, facilitator = first
    with app.app_context():
        actor = db.session.get(User, facilitator)
        record = records.SessionRecord(attendance={}, presenters=[], theme_ids=[], notes="fine", actions=[], reviews=[])
        record.actions = [records.ActionInput(world.members[group][0], "Write to SW1A 1AA", True)]
        with pytest.raises(common.AlsError, match="anonymise|identify a patient"):
            records.record_session(actor, db.session.get(AlsSession, session_id), record)
        assert db.session.get(AlsSession, session_id).status == "planned"
        assert _count(AlsAction) == 0


def test_action_for_someone_who_did_not_present_is_refused(world, first, client, app):
    group, session_id, _ = first
    data = record_data(world, group)
    data.update({"action_0_owner": str(world.members[group][2]), "action_0_text": "Something"})
    page = client.post(f"/als/sessions/{session_id}/record", data=data).get_data(as_text=True)
    assert "did not present" in page
    with app.app_context():
        assert _count(AlsNote) == 0


def test_member_sees_cpd_minutes_bids_and_calendar(world, first, client, auth, app):
    group, session_id, _ = first
    client.post(f"/als/sessions/{session_id}/record", data=record_data(world, group))
    member = world.members[group][0]
    auth.login_as(member)
    next_id = world.sessions[group][1]
    assert client.post(f"/als/sessions/{next_id}/bid", data={"wanted": "yes"}).headers["Location"] == f"/als/sessions/{next_id}"
    page = client.get("/als/").get_data(as_text=True)
    assert "90 minutes" in page
    assert f'href="/als/sessions/{session_id}"' in page  # past sessions link to their notes
    assert "(you have bid for time)" in page
    ics = client.get(f"/als/sessions/{next_id}/calendar.ics")
    assert ics.mimetype == "text/calendar"
    assert b"BEGIN:VEVENT" in ics.data
    with app.app_context():
        token = participation.calendar_token(db.session.get(User, member))
    auth.logout()
    feed = client.get(f"/als/calendar/{token}.ics")
    assert feed.status_code == 200
    assert feed.data.count(b"BEGIN:VEVENT") == 3  # sessions 2–4 are still to come
    assert b"Process" not in feed.data
    assert client.get("/als/calendar/not-a-token.ics").status_code == 404


def test_member_who_sent_apologies_gets_no_cpd(world, first, client, auth):
    group, session_id, _ = first
    client.post(f"/als/sessions/{session_id}/record", data=record_data(world, group))
    auth.login_as(world.members[group][-1])  # sent apologies
    assert "0 minutes" in client.get("/als/").get_data(as_text=True)


def test_facilitator_sees_their_sessions_across_groups(world, client, auth, app):
    with app.app_context():
        facilitator = world.facilitator_of(world.sessions[world.groups[0]][0])
        sessions = participation.facilitated_sessions(db.session.get(User, facilitator))
        mine = {s.id for s in sessions}
        started = [s.id for s in sessions if s.starts_at <= datetime.now(UTC)]
        coming = [s.id for s in sessions if s.starts_at > datetime.now(UTC)]
    auth.login_as(facilitator)
    page = client.get("/als/facilitating").get_data(as_text=True)
    # "Record session" is offered once a session has started, never before (issue 16).
    for session_id in started:
        assert f"/als/sessions/{session_id}/record" in page
    for session_id in coming:
        assert f"/als/sessions/{session_id}/record" not in page
    assert {g for g, ids in world.sessions.items() if mine & set(ids)} == set(world.groups)


def test_cancelled_sessions_are_not_recorded(world, app):
    with app.app_context():
        s = db.session.get(AlsSession, world.sessions[world.groups[0]][1])
        s.status = AlsSession.CANCELLED
        db.session.commit()
        with pytest.raises(common.AlsError):
            records.record_session(
                db.session.get(User, world.admin),
                s,
                records.SessionRecord({}, [], [], "x", [], []),
                now=datetime.now(UTC) + timedelta(days=60),
            )


def test_apologies_in_advance_skip_the_member_in_the_suggestion(world, client, auth, app):
    group = world.groups[0]
    next_id = world.sessions[group][1]
    with app.app_context():
        due = [u.id for u in records.presenter_suggestion(db.session.get(AlsSession, next_id))]
        facilitator = world.facilitator_of(next_id)
    auth.login_as(due[0])
    response = client.post(f"/als/sessions/{next_id}/apologies", data={"wanted": "yes"})
    assert response.headers["Location"] == f"/als/sessions/{next_id}"
    assert "You have sent apologies" in client.get(f"/als/sessions/{next_id}").get_data(as_text=True)
    with app.app_context():
        suggested = [u.id for u in records.presenter_suggestion(db.session.get(AlsSession, next_id))]
        assert due[0] not in suggested
    auth.login_as(facilitator)
    form = client.get(f"/als/sessions/{next_id}/record").get_data(as_text=True)
    assert f'name="attendance_{due[0]}" type="radio" value="apologies" checked' in form
    auth.login_as(due[0])
    client.post(f"/als/sessions/{next_id}/apologies", data={"wanted": "no"})
    with app.app_context():
        assert due[0] in [u.id for u in records.presenter_suggestion(db.session.get(AlsSession, next_id))]


def test_apologies_for_a_past_session_are_refused(world, client, auth, app):
    group = world.groups[0]
    past_id = world.sessions[group][0]
    auth.login_as(world.members[group][0])
    page = client.post(f"/als/sessions/{past_id}/apologies", data={"wanted": "yes"}, follow_redirects=True).get_data(as_text=True)
    assert "Apologies can only be sent before a session" in page
    with app.app_context():
        assert _count(AlsAttendance) == 0
