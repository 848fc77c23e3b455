"""Confidential notes are deleted after the hub's retention period, by a command run from cron."""

from datetime import timedelta

from sqlalchemy import func, select

from learnhub.als.models import AlsNote, AlsProgramme
from learnhub.audit import AuditEvent
from learnhub.extensions import db
from learnhub.organisations.models import Hub


def _note_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AlsNote))


def test_purge_deletes_only_notes_past_retention_and_is_idempotent(app, world):
    runner = app.test_cli_runner()
    with app.app_context():
        session_id = world.sessions[world.groups[0]][0]
        db.session.add(AlsNote(session_id=session_id, text="Themes: workload."))
        db.session.commit()
        end = db.session.get(AlsProgramme, world.programme).end_date
        assert db.session.get(Hub, world.hub).als_note_retention_months == 12
    before = (end + timedelta(days=360)).isoformat()
    result = runner.invoke(args=["als", "purge-expired-notes", "--today", before])
    assert "Deleted 0 expired ALS notes." in result.output
    with app.app_context():
        assert _note_count() == 1
    after = (end + timedelta(days=370)).isoformat()
    result = runner.invoke(args=["als", "purge-expired-notes", "--today", after])
    assert "Deleted 1 expired ALS note." in result.output
    result = runner.invoke(args=["als", "purge-expired-notes", "--today", after])
    assert "Deleted 0 expired ALS notes." in result.output
    with app.app_context():
        assert _note_count() == 0
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "als.notes_purged")).all()
        assert [(e.hub_id, e.details["count"], e.actor_id) for e in events] == [(world.hub, 1, None)]
        assert "Themes" not in str(events[0].details)


def test_a_shorter_hub_setting_purges_sooner(app, world):
    with app.app_context():
        session_id = world.sessions[world.groups[0]][0]
        db.session.add(AlsNote(session_id=session_id, text="Notes"))
        db.session.get(Hub, world.hub).als_note_retention_months = 1
        db.session.commit()
        end = db.session.get(AlsProgramme, world.programme).end_date
    result = app.test_cli_runner().invoke(args=["als", "purge-expired-notes", "--today", (end + timedelta(days=32)).isoformat()])
    assert "Deleted 1 expired ALS note." in result.output


def test_note_access_log_is_for_the_groups_facilitators_only(app, client, auth, world):
    from learnhub.accounts.models import User
    from learnhub.als.models import AlsSession
    from learnhub.als.services import records

    group = world.groups[0]
    with app.app_context():
        session_id = world.sessions[group][0]
        facilitator = world.facilitator_of(session_id)
        records.log_note_read(db.session.get(User, facilitator), db.session.get(AlsSession, session_id))
        reader_name = db.session.get(User, facilitator).name
    auth.login_as(facilitator)
    session_page = client.get(f"/als/sessions/{session_id}").get_data(as_text=True)
    assert f'href="/als/groups/{group}/note-access"' in session_page
    page = client.get(f"/als/groups/{group}/note-access")
    assert page.status_code == 200
    assert reader_name in page.get_data(as_text=True)
    auth.login_as(world.other_hub_admin)
    assert client.get(f"/als/groups/{group}/note-access").status_code == 404
    auth.login_as(world.admin)
    assert client.get(f"/als/groups/{group}/note-access").status_code == 404


def test_hub_admin_sets_the_retention_period_on_a_settings_page(app, client, auth, world):
    auth.login_as(world.admin)
    page = client.get("/als/settings")
    assert page.status_code == 200
    assert 'value="12"' in page.get_data(as_text=True)

    cases = (("0", "from 1 to 120"), ("121", "from 1 to 120"), ("six", "Enter a whole number"), ("", "Enter a whole number"))
    for bad, message in cases:
        response = client.post("/als/settings", data={"months": bad})
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Hub, world.hub).als_note_retention_months == 12

    response = client.post("/als/settings", data={"months": "6"}, follow_redirects=True)
    assert "deleted 6 months after a programme ends" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Hub, world.hub).als_note_retention_months == 6
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "als.note_retention_changed")).one()
        assert (event.actor_id, event.hub_id, event.details["before"], event.details["after"]) == (world.admin, world.hub, 12, 6)


def test_retention_is_per_hub_and_only_for_hub_admins(app, client, auth, world):
    auth.login_as(world.other_hub_admin)
    client.post("/als/settings", data={"months": "3"})
    with app.app_context():
        assert db.session.get(Hub, world.hub).als_note_retention_months == 12
    auth.login_as(world.facilitators[0])
    assert client.post("/als/settings", data={"months": "3"}).status_code == 403
