"""Saving a session record is idempotent (issue 13): actions are updated in place by their form row."""

import io
from datetime import timedelta

from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.als.models import AlsAction, AlsMember, AlsSession
from learnhub.extensions import db
from tests.als.test_confidentiality import record_data
from tests.helpers import assert_redirect


def _actions(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        return [
            (a.position, a.text, a.outcome)
            for a in db.session.scalars(select(AlsAction).order_by(AlsAction.session_id, AlsAction.position))
        ]


def test_resaving_a_record_unchanged_keeps_its_actions_and_their_reviews(world, client, auth, app):
    group = world.groups[0]
    s1, s2 = world.sessions[group][0], world.sessions[group][1]
    members = world.members[group]
    with app.app_context():
        lead = world.facilitator_of(s1)
        # Session 2 has happened too (so it can review session 1's actions).
        db.session.get(AlsSession, s2).starts_at = db.session.get(AlsSession, s1).starts_at + timedelta(days=1)
        db.session.commit()
        later_lead = world.facilitator_of(s2)
    data = record_data(world, group, action="Ask for protected admin time")
    data.update({"action_1_owner": str(members[0]), "action_1_text": "Shadow a colleague", "action_1_shared": "y"})
    auth.login_as(lead)
    assert_redirect(client.post(f"/als/sessions/{s1}/record", data=data))
    assert_redirect(client.post(f"/als/sessions/{s1}/record", data=data))  # a double click
    assert _actions(app) == [(1, "Ask for protected admin time", None), (2, "Shadow a colleague", None)]

    # Session 2 reviews the first action as done.
    with app.app_context():
        first = db.session.scalar(select(AlsAction).where(AlsAction.position == 1))
        first_id = first.id
    review = record_data(world, group)
    review.update({f"review_{first_id}_outcome": "done", f"review_{first_id}_reflection": "Got two hours a week"})
    auth.login_as(later_lead)
    assert_redirect(client.post(f"/als/sessions/{s2}/record", data=review))

    # Re-saving session 1's record exactly as the form shows it changes nothing.
    auth.login_as(lead)
    form = client.get(f"/als/sessions/{s1}/record").get_data(as_text=True)
    assert "Ask for protected admin time" in form
    assert_redirect(client.post(f"/als/sessions/{s1}/record", data=data))
    assert _actions(app) == [(1, "Ask for protected admin time", "done"), (2, "Shadow a colleague", None)]
    with app.app_context():
        assert db.session.get(AlsAction, first_id).reviewed_session_id == s2


def test_opening_the_record_form_is_not_a_notes_read(world, client, auth, app):
    from learnhub.als.models import AlsNoteAccess

    group = world.groups[0]
    s1 = world.sessions[group][0]
    with app.app_context():
        lead = world.facilitator_of(s1)
    auth.login_as(lead)
    client.post(f"/als/sessions/{s1}/record", data=record_data(world, group))
    for _ in range(3):
        assert client.get(f"/als/sessions/{s1}/record").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AlsNoteAccess)) == 0
    client.get(f"/als/sessions/{s1}")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AlsNoteAccess)) == 1


def _import(client, world, body: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        f"/als/programmes/{world.programme}/members/import",
        data={"csv_file": (io.BytesIO(body), "members.csv")},
    )


def test_member_csv_accepts_what_excel_writes(build_world, client, auth, app, make_user):
    world = build_world(schedule=False)
    people = {
        "utf16": make_user(hub_id=world.hub, professional_role="splw", email="sian@example.org", name="Siân"),
        "mac": make_user(hub_id=world.hub, professional_role="hwbc", email="mac@example.org", name="Mac"),
        "win": make_user(hub_id=world.hub, professional_role="hwbc", email="win@example.org", name="Win"),
    }
    auth.login_as(world.admin)
    assert_redirect(_import(client, world, "email\tname\r\nsian@example.org\tSiân\r\n".encode("utf-16")))
    assert_redirect(_import(client, world, b"email,name\rmac@example.org,Mac\r"))  # CSV (Macintosh)
    assert_redirect(_import(client, world, "email,name\r\nwin@example.org,Wín\r\n".encode("cp1252")))
    with app.app_context():
        added = set(db.session.scalars(select(AlsMember.user_id)))
        assert set(people.values()) <= added
        assert db.session.get(User, people["utf16"]).name == "Siân"


def test_member_csv_with_a_huge_field_gets_a_clear_message(build_world, client, auth):
    world = build_world(schedule=False)
    auth.login_as(world.admin)
    page = _import(client, world, b'email\n"' + b"x" * 200_000 + b'"\n')
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Row 2" in text  # the row is named: "could not be read" (over csv's limit) or "longer than"
    assert "Nobody" in text or "could not be read" in text or "longer than" in text


def test_ground_rules_are_recorded_once_and_shown_on_later_record_forms(world, client, auth, app):
    group = world.groups[0]
    s1, s2 = world.sessions[group][0], world.sessions[group][1]
    with app.app_context():
        lead, next_lead = world.facilitator_of(s1), world.facilitator_of(s2)
    auth.login_as(lead)
    form = client.get(f"/als/sessions/{s1}/record").get_data(as_text=True)
    assert 'name="ground_rules"' in form
    refused = record_data(world, group)
    refused["ground_rules"] = "Nothing about Mrs Smith, NHS 943 476 5919"
    page = client.post(f"/als/sessions/{s1}/record", data=refused).get_data(as_text=True)
    assert "Nothing about Mrs Smith" in page  # kept for correction, not saved
    data = record_data(world, group)
    data["ground_rules"] = "What is said here stays here. One voice at a time."
    assert_redirect(client.post(f"/als/sessions/{s1}/record", data=data))
    assert "One voice at a time." in client.get(f"/als/sessions/{s1}/record").get_data(as_text=True)
    auth.login_as(next_lead)
    later = client.get(f"/als/sessions/{s2}/record").get_data(as_text=True)
    assert 'name="ground_rules"' not in later
    assert "What is said here stays here. One voice at a time." in later
    with app.app_context():
        from learnhub.als.models import AlsGroup

        assert db.session.get(AlsGroup, group).ground_rules_session_id == s1
