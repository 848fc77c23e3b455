"""Audit events are stored in the same transaction as the change they record."""

from sqlalchemy import func, select

from learnhub.accounts.models import AuditEvent, User
from learnhub.accounts.services import audit
from learnhub.extensions import db


def test_audit_writes_a_row_with_hub_and_object(app, make_user, make_hub):
    other_hub = make_hub()
    user_id = make_user()
    with app.test_request_context():
        from flask import g

        g.request_id = "abc123"
        actor = db.session.get(User, user_id)
        audit(actor, "certificate revoked", certificate=42, hub=other_hub, reason="typo")
        db.session.commit()
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate revoked"))
        assert event.actor_id == user_id
        assert event.hub_id == other_hub
        assert (event.object_type, event.object_id) == ("certificate", 42)
        assert event.details["reason"] == "typo"
        assert event.request_id == "abc123"


def test_audit_defaults_to_the_actors_hub(app, make_user):
    user_id = make_user()
    with app.app_context():
        actor = db.session.get(User, user_id)
        audit(actor, "profile updated", fields="name")
        db.session.commit()
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "profile updated"))
        assert event.hub_id == actor.hub_id
        assert event.request_id is None


def test_rolled_back_change_leaves_no_audit_row(app, make_user):
    user_id = make_user()
    with app.app_context():
        actor = db.session.get(User, user_id)
        actor.name = "Changed"
        audit(actor, "profile updated", fields="name")
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0
        assert db.session.get(User, user_id).name != "Changed"
