"""Revoking a certificate (and the eligibility it granted), and reinstating one revoked in error."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from learnhub.accounts.models import User
from learnhub.audit import Action, audit
from learnhub.certificates import notices
from learnhub.certificates.models import Certificate, CertificateEvent
from learnhub.certificates.pdf import long_date
from learnhub.certificates.services.common import CertificateError
from learnhub.eligibility.models import EligibilityEvent, EligibilityRecord
from learnhub.extensions import db
from learnhub.timeutil import utcnow
from learnhub.transactions import atomic


def revoke_certificate(actor: User, cert: Certificate, reason: str) -> None:
    """Revoke a certificate (reason required) and the eligibility that rests on it."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("Enter the reason for revoking this certificate")
    if cert.status == Certificate.REVOKED:
        who = cert.revoked_by.name if cert.revoked_by else "an administrator"
        when = long_date(cert.revoked_at.date()) if cert.revoked_at else "an earlier date"
        raise CertificateError(f"This certificate was already revoked on {when} by {who}. Nothing has changed.")
    if cert.status == Certificate.SUPERSEDED:
        raise CertificateError("This version has been replaced by a re-issued certificate. Revoke the current version instead.")
    now = utcnow()
    mark_revoked(actor, cert, reason, now)
    for record in db.session.scalars(
        select(EligibilityRecord).where(EligibilityRecord.certificate_id == cert.id, EligibilityRecord.revoked_at.is_(None))
    ):
        revoke_eligibility(actor, record, reason, now)
    db.session.flush()
    audit(actor, Action.CERTIFICATE_REVOKED, certificate=cert.id, hub=cert.hub_id)
    notices.revoked(cert, reason)


def reinstate_certificate(actor: User, cert: Certificate, reason: str) -> None:
    """Undo a revocation (a reason is required).

    The certificate is valid again, and so is the eligibility the revocation withdrew, unless a
    later certificate has since taken it over. The revocation stays in the certificate's history (the verify page lists both).
    """
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("Enter the reason for reinstating this certificate")
    if cert.status != Certificate.REVOKED:
        raise CertificateError("This certificate is not revoked. Nothing has changed.")
    if cert.user.erased_at is not None or not cert.holder_name:
        raise CertificateError("The holder's personal data has been erased, so this certificate cannot be reinstated.")
    if cert.completion_id is not None:
        newer = db.session.scalar(
            select(Certificate).where(
                Certificate.completion_id == cert.completion_id,
                Certificate.status == Certificate.VALID,
                Certificate.id != cert.id,
            )
        )
        if newer is not None:
            raise CertificateError(
                f"The completion was recorded again and certificate {newer.display_code} has been issued for it "
                "since, so this one cannot be reinstated."
            )
    revoked_at = cert.revoked_at
    try:
        # One valid certificate per completion (unique index): a completion recorded again at
        # this very moment has just been given a new one, and that one stands.
        with atomic():
            cert.status = Certificate.VALID
            cert.revoked_at = None
            cert.revoked_by_id = None
            cert.revoked_reason = None
            db.session.flush()
    except IntegrityError:
        raise CertificateError(
            "The completion was recorded again and a new certificate has been issued for it, so this one cannot be reinstated."
        ) from None
    event = CertificateEvent(certificate_id=cert.id, kind=CertificateEvent.REINSTATED, reason=reason, actor_id=actor.id)
    db.session.add(event)
    records = db.session.scalars(
        select(EligibilityRecord).where(EligibilityRecord.certificate_id == cert.id, EligibilityRecord.revoked_at.is_not(None))
    ).all()
    for record in records:
        if revoked_at is not None and record.revoked_at is not None and record.revoked_at < revoked_at:
            continue  # withdrawn earlier, for another reason: not this revocation's to undo
        record.revoked_at = None
        record.revoked_reason = None
        db.session.add(
            EligibilityEvent(
                user_id=record.user_id,
                hub_id=record.hub_id,
                record_id=record.id,
                certificate_id=cert.id,
                eligibility_type=record.eligibility_type,
                kind=EligibilityEvent.REINSTATED,
                expires_on=record.expires_on,
                reason=reason,
            )
        )
        audit(actor, Action.ELIGIBILITY_REINSTATED, eligibility_record=record.id, user=record.user_id, hub=record.hub_id)
    db.session.flush()
    audit(actor, Action.CERTIFICATE_REINSTATED, certificate=cert.id, hub=cert.hub_id)
    notices.reinstated(cert, reason, event.id)


def mark_revoked(actor: User, cert: Certificate, reason: str, now: datetime) -> None:
    """Record a certificate as revoked, by whom, when and why."""
    cert.status = Certificate.REVOKED
    cert.revoked_at = now
    cert.revoked_by_id = actor.id
    cert.revoked_reason = reason
    db.session.add(CertificateEvent(certificate_id=cert.id, kind=CertificateEvent.REVOKED, reason=reason, actor_id=actor.id))


def revoke_eligibility(actor: User, record: EligibilityRecord, reason: str, now: datetime) -> None:
    """Revoke an eligibility record with a history line and an audit event.

    PCN leads are told about each supervision arrangement this stops counting.
    """
    from learnhub.supervision import notices as supervision_notices

    before = supervision_notices.flagged_by(record.user_id)
    record.revoked_at = now
    record.revoked_reason = reason
    db.session.add(
        EligibilityEvent(
            user_id=record.user_id,
            hub_id=record.hub_id,
            record_id=record.id,
            certificate_id=record.certificate_id,
            eligibility_type=record.eligibility_type,
            kind=EligibilityEvent.REVOKED,
            reason=reason,
        )
    )
    audit(actor, Action.ELIGIBILITY_REVOKED, eligibility_record=record.id, user=record.user_id, hub=record.hub_id)
    db.session.flush()
    supervision_notices.tell_leads(record.user_id, before, supervision_notices.REVOKED)
