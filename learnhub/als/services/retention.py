"""How long confidential notes are kept, and their deletion once that time has passed."""

from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.als.models import AlsGroup, AlsNote, AlsProgramme, AlsSession
from learnhub.audit import Action, audit
from learnhub.extensions import db


def _months_later(day: date, months: int) -> date:
    return day + relativedelta(months=months)


def set_note_retention(actor: User, hub_id: int, months: int) -> None:
    """Change how many months the hub keeps confidential notes after a programme ends."""
    from learnhub.organisations.models import Hub

    hub = db.session.get(Hub, hub_id)
    if hub is None:
        raise ValueError("No such hub")
    before = hub.als_note_retention_months
    hub.als_note_retention_months = months
    audit(actor, Action.ALS_NOTE_RETENTION_CHANGED, hub=hub_id, before=before, after=months)


def purge_expired_notes(today: date) -> int:
    """Delete the notes of programmes that ended more than the hub's retention period ago.

    Idempotent (a second run finds nothing); each hub's deletion is audited as a count only.
    """
    from learnhub.organisations.models import Hub

    total = 0
    for hub in db.session.scalars(select(Hub).order_by(Hub.id)):
        expired = [
            p.id
            for p in db.session.scalars(select(AlsProgramme).where(AlsProgramme.hub_id == hub.id))
            if _months_later(p.end_date, hub.als_note_retention_months) <= today
        ]
        if not expired:
            continue
        notes = db.session.scalars(
            select(AlsNote)
            .join(AlsSession, AlsNote.session_id == AlsSession.id)
            .join(AlsGroup, AlsSession.group_id == AlsGroup.id)
            .where(AlsGroup.programme_id.in_(expired))
        ).all()
        if not notes:
            continue
        for note in notes:
            db.session.delete(note)
        audit(None, Action.ALS_NOTES_PURGED, hub=hub.id, count=len(notes))
        total += len(notes)
    return total
