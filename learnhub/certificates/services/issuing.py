"""Issuing a certificate for a completion, with the eligibilities it grants; re-issuing a corrected version."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from learnhub.accounts.models import User
from learnhub.audit import Action, audit
from learnhub.certificates import notices
from learnhub.certificates.models import Certificate
from learnhub.certificates.pdf import long_date, render_certificate
from learnhub.certificates.services.common import (
    CertificateError,
    _facts,
    _unique_code,
    find_issued,
)
from learnhub.eligibility.certification import add_months, new_expiry
from learnhub.eligibility.models import EligibilityDeclaration, EligibilityEvent, EligibilityRecord
from learnhub.eligibility.rules import why_not
from learnhub.extensions import db
from learnhub.organisations.models import Hub
from learnhub.timeutil import utcnow
from learnhub.transactions import atomic


@dataclass
class _Grant:
    declaration: EligibilityDeclaration
    record: EligibilityRecord | None
    problem: str | None
    expires_on: date | None = None
    base: str | None = None


def _plan_grants(user: User, course_id: int, completed_on: date) -> list[_Grant]:
    """Work out, without writing, which eligibilities this completion grants or renews."""
    plans = []
    declarations = db.session.scalars(
        select(EligibilityDeclaration).where(EligibilityDeclaration.course_id == course_id).order_by(EligibilityDeclaration.id)
    ).all()
    for declaration in declarations:
        record = db.session.scalar(
            select(EligibilityRecord).where(
                EligibilityRecord.user_id == user.id, EligibilityRecord.eligibility_type == declaration.eligibility_type
            )
        )
        problem = why_not(user.professional_role, declaration.eligibility_type)
        if not declaration.validity_months or declaration.validity_months < 1:
            problem = "The course declares this eligibility without a validity period, so none could be granted."
        plan = _Grant(declaration, record, problem)
        if problem is None:
            previous = record.expires_on if record is not None and record.revoked_at is None else None
            renewal = new_expiry(completed_on, declaration.validity_months, declaration.renewal_window_days, previous)
            plan.expires_on, plan.base = renewal.expires_on, renewal.base.value
        plans.append(plan)
    return plans


def issue_certificate(
    *,
    user: User,
    hub: Hub,
    course_id: int,
    completion_id: int | None,
    course_title: str,
    cpd_hours: Decimal | float | str,
    outcomes: list[str],
    completed_at: datetime | date,
    actor: User | None = None,
    replace_revoked: bool = False,
) -> Certificate:
    """Issue the certificate for a course completion and grant or renew the eligibility it carries.

    Called by the courses feature when a learner completes a course. Idempotent: a second call
    for the same completion returns the certificate already issued. Eligibility follows only when
    the holder's profession qualifies (``learnhub.eligibility.rules``); otherwise the reason is
    recorded and the certificate is issued all the same. The caller commits (the course
    completion callback runs inside the completion's transaction).

    ``replace_revoked``: the completion has just come (back) into force, so a certificate of it
    that was revoked (when the completion was withdrawn) does not count: a new one is issued
    and the revoked one keeps verifying as revoked. Without it (bulk jobs), a revoked
    certificate is returned as it is: an administrator's revocation is not undone by a batch.
    """
    existing = find_issued(user.id, course_id, completion_id)
    if existing is not None and (existing.status == Certificate.VALID or not replace_revoked):
        return existing
    completed_on = completed_at.date() if isinstance(completed_at, datetime) else completed_at
    plans = _plan_grants(user, course_id, completed_on)
    granted = [p for p in plans if p.problem is None]
    printed = [f"{p.declaration.label} until {long_date(p.expires_on)}" for p in granted if p.expires_on]
    until = [p.expires_on for p in granted if p.expires_on]
    until += [
        add_months(completed_on, p.declaration.validity_months)
        for p in plans
        if p.problem is not None and (p.declaration.validity_months or 0) >= 1
    ]
    cert = Certificate(
        code=_unique_code(),
        user_id=user.id,
        hub_id=hub.id,
        course_id=course_id,
        completion_id=completion_id,
        version=1,
        status=Certificate.VALID,
        holder_name=user.name,
        course_title=course_title,
        completed_on=completed_on,
        cpd_hours=Decimal(str(cpd_hours)),
        outcomes=[o for o in (outcome.strip() for outcome in outcomes) if o],
        hub_name=hub.name,
        signatory=hub.signatory,
        eligibilities=printed,
        valid_until=max(until) if until else None,
        issued_at=utcnow(),
    )
    cert.pdf = render_certificate(_facts(cert))
    if not _insert_first_current(cert):
        # Another request or worker issued it while this one was rendering: that one counts.
        existing = find_issued(user.id, course_id, completion_id)
        if existing is None:
            raise CertificateError("The certificate could not be issued. Try again.")
        return existing
    for plan in plans:
        _apply_grant(user, hub, cert, plan, completed_on, actor)
    audit(actor, Action.CERTIFICATE_ISSUED, certificate=cert.id, user=user.id, course=course_id, hub=hub.id)
    notices.course_completed(cert)
    return cert


def issue_for_completion(completion, actor: User | None = None, *, replace_revoked: bool = False) -> Certificate | None:  # type: ignore[no-untyped-def]
    """Issue (and grant eligibility for) the certificate of a course completion.

    The one place a certificate is made from a ``CourseCompletion``: the completion signal
    (:mod:`learnhub.certificates.course_link`), bulk jobs and the demo all call it. None when
    the holder's personal data has been erased (nobody to certify).
    """
    db.session.flush()
    if completion.user.erased_at is not None:
        return None
    course = completion.course
    hub = db.session.get(Hub, course.hub_id)
    assert hub is not None
    return issue_certificate(
        user=completion.user,
        hub=hub,
        course_id=course.id,
        completion_id=completion.id,
        course_title=course.title,
        cpd_hours=completion.cpd_hours,
        outcomes=course.outcomes,
        completed_at=completion.completed_at,
        actor=actor,
        replace_revoked=replace_revoked,
    )


def _insert_first_current(cert: Certificate) -> bool:
    """Insert a new certificate; False if the completion already has a valid one.

    The partial unique index ``uq_certificate_current_completion`` refuses a second valid
    certificate for a completion. The insert runs in a savepoint, so the caller's transaction
    (the course completion, the bulk job item) goes on either way.
    """
    try:
        with atomic():
            db.session.add(cert)
    except IntegrityError:
        return False
    return True


def _apply_grant(user: User, hub: Hub, cert: Certificate, plan: _Grant, completed_on: date, actor: User | None) -> None:
    declaration = plan.declaration
    if plan.problem is not None:
        kind = declaration.eligibility_type
        audit(actor, Action.ELIGIBILITY_NOT_GRANTED, certificate=cert.id, user=user.id, type=kind, hub=hub.id)
        db.session.add(
            EligibilityEvent(
                user_id=user.id,
                hub_id=hub.id,
                record_id=plan.record.id if plan.record else None,
                certificate_id=cert.id,
                eligibility_type=declaration.eligibility_type,
                kind=EligibilityEvent.NOT_GRANTED,
                reason=plan.problem,
            )
        )
        return
    assert plan.expires_on is not None
    record = plan.record
    kind = EligibilityEvent.RENEWED
    if record is None:
        kind = EligibilityEvent.GRANTED
        record = EligibilityRecord(
            user_id=user.id, hub_id=hub.id, eligibility_type=declaration.eligibility_type, first_granted_on=completed_on
        )
        db.session.add(record)
    elif record.revoked_at is not None:
        kind = EligibilityEvent.GRANTED
        record.first_granted_on = completed_on
    record.hub_id = hub.id
    record.certified_on = completed_on
    record.expires_on = plan.expires_on
    record.renewal_window_days = declaration.renewal_window_days
    record.certificate_id = cert.id
    record.revoked_at = None
    record.revoked_reason = None
    db.session.flush()
    db.session.add(
        EligibilityEvent(
            user_id=user.id,
            hub_id=hub.id,
            record_id=record.id,
            certificate_id=cert.id,
            eligibility_type=declaration.eligibility_type,
            kind=kind,
            expires_on=plan.expires_on,
            base=plan.base,
        )
    )
    audit(
        actor,
        Action(f"eligibility.{kind}"),
        eligibility_record=record.id,
        user=user.id,
        type=declaration.eligibility_type,
        expires_on=plan.expires_on.isoformat(),
        hub=hub.id,
    )


def reissue_certificate(
    actor: User | None, cert: Certificate, holder_name: str | None = None, *, hub_as_now: bool = False
) -> Certificate:
    """Issue a new version (e.g. after a name correction); the old code then verifies as superseded.

    ``hub_as_now`` prints the hub's current name and signatory (a cohort re-issue after the
    signatory changed); otherwise they are copied from the old version.
    The caller commits (a bulk job commits its progress with the certificate).
    """
    if cert.status == Certificate.REVOKED:
        raise CertificateError("A revoked certificate cannot be re-issued. If it was revoked by mistake, reinstate it first.")
    if cert.status == Certificate.SUPERSEDED:
        raise CertificateError("This certificate has already been re-issued. Re-issue the current version instead.")
    name = (holder_name or cert.holder_name).strip()
    if not name:
        raise CertificateError("Enter the name to print on the certificate")
    new = Certificate(
        code=_unique_code(),
        user_id=cert.user_id,
        hub_id=cert.hub_id,
        course_id=cert.course_id,
        completion_id=cert.completion_id,
        version=cert.version + 1,
        status=Certificate.VALID,
        holder_name=name,
        course_title=cert.course_title,
        completed_on=cert.completed_on,
        cpd_hours=cert.cpd_hours,
        outcomes=list(cert.outcomes or []),
        hub_name=cert.hub.name if hub_as_now else cert.hub_name,
        signatory=cert.hub.signatory if hub_as_now else cert.signatory,
        eligibilities=list(cert.eligibilities or []),
        valid_until=cert.valid_until,
        issued_at=utcnow(),
    )
    new.pdf = render_certificate(_facts(new))
    # The old version stops being current before the new one is written (one current
    # certificate per completion, enforced by a unique index). Two re-issues at once: the
    # second one's insert fails on that index, and the first one's stands.
    try:
        with atomic():
            cert.status = Certificate.SUPERSEDED
            db.session.flush()
            db.session.add(new)
    except IntegrityError:
        raise CertificateError("This certificate has already been re-issued. Re-issue the current version instead.") from None
    cert.superseded_by_id = new.id
    for record in db.session.scalars(select(EligibilityRecord).where(EligibilityRecord.certificate_id == cert.id)):
        record.certificate_id = new.id
    db.session.flush()
    audit(actor, Action.CERTIFICATE_REISSUED, certificate=cert.id, new=new.id, version=new.version, hub=cert.hub_id)
    notices.superseded(cert, new)
    return new
