"""Data protection requests: a person's copy of their data, and erasure by an administrator.

``export_data(user)`` gathers everything LearnHub holds about one person, for a subject access
request made by the person themselves. It leaves out other people's personal data, secrets
(password hash, reset and invitation tokens, the calendar feed token) and the confidential notes
facilitators write about a set: those notes belong to the group, not to one member.

``erase_user(actor, user)`` removes or anonymises one person's personal data in one transaction.
What is kept, and why, is written in ``docs/operations.md`` ("Data protection requests").
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

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
    AlsPresenter,
    AlsSession,
)
from learnhub.audit import Action, AuditEvent, audit
from learnhub.certificates.models import Certificate, CertificateEvent
from learnhub.certificates.services import mark_revoked, revoke_eligibility
from learnhub.courses.models import CourseCompletion, Enrolment, Option
from learnhub.eligibility.models import EligibilityEvent, EligibilityRecord
from learnhub.evaluation.models import AGREEMENT_LABELS, Attachment, Completion, Instrument, Invitee, Response
from learnhub.evaluation.services import respondent_key
from learnhub.extensions import db
from learnhub.roles import HubRole, may_act_on
from learnhub.timeutil import utcnow

#: Reason recorded on certificates and eligibility revoked by an erasure (shown on the verify page).
HOLDER_ERASED = "holder erased"
#: Name an erased account shows wherever a name is listed (registers, cohort reports, sets).
ERASED_NAME = "Erased person"
#: What replaces the person's name inside free text written by others.
NAME_REMOVED = "[name removed]"
_TITLES = ("Dr", "Mr", "Mrs", "Ms", "Miss", "Mx", "Prof", "Professor", "Sister", "Nurse")


def name_variants(name: str, email: str | None = None) -> list[str]:
    """The ways free text may name a person: the full name, without a title, title and surname, email.

    "Dr James Whitaker" gives "Dr James Whitaker", "James Whitaker", "Dr Whitaker" (with every
    usual title) and the email address. A first name alone is not removed: too many people share it.
    """
    words = [w for w in re.split(r"\s+", (name or "").strip()) if w]
    variants = {" ".join(words)} if words else set()
    if words and words[0].rstrip(".").lower() in {t.lower() for t in _TITLES}:
        words = words[1:]
        variants.add(" ".join(words))
    if len(words) >= 2:
        variants.update(f"{title} {words[-1]}" for title in _TITLES)
    if email:
        variants.add(email)
    return sorted((v for v in variants if len(v) >= 3), key=len, reverse=True)


def scrub_name(text: str | None, variants: list[str]) -> str | None:
    """``text`` with every variant of the person's name replaced by ``NAME_REMOVED`` (any case)."""
    if not text or not variants:
        return text
    alternatives = []
    for variant in variants:
        words = [re.escape(w) for w in variant.split()]
        if words and words[0] in _TITLES:
            words[0] += r"\.?"  # "Dr." as well as "Dr"
        alternatives.append(r"\s+".join(words))
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)
    return pattern.sub(NAME_REMOVED, text)


#: Detail keys whose integer value names another person (left out of a person's own export).
_PERSON_KEYS = {"user", "member", "owner", "facilitator"}


def _iso(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def erased_email(user_id: int) -> str:
    """A unique placeholder address that can never receive mail (``.invalid``, RFC 2606)."""
    return f"erased-{user_id}@erased.invalid"


# --- subject access: "Download my data" ------------------------------------------------------------


def export_data(user: User) -> dict:
    """Everything LearnHub holds about ``user``, as JSON-ready data (nothing about anyone else)."""
    return {
        "about": (
            "Everything LearnHub holds about you, made when you asked for it. Confidential notes that "
            "facilitators write about an Action Learning Set belong to the group and are not included. "
            "Your survey answers are stored without your name; they are included here because only "
            "you can be matched to them."
        ),
        "generated_at": utcnow().isoformat(),
        "account": {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "professional_role": user.professional_role,
            "professional_role_label": user.professional_role_label,
            "registration_body": user.registration_body,
            "registration_number": user.registration_number,
            "active": user.active,
            "password_set": bool(user.password_hash),
            "created_at": _iso(user.created_at),
            "last_login_at": _iso(user.last_login_at),
        },
        "organisation": {
            "hub": user.hub.name if user.hub else None,
            "pcn": user.pcn.name if user.pcn else None,
            "practice": user.practice.name if user.practice else None,
            "practice_ods_code": user.practice.ods_code if user.practice else None,
        },
        "permissions": {
            "hub_permission": user.hub_role,
            "hub_permission_label": user.hub_role_label,
            "site_administrator": user.is_site_admin,
        },
        "courses": _courses(user),
        "certificates": _certificates(user),
        "eligibility": _eligibility(user),
        "action_learning_sets": _als(user),
        "surveys": _surveys(user),
        "audit_events": _audit_events(user),
    }


def _courses(user: User) -> list[dict]:
    enrolments = db.session.scalars(select(Enrolment).where(Enrolment.user_id == user.id).order_by(Enrolment.id)).all()
    modules = {m.id: m.title for e in enrolments for m in e.course.modules}
    option_ids = {i for e in enrolments for a in e.attempts for ans in a.answers for i in (ans.selected or [])}
    options = (
        dict(db.session.execute(select(Option.id, Option.text).where(Option.id.in_(option_ids))).all()) if option_ids else {}
    )
    questions = {q.id: q.text for e in enrolments for m in e.course.modules for q in m.questions}
    rows = []
    for e in enrolments:
        completion = e.completion
        rows.append(
            {
                "course": e.course.title,
                "cohort": e.cohort.name,
                "attempt": e.attempt,
                "status": e.status,
                "enrolled_at": _iso(e.enrolled_at),
                "started_at": _iso(e.started_at),
                "completed_at": _iso(e.completed_at),
                "modules": [
                    {"module": modules.get(p.module_id), "started_at": _iso(p.started_at), "completed_at": _iso(p.completed_at)}
                    for p in sorted(e.progress, key=lambda p: p.id)
                ],
                "knowledge_checks": [
                    {
                        "module": modules.get(a.module_id),
                        "attempt": a.number,
                        "started_at": _iso(a.started_at),
                        "submitted_at": _iso(a.submitted_at),
                        "score_percent": a.score,
                        "passed": a.passed,
                        "answers": [
                            {
                                "question": questions.get(ans.question_id),
                                "chosen": [options.get(i) for i in ans.selected or []],
                                "correct": ans.correct,
                            }
                            for ans in sorted(a.answers, key=lambda x: x.id)
                        ],
                    }
                    for a in e.attempts
                ],
                "live_sessions": [
                    {"module": modules.get(a.module_id), "attended": a.attended, "recorded_at": _iso(a.recorded_at)}
                    for a in sorted(e.attendance, key=lambda a: a.id)
                ],
                "completion": (
                    {"completed_at": _iso(completion.completed_at), "cpd_hours": _iso(completion.cpd_hours)}
                    if completion
                    else None
                ),
            }
        )
    return rows


def _certificates(user: User) -> list[dict]:
    certs = db.session.scalars(select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.id))
    return [
        {
            "code": c.display_code,
            "version": c.version,
            "status": c.state_on(date.today()),
            "holder_name": c.holder_name,
            "course": c.course_title,
            "completed_on": _iso(c.completed_on),
            "cpd_hours": _iso(c.cpd_hours),
            "issued_by": c.hub_name,
            "issued_at": _iso(c.issued_at),
            "valid_until": _iso(c.valid_until),
            "eligibilities": list(c.eligibilities or []),
            "revoked_at": _iso(c.revoked_at),
            "revoked_reason": c.revoked_reason,
        }
        for c in certs
    ]


def _eligibility(user: User) -> dict:
    records = db.session.scalars(
        select(EligibilityRecord).where(EligibilityRecord.user_id == user.id).order_by(EligibilityRecord.id)
    )
    events = db.session.scalars(select(EligibilityEvent).where(EligibilityEvent.user_id == user.id).order_by(EligibilityEvent.id))
    return {
        "records": [
            {
                "eligibility": r.label,
                "status": r.status_on(date.today()).value,
                "first_granted_on": _iso(r.first_granted_on),
                "certified_on": _iso(r.certified_on),
                "expires_on": _iso(r.expires_on),
                "revoked_at": _iso(r.revoked_at),
                "revoked_reason": r.revoked_reason,
            }
            for r in records
        ],
        "history": [
            {
                "eligibility": e.label,
                "event": e.kind,
                "expires_on": _iso(e.expires_on),
                "reason": e.reason,
                "at": _iso(e.created_at),
            }
            for e in events
        ],
    }


def _session_facts(session: AlsSession) -> dict:
    return {
        "programme": session.group.programme.name,
        "set": session.group.name,
        "session": session.sequence,
        "starts_at": _iso(session.starts_at),
        "session_status": session.status,
    }


def _als(user: User) -> dict:
    members = db.session.scalars(select(AlsMember).where(AlsMember.user_id == user.id).order_by(AlsMember.id))
    pools = db.session.scalars(select(AlsFacilitator).where(AlsFacilitator.user_id == user.id).order_by(AlsFacilitator.id))
    attendance = db.session.scalars(select(AlsAttendance).where(AlsAttendance.user_id == user.id).order_by(AlsAttendance.id))
    presented = db.session.scalars(select(AlsPresenter).where(AlsPresenter.user_id == user.id).order_by(AlsPresenter.id))
    bids = db.session.scalars(select(AlsBid).where(AlsBid.user_id == user.id).order_by(AlsBid.id))
    facilitated = db.session.scalars(
        select(AlsFacilitation).where(AlsFacilitation.user_id == user.id).order_by(AlsFacilitation.id)
    )
    actions = db.session.scalars(select(AlsAction).where(AlsAction.owner_id == user.id).order_by(AlsAction.id))
    feed = db.session.scalar(select(AlsCalendarFeed).where(AlsCalendarFeed.user_id == user.id))
    return {
        "memberships": [{"programme": m.programme.name, "set": m.group.name if m.group else None} for m in members],
        "facilitator_pools": [{"programme": f.programme.name, "active": f.active} for f in pools],
        "attendance_and_apologies": [
            {**_session_facts(a.session), "recorded": AlsAttendance.STATUSES.get(a.status, a.status)} for a in attendance
        ],
        "presented_at": [_session_facts(p.session) for p in presented],
        "presenter_bids": [{**_session_facts(b.session), "made_at": _iso(b.created_at)} for b in bids],
        "sessions_facilitated": [{**_session_facts(f.session), "role": f.role} for f in facilitated],
        "actions": [
            {
                **_session_facts(a.session),
                "action": a.text,
                "shared_with_set": a.shared,
                "outcome": a.outcome_label,
                "reflection": a.reflection,
                "created_at": _iso(a.created_at),
            }
            for a in actions
        ],
        "calendar_feed": {"exists": feed is not None, "created_at": _iso(feed.created_at) if feed else None},
    }


def _answer_text(answer) -> object:  # type: ignore[no-untyped-def]
    item = answer.item
    if answer.text is not None:
        return answer.text
    if answer.value is None:
        return None
    if item.kind == "agreement":
        return AGREEMENT_LABELS.get(answer.value, answer.value)
    if item.kind in ("single", "multiple"):
        labels = item.options or []
        return labels[answer.value - 1] if 0 < answer.value <= len(labels) else answer.value
    return answer.value


def _surveys(user: User) -> dict:
    completions = db.session.execute(
        select(Completion, Attachment)
        .join(Attachment, Attachment.id == Completion.attachment_id)
        .where(Completion.user_id == user.id)
        .order_by(Completion.id)
    ).all()
    # Answers carry no user id: the person's responses are those under their key for each instrument.
    keys = {respondent_key(inst, user.id): inst for inst in db.session.scalars(select(Instrument))}
    responses = (
        db.session.execute(
            select(Response, Attachment)
            .join(Attachment, Attachment.id == Response.attachment_id)
            .where(Response.respondent_key.in_(keys))
            .order_by(Response.id)
        ).all()
        if keys
        else []
    )
    mine = [(r, a) for r, a in responses if keys[r.respondent_key].id == a.instrument_id]
    return {
        "submitted": [
            {"survey": a.instrument.title, "about": a.label, "timepoint": c.timepoint, "submitted_at": _iso(c.submitted_at)}
            for c, a in completions
        ],
        "your_answers": [
            {
                "survey": a.instrument.title,
                "about": a.label,
                "timepoint": r.timepoint,
                "status": r.status,
                "submitted_at": _iso(r.submitted_at),
                "answers": [
                    {"question": ans.item.text, "answer": _answer_text(ans)}
                    for ans in sorted(r.answers, key=lambda x: (x.item.position, x.id))
                ],
            }
            for r, a in mine
        ],
    }


def _audit_events(user: User) -> list[dict]:
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.id))
    rows = []
    for e in events:
        details = {
            k: v
            for k, v in (e.details or {}).items()
            if not (k in _PERSON_KEYS and v != user.id)  # another person's id is theirs, not yours
        }
        rows.append({"action": e.action, "at": _iso(e.created_at), "details": details})
    return rows


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
    db.session.commit()
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
