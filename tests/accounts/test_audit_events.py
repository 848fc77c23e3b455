"""Audit events are stored in the same transaction as the change they record."""

from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.audit import AuditEvent, audit
from learnhub.extensions import db


def test_audit_writes_a_row_with_hub_and_object(app, make_user, make_hub):
    other_hub = make_hub()
    user_id = make_user()
    with app.test_request_context():
        from flask import g

        g.request_id = "abc123"
        actor = db.session.get(User, user_id)
        audit(actor, "certificate.revoked", certificate=42, hub=other_hub, reason="typo")
        db.session.commit()
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.revoked"))
        assert event.actor_id == user_id
        assert event.hub_id == other_hub
        assert (event.object_type, event.object_id) == ("certificate", 42)
        assert event.details["reason"] == "typo"
        assert event.request_id == "abc123"


def test_audit_defaults_to_the_actors_hub(app, make_user):
    user_id = make_user()
    with app.app_context():
        actor = db.session.get(User, user_id)
        audit(actor, "account.profile_updated", fields="name")
        db.session.commit()
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.profile_updated"))
        assert event.hub_id == actor.hub_id
        assert event.request_id is None


def test_rolled_back_change_leaves_no_audit_row(app, make_user):
    user_id = make_user()
    with app.app_context():
        actor = db.session.get(User, user_id)
        actor.name = "Changed"
        audit(actor, "account.profile_updated", fields="name")
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0
        assert db.session.get(User, user_id).name != "Changed"


def _record(app, actor_id, action, **details):
    with app.app_context():
        audit(db.session.get(User, actor_id), action, **details)
        db.session.commit()


def test_hub_admin_sees_own_hub_events_but_not_note_reads_or_other_hubs(app, client, auth, make_user, make_hub):
    hub_id = make_hub()
    admin = make_user("auditor@example.org", hub_id=hub_id, hub_role="hub_admin")
    outsider = make_user("outsider@example.org")
    _record(app, admin, "user.permission_changed", user=admin, permission="hub_admin")
    _record(app, admin, "als.notes_read", session=7)
    _record(app, outsider, "certificate.revoked", certificate=9)
    auth.login_as(admin)
    page = client.get("/hub/audit").get_data(as_text=True)
    assert '<div class="app-table__value">Permission changed</div>' in page
    assert '<div class="app-table__value">Session notes read</div>' not in page
    assert '<div class="app-table__value">Certificate revoked</div>' not in page
    filtered = client.get("/hub/audit?action=certificate.revoked").get_data(as_text=True)
    assert '<div class="app-table__value">Permission changed</div>' not in filtered
    assert '<option value="user.permission_changed"' in page
    bad = client.get("/hub/audit?date_from=notadate")
    assert bad.status_code == 200
    assert "Date from must be a real date" in bad.get_data(as_text=True)


def test_hub_admin_audit_page_shows_no_per_person_als_participation_or_survey_responses(app, client, auth, make_user, make_hub):
    """The ALS dashboard shows bids and apologies only as suppressed counts, and survey
    answers are anonymous: the audit page must not list them per person with times."""
    hub_id = make_hub()
    admin = make_user("auditor@example.org", hub_id=hub_id, hub_role="hub_admin")
    member = make_user("member@example.org", hub_id=hub_id, name="Pat Member")
    hidden = ["als.bid", "als.apologies", "als.notes_read", "evaluation.response_submitted", "evaluation.response_saved"]
    for code in hidden:
        _record(app, member, code, session=3, hub=hub_id)
    auth.login_as(admin)
    page = client.get("/hub/audit").get_data(as_text=True)
    assert "Pat Member" not in page
    for code in hidden:
        filtered = client.get(f"/hub/audit?action={code}").get_data(as_text=True)
        assert "Pat Member" not in filtered, code
        assert f'<option value="{code}"' not in filtered, code


def test_audit_page_is_for_hub_admins_only(client, auth, make_user):
    auth.login_as(make_user(hub_role="learner"))
    assert client.get("/hub/audit").status_code == 403


def test_register_export_is_audited(app, client, auth, make_user):
    admin = make_user(hub_role="hub_admin")
    auth.login_as(admin)
    assert client.get("/hub/eligibility", query_string={"format": "csv"}).status_code == 200
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.eligibility_register"))
        assert event is not None
        assert event.actor_id == admin


# --- audit visibility matrix (issue 12) -------------------------------------------------------------

#: A person's participation in a confidential activity: never listed on ``/hub/audit``
#: (the ALS dashboard shows bids and apologies only as suppressed counts; survey answers are
#: anonymous, so their timing must not be joinable to names).
PARTICIPATION = {"als.apologies", "als.bid", "als.notes_read", "evaluation.response_saved", "evaluation.response_submitted"}
#: Running the programme or the survey: listed to the hub's administrators.
ADMINISTRATION = {
    "als.calendar_reset", "als.facilitator_added", "als.facilitator_restored", "als.facilitator_withdrawn",
    "als.group_created", "als.groups_formed", "als.member_added", "als.member_grouped", "als.member_removed_from_set",
    "als.members_imported", "als.note_retention_changed", "als.notes_purged", "als.planner_run",
    "als.programme_created", "als.schedule_generated", "als.session_cancelled", "als.session_moved",
    "als.session_recorded", "als.theme_added", "als.unavailability_added", "evaluation.attachment_changed",
    "evaluation.instrument_attached", "evaluation.instrument_changed", "evaluation.instrument_copied",
    "evaluation.instrument_created", "evaluation.instrument_detached", "evaluation.item_added",
    "evaluation.item_changed", "evaluation.item_deleted", "evaluation.item_moved", "evaluation.item_restored",
    "evaluation.item_retired", "evaluation.section_added", "evaluation.section_changed", "evaluation.section_moved",
    "evaluation.section_removed", "evaluation.threshold_set",
}  # fmt: skip


def test_every_als_and_survey_action_is_classified_for_the_hub_audit_page(app, client, auth, make_user, make_hub):
    """Audit visibility as a matrix over every ALS and survey action: a new action fails here until
    someone decides whether it is participation (hidden) or administration (listed)."""
    from learnhub.audit import HIDDEN_FROM_HUB_ADMINS, Action

    actions = {a.value: a for a in Action if a.value.startswith(("als.", "evaluation."))}
    assert set(actions) == PARTICIPATION | ADMINISTRATION, "classify every als.* and evaluation.* action above"
    assert not PARTICIPATION & ADMINISTRATION
    assert {a.value for a in HIDDEN_FROM_HUB_ADMINS} == PARTICIPATION
    hub_id = make_hub()
    admin = make_user("auditor@example.org", hub_id=hub_id, hub_role="hub_admin")
    member = make_user("member@example.org", hub_id=hub_id, name="Pat Member")
    for code in sorted(actions):
        _record(app, member, code, hub=hub_id)
    auth.login_as(admin)
    page = client.get("/hub/audit").get_data(as_text=True)
    listed = {code for code, a in actions.items() if f'<div class="app-table__value">{a.label}</div>' in page}
    assert listed == ADMINISTRATION
