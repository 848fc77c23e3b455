"""Subject access: "Download my data".

``export_data(user)`` gathers everything LearnHub holds about one person, for a subject access
request made by the person themselves. It leaves out other people's personal data, secrets
(password hash, reset and invitation tokens, the calendar feed token) and the confidential notes
facilitators write about a set: those notes belong to the group, not to one member.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.als.models import (
    AlsAction,
    AlsAttendance,
    AlsBid,
    AlsCalendarFeed,
    AlsFacilitation,
    AlsFacilitator,
    AlsMember,
    AlsPresenter,
    AlsSession,
)
from learnhub.audit import AuditEvent
from learnhub.certificates.models import Certificate
from learnhub.courses.models import Enrolment, Option
from learnhub.eligibility.models import EligibilityEvent, EligibilityRecord
from learnhub.evaluation.models import AGREEMENT_LABELS, Attachment, Completion, Instrument, Response
from learnhub.evaluation.services import respondent_key
from learnhub.extensions import db
from learnhub.timeutil import utcnow

#: Detail keys whose integer value names another person (left out of a person's own export).
_PERSON_KEYS = {"user", "member", "owner", "facilitator"}


def _iso(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


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
                    {
                        "completed_at": _iso(completion.completed_at),
                        "cpd_hours": _iso(completion.cpd_hours),
                        "recorded_by_hand": completion.by_hand,
                        "recorded_reason": completion.recorded_reason,
                        "withdrawn_at": _iso(completion.withdrawn_at),
                        "withdrawn_reason": completion.withdrawn_reason,
                    }
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
