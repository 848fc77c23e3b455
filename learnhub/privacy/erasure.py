"""Erasure of one person's personal data by an administrator.

``erase_user(actor, user)`` removes or anonymises one person's personal data in one transaction.
What is kept, and why, is written in ``docs/operations.md`` ("Data protection requests").
"""

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update

from learnhub.accounts.models import PasswordToken, User
from learnhub.als.models import (
    AlsAction,
    AlsAttendance,
    AlsBid,
    AlsCalendarFeed,
    AlsFacilitation,
    AlsFacilitator,
    AlsMember,
    AlsNote,
    AlsSession,
)
from learnhub.audit import Action, AuditEvent, audit
from learnhub.certificates.models import Certificate, CertificateEvent
from learnhub.certificates.services import mark_revoked, revoke_eligibility
from learnhub.courses.models import CourseCompletion, Enrolment
from learnhub.eligibility.models import EligibilityEvent, EligibilityRecord
from learnhub.evaluation.models import Completion, Invitee
from learnhub.extensions import db
from learnhub.notifications.models import NotificationPreference, OutboxMessage
from learnhub.privacy.names import ERASED_NAME, HOLDER_ERASED, erased_email, name_variants, scrub_name
from learnhub.roles import HubRole, may_act_on
from learnhub.timeutil import utcnow

# --- erasure ---------------------------------------------------------------------------------------


class ErasureRefused(ValueError):
    """The erasure cannot be done; the message says why, for the administrator."""


def may_erase(actor: User, user: User) -> bool:
    """Site administrators may erase anyone; hub administrators the people of their own hub."""
    return actor.is_site_admin or actor.administers(user.hub_id)


def check_erasure(actor: User, user: User) -> None:
    """Raise ``ErasureRefused`` with a clear message when this erasure must not happen."""
    if user.id == actor.id:
        raise ErasureRefused(
            "You cannot erase your own account. Ask another administrator to do it, so that someone "
            "is accountable for the erasure."
        )
    if user.is_site_admin and not actor.is_site_admin:
        raise ErasureRefused("Only a site administrator can erase a site administrator.")
    if not may_act_on(actor, user):
        raise ErasureRefused("You cannot erase the account of someone with more permissions than you.")
    if user.erased_at is None and user.is_hub_admin and user.active:
        others = db.session.scalar(
            select(func.count())
            .select_from(User)
            .where(
                User.hub_id == user.hub_id,
                User.hub_role == HubRole.HUB_ADMIN.value,
                User.active.is_(True),
                User.id != user.id,
            )
        )
        if not others:
            raise ErasureRefused(
                f"{user.name} is the only hub administrator of {user.hub.name if user.hub else 'their hub'}. "
                "Give someone else the hub administrator permission first."
            )


@dataclass
class ErasureResult:
    """What an erasure changed (counts only: nothing that names the person)."""

    already_erased: bool = False
    certificates_revoked: int = 0
    eligibility_revoked: int = 0
    survey_completions_removed: int = 0


def erase_user(actor: User, user: User) -> ErasureResult:
    """Remove or anonymise one person's personal data, in one transaction.

    Harmless when repeated: an account already erased is left as it is. Raises
    ``ErasureRefused`` for the cases ``check_erasure`` refuses.
    """
    if user.erased_at is not None:
        return ErasureResult(already_erased=True)
    check_erasure(actor, user)
    from learnhub.supervision import notices as supervision_notices

    supervising = supervision_notices.flagged_by(user.id)
    now = utcnow()
    old_strings = {s.lower() for s in (user.name, user.email) if s}
    variants = name_variants(user.name, user.email)
    result = ErasureResult()

    # 1. The account: nothing that identifies the person stays; it can never be used again.
    user.name = ERASED_NAME
    user.email = erased_email(user.id)
    user.registration_body = None
    user.registration_number = None
    user.practice_id = None
    user.password_hash = None
    user.hub_role = HubRole.LEARNER.value
    user.is_site_admin = False
    user.active = False
    user.session_version = (user.session_version or 0) + 1
    user.last_login_at = None
    user.erased_at = now
    db.session.execute(delete(PasswordToken).where(PasswordToken.user_id == user.id))
    # Emails to them (queued or sent) hold their name and address: none is sent any more, none is kept.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.user_id == user.id))
    db.session.execute(delete(NotificationPreference).where(NotificationPreference.user_id == user.id))

    # 2. Certificates: valid ones revoked as "holder erased"; every version loses the name and the PDF.
    # An earlier revocation's reason is free text about the person, shown on the public verify
    # page ("Dr James Whitaker asked us to withdraw it"): it is replaced too.
    certificate_ids = []
    for cert in db.session.scalars(select(Certificate).where(Certificate.user_id == user.id)):
        certificate_ids.append(cert.id)
        if cert.status == Certificate.VALID:
            mark_revoked(actor, cert, HOLDER_ERASED, now)
            result.certificates_revoked += 1
        elif cert.revoked_reason:
            cert.revoked_reason = HOLDER_ERASED
        cert.holder_name = ""
        cert.pdf = b""
    # The correction history (revoked, reinstated: shown on the verify page) has reasons too.
    if certificate_ids:
        db.session.execute(
            update(CertificateEvent).where(CertificateEvent.certificate_id.in_(certificate_ids)).values(reason=HOLDER_ERASED)
        )

    # Reasons given for recording or withdrawing a course completion by hand are free text about
    # the person ("Dr Okoye attended at Northshire"): replaced too.
    for column in (CourseCompletion.recorded_reason, CourseCompletion.withdrawn_reason):
        db.session.execute(
            update(CourseCompletion)
            .where(CourseCompletion.user_id == user.id, column.is_not(None))
            .values({column.key: HOLDER_ERASED})
            .execution_options(synchronize_session=False)
        )

    # 3. Eligibility: every current record revoked, with a history line.
    for record in db.session.scalars(select(EligibilityRecord).where(EligibilityRecord.user_id == user.id)):
        if record.revoked_at is None:
            revoke_eligibility(actor, record, HOLDER_ERASED, now)
            result.eligibility_revoked += 1
        elif record.revoked_reason:
            record.revoked_reason = HOLDER_ERASED
    for event in db.session.scalars(select(EligibilityEvent).where(EligibilityEvent.user_id == user.id)):
        if event.kind == EligibilityEvent.REVOKED and event.reason:
            event.reason = HOLDER_ERASED
        else:
            event.reason = scrub_name(event.reason, variants)

    # 4. Action Learning Sets: past attendance, presenting and set membership stay as anonymous
    # counts (the account names no one now); everything still to come and everything the person
    # wrote is removed.
    open_sessions = select(AlsSession.id).where(AlsSession.status.in_((AlsSession.PLANNED, AlsSession.MOVED)))
    db.session.execute(delete(AlsAction).where(AlsAction.owner_id == user.id))
    db.session.execute(delete(AlsBid).where(AlsBid.user_id == user.id))
    db.session.execute(delete(AlsCalendarFeed).where(AlsCalendarFeed.user_id == user.id))
    db.session.execute(delete(AlsAttendance).where(AlsAttendance.user_id == user.id, AlsAttendance.session_id.in_(open_sessions)))
    db.session.execute(
        delete(AlsFacilitation).where(AlsFacilitation.user_id == user.id, AlsFacilitation.session_id.in_(open_sessions))
    )
    for pool in db.session.scalars(select(AlsFacilitator).where(AlsFacilitator.user_id == user.id)):
        pool.active = False
    # Notes, actions and reflections of the sets they belonged to or facilitated are kept (notes
    # they wrote as facilitator too: the author is the erased account, whose name is gone), but
    # their name is removed from the text others wrote.
    their_groups = select(AlsMember.group_id).where(AlsMember.user_id == user.id, AlsMember.group_id.is_not(None))
    their_sessions = select(AlsSession.id).where(
        AlsSession.group_id.in_(their_groups)
        | AlsSession.id.in_(select(AlsFacilitation.session_id).where(AlsFacilitation.user_id == user.id))
    )
    for note in db.session.scalars(select(AlsNote).where(AlsNote.session_id.in_(their_sessions))):
        note.text = scrub_name(note.text, variants) or ""
    for action in db.session.scalars(select(AlsAction).where(AlsAction.session_id.in_(their_sessions))):
        action.text = scrub_name(action.text, variants) or ""
        action.reflection = scrub_name(action.reflection, variants)

    # Places on a waiting list are a wish for the future (and would be offered by email): removed.
    db.session.execute(delete(Enrolment).where(Enrolment.user_id == user.id, Enrolment.status == Enrolment.WAITING))

    # 5. Evaluation: who submitted is deleted; the answers stay, pseudonymous, so results do not change.
    result.survey_completions_removed = (
        db.session.scalar(select(func.count()).select_from(Completion).where(Completion.user_id == user.id)) or 0
    )
    db.session.execute(delete(Completion).where(Completion.user_id == user.id))

    # 6. Earlier audit events keep what happened, not the person's name or email (also inside
    # longer text, such as a revocation reason of one of their certificates).
    about_them = (AuditEvent.actor_id == user.id) | ((AuditEvent.object_type == "user") & (AuditEvent.object_id == user.id))
    if certificate_ids:
        about_them = about_them | ((AuditEvent.object_type == "certificate") & AuditEvent.object_id.in_(certificate_ids))
    for event in db.session.scalars(select(AuditEvent).where(about_them)):
        details = dict(event.details or {})
        scrubbed = {
            k: ("[erased]" if v.lower() in old_strings else scrub_name(v, variants)) if isinstance(v, str) else v
            for k, v in details.items()
        }
        if scrubbed != details:
            event.details = scrubbed

    db.session.flush()
    audit(
        actor,
        Action.USER_ERASED,
        user=user.id,
        hub=user.hub_id if user.hub_id is not None else actor.hub_id,
        certificates_revoked=result.certificates_revoked,
        eligibility_revoked=result.eligibility_revoked,
        survey_completions_removed=result.survey_completions_removed,
    )
    # PCN leads are told about each supervision arrangement this stops counting (without the name).
    supervision_notices.tell_leads(user.id, supervising, supervision_notices.ERASED)
    return result


def counts_for_confirmation(user: User) -> dict[str, int]:
    """How many of each record an erasure will touch, for the confirmation page."""

    def count(stmt) -> int:  # type: ignore[no-untyped-def]
        return db.session.scalar(stmt) or 0

    return {
        "certificates": count(
            select(func.count())
            .select_from(Certificate)
            .where(Certificate.user_id == user.id, Certificate.status == Certificate.VALID)
        ),
        "eligibility": count(
            select(func.count())
            .select_from(EligibilityRecord)
            .where(EligibilityRecord.user_id == user.id, EligibilityRecord.revoked_at.is_(None))
        ),
        "enrolments": count(select(func.count()).select_from(Enrolment).where(Enrolment.user_id == user.id)),
        "completions": count(select(func.count()).select_from(CourseCompletion).where(CourseCompletion.user_id == user.id)),
        "als_memberships": count(select(func.count()).select_from(AlsMember).where(AlsMember.user_id == user.id)),
        "survey_completions": count(select(func.count()).select_from(Completion).where(Completion.user_id == user.id)),
        "invitations": count(select(func.count()).select_from(Invitee).where(Invitee.user_id == user.id)),
    }
