"""The audit log: who did what, written in the same transaction as the change it records.

Every sensitive action is one :class:`Action`, a dotted code (``course.created``,
``als.theme_added``) with a label for the audit page. Services call :func:`audit` before
they return; the row is committed (or rolled back) with the change itself, because the
request, CLI command or job commits once (see :mod:`learnhub.transactions`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask import current_app, g, has_request_context
from sqlalchemy import JSON, ForeignKey, Integer, Select, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learnhub.extensions import db
from learnhub.timeutil import UTCDateTime, utcnow

if TYPE_CHECKING:
    from learnhub.accounts.models import User


class Action(StrEnum):
    """Every audited action: a dotted code (stored) and a label (shown)."""

    label: str

    def __new__(cls, code: str, label: str) -> Action:  # noqa: D102
        member = str.__new__(cls, code)
        member._value_ = code
        member.label = label
        return member

    ACCOUNT_REGISTERED = "account.registered", "Registered"
    ACCOUNT_PASSWORD_RESET_REQUESTED = "account.password_reset_requested", "Password reset requested"
    NOTIFICATION_PREFERENCES_CHANGED = "notification.preferences_changed", "Email choices changed"
    NOTIFICATION_UNSUBSCRIBED = "notification.unsubscribed", "Unsubscribed from an email category"
    ACCOUNT_PASSWORD_SET = "account.password_set", "Password set from a link"
    ACCOUNT_PASSWORD_CHANGED = "account.password_changed", "Password changed"
    ACCOUNT_PROFILE_UPDATED = "account.profile_updated", "Profile updated"
    USER_ERASED = "user.erased", "Personal data erased"
    USER_INVITED = "user.invited", "Person invited"
    USER_INVITATION_RESENT = "user.invitation_resent", "Invitation resent"
    USER_ACTIVATED = "user.activated", "Account reactivated"
    USER_DEACTIVATED = "user.deactivated", "Account deactivated"
    USERS_IMPORTED = "user.imported", "People imported from CSV"
    USER_PERMISSION_CHANGED = "user.permission_changed", "Permission changed"
    HUB_CREATED = "hub.created", "Hub created"
    HUB_PCN_ADDED = "hub.pcn_added", "PCN added"
    HUB_PRACTICE_ADDED = "hub.practice_added", "Practice added"
    HUB_PCN_LEAD_CHANGED = "hub.pcn_lead_changed", "PCN lead access changed"
    COURSE_CREATED = "course.created", "Course created"
    COURSE_UPDATED = "course.updated", "Course updated"
    COURSE_IMAGE_UPLOADED = "course.image_uploaded", "Course image uploaded"
    COURSE_MODULE_ADDED = "course.module_added", "Module added"
    COURSE_MODULE_UPDATED = "course.module_updated", "Module updated"
    COURSE_MODULE_MOVED = "course.module_moved", "Module moved"
    COURSE_QUESTION_ADDED = "course.question_added", "Question added"
    COURSE_QUESTION_UPDATED = "course.question_updated", "Question updated"
    COURSE_QUESTION_DELETED = "course.question_deleted", "Question deleted"
    COURSE_QUESTION_RETIRED = "course.question_retired", "Question retired"
    COURSE_QUESTION_RESTORED = "course.question_restored", "Question asked again"
    COURSE_COHORT_ADDED = "course.cohort_added", "Cohort added"
    COURSE_COHORT_UPDATED = "course.cohort_updated", "Cohort updated"
    COURSE_ENROLLED = "course.enrolled", "Enrolled"
    COURSE_ENROLLED_FROM_CSV = "course.enrolled_from_csv", "Enrolled from CSV"
    COURSE_WAITING_PROMOTED = "course.waiting_promoted", "Waiting list promoted"
    COURSE_CHECK_SUBMITTED = "course.check_submitted", "Knowledge check submitted"
    COURSE_ATTENDANCE_RECORDED = "course.attendance_recorded", "Attendance recorded"
    COURSE_COMPLETED = "course.completed", "Course completed"
    EXPORT_COHORT_PROGRESS = "export.cohort_progress", "Cohort progress exported"
    CERTIFICATE_ISSUED = "certificate.issued", "Certificate issued"
    CERTIFICATE_REISSUED = "certificate.reissued", "Certificate re-issued"
    CERTIFICATE_REVOKED = "certificate.revoked", "Certificate revoked"
    CERTIFICATE_BULK_JOB = "certificate.bulk_job", "Bulk certificate job started"
    CERTIFICATE_BULK_JOB_RESUMED = "certificate.bulk_job_resumed", "Bulk certificate job resumed"
    CERTIFICATE_BULK_JOB_CANCELLED = "certificate.bulk_job_cancelled", "Bulk certificate job cancelled"
    ELIGIBILITY_DECLARED = "eligibility.declared", "Eligibility declared for a course"
    ELIGIBILITY_DECLARATION_REMOVED = "eligibility.declaration_removed", "Eligibility declaration removed"
    ELIGIBILITY_NOT_GRANTED = "eligibility.not_granted", "Eligibility not granted"
    ELIGIBILITY_GRANTED = "eligibility.granted", "Eligibility granted"
    ELIGIBILITY_RENEWED = "eligibility.renewed", "Eligibility renewed"
    ELIGIBILITY_REVOKED = "eligibility.revoked", "Eligibility revoked"
    EXPORT_ELIGIBILITY_REGISTER = "export.eligibility_register", "Eligibility register exported"
    EVALUATION_THRESHOLD_SET = "evaluation.threshold_set", "Suppression threshold set"
    EVALUATION_RESPONSE_SAVED = "evaluation.response_saved", "Survey answers saved"
    EVALUATION_RESPONSE_SUBMITTED = "evaluation.response_submitted", "Survey submitted"
    EVALUATION_INSTRUMENT_CREATED = "evaluation.instrument_created", "Survey created"
    EVALUATION_INSTRUMENT_CHANGED = "evaluation.instrument_changed", "Survey changed"
    EVALUATION_INSTRUMENT_COPIED = "evaluation.instrument_copied", "Survey copied"
    EVALUATION_INSTRUMENT_ATTACHED = "evaluation.instrument_attached", "Survey attached"
    EVALUATION_INSTRUMENT_DETACHED = "evaluation.instrument_detached", "Survey detached"
    EVALUATION_ATTACHMENT_CHANGED = "evaluation.attachment_changed", "Survey dates changed"
    EVALUATION_SECTION_ADDED = "evaluation.section_added", "Survey section added"
    EVALUATION_SECTION_CHANGED = "evaluation.section_changed", "Survey section changed"
    EVALUATION_SECTION_MOVED = "evaluation.section_moved", "Survey section moved"
    EVALUATION_SECTION_REMOVED = "evaluation.section_removed", "Survey section removed"
    EVALUATION_ITEM_ADDED = "evaluation.item_added", "Survey question added"
    EVALUATION_ITEM_CHANGED = "evaluation.item_changed", "Survey question changed"
    EVALUATION_ITEM_MOVED = "evaluation.item_moved", "Survey question moved"
    EVALUATION_ITEM_DELETED = "evaluation.item_deleted", "Survey question deleted"
    EVALUATION_ITEM_RETIRED = "evaluation.item_retired", "Survey question retired"
    EVALUATION_ITEM_RESTORED = "evaluation.item_restored", "Survey question asked again"
    EXPORT_EVALUATION_RESULTS = "export.evaluation_results", "Evaluation results exported"
    EXPORT_PERSONAL_DATA = "export.personal_data", "Personal data downloaded"
    EXPORT_ALS_PROGRAMME = "export.als_programme", "ALS programme exported"
    ALS_APOLOGIES = "als.apologies", "Apologies sent"
    ALS_BID = "als.bid", "Presenter bid"
    ALS_CALENDAR_RESET = "als.calendar_reset", "Calendar link reset"
    ALS_FACILITATOR_ADDED = "als.facilitator_added", "Facilitator added"
    ALS_FACILITATOR_WITHDRAWN = "als.facilitator_withdrawn", "Facilitator withdrawn"
    ALS_GROUP_CREATED = "als.group_created", "Set created"
    ALS_GROUPS_FORMED = "als.groups_formed", "Sets formed"
    ALS_MEMBER_ADDED = "als.member_added", "Member added"
    ALS_MEMBER_GROUPED = "als.member_grouped", "Member moved to a set"
    ALS_MEMBERS_IMPORTED = "als.members_imported", "Members imported"
    ALS_NOTE_RETENTION_CHANGED = "als.note_retention_changed", "Notes retention changed"
    ALS_NOTES_PURGED = "als.notes_purged", "Expired notes deleted"
    ALS_NOTES_READ = "als.notes_read", "Session notes read"
    ALS_PLANNER_RUN = "als.planner_run", "Facilitators planned"
    ALS_PROGRAMME_CREATED = "als.programme_created", "Programme created"
    ALS_SCHEDULE_GENERATED = "als.schedule_generated", "Schedule generated"
    ALS_SESSION_CANCELLED = "als.session_cancelled", "Session cancelled"
    ALS_SESSION_MOVED = "als.session_moved", "Session moved"
    ALS_SESSION_RECORDED = "als.session_recorded", "Session recorded"
    ALS_THEME_ADDED = "als.theme_added", "Theme added"
    ALS_UNAVAILABILITY_ADDED = "als.unavailability_added", "Unavailability added"
    # Courses: corrections (issue 14)
    COURSE_COMPLETION_WITHDRAWN = "course.completion_withdrawn", "Course completion withdrawn"
    COURSE_EXTRA_ATTEMPT = "course.extra_attempt", "Another attempt allowed"
    COURSE_ATTEMPTS_RESET = "course.attempts_reset", "Attempts reset"
    # --- certificate corrections (feat/certs) ---
    CERTIFICATE_REINSTATED = "certificate.reinstated", "Certificate reinstated"
    ELIGIBILITY_REINSTATED = "eligibility.reinstated", "Eligibility reinstated"
    # ALS membership rules (issue 12) and re-planning (issue 16)
    ALS_MEMBER_REMOVED_FROM_SET = "als.member_removed_from_set", "Member removed from a set"
    ALS_FACILITATOR_RESTORED = "als.facilitator_restored", "Facilitator withdrawal undone"
    # Portable credentials (issue 20)
    CREDENTIAL_KEY_ROTATED = "credential.key_rotated", "Credential signing key rotated"
    # Completion override (issue 14)
    COURSE_COMPLETION_RECORDED_BY_HAND = "course.completion_recorded_by_hand", "Completion recorded by hand"
    COURSE_COMPLETION_WITHDRAWN_BY_HAND = "course.completion_withdrawn_by_hand", "Completion withdrawn by hand"
    # Supervision arrangements (issue 19)
    SUPERVISION_STAFF_ADDED = "supervision.staff_added", "ARRS staff member added"
    SUPERVISION_STAFF_CHANGED = "supervision.staff_changed", "ARRS staff member changed"
    SUPERVISION_STAFF_IMPORTED = "supervision.staff_imported", "ARRS staff imported from CSV"
    SUPERVISION_ASSIGNED = "supervision.assigned", "Supervisor assigned"
    SUPERVISION_ENDED = "supervision.ended", "Supervision arrangement ended"
    SUPERVISION_LOGGED = "supervision.logged", "Supervision session logged"
    SUPERVISION_CAP_SET = "supervision.cap_set", "Supervisee cap set"
    EXPORT_SUPERVISION = "export.supervision", "Supervision figures exported"


#: Never listed on a hub administrator's audit page: reads of confidential ALS notes (shown to
#: the set's facilitators instead), per-person ALS participation (presenter bids, apologies:
#: the ALS dashboard shows these only as suppressed counts) and survey responses (with their
#: times they could be joined to answers).
HIDDEN_FROM_HUB_ADMINS = frozenset(
    {
        Action.ALS_NOTES_READ,
        Action.ALS_BID,
        Action.ALS_APOLOGIES,
        Action.EVALUATION_RESPONSE_SAVED,
        Action.EVALUATION_RESPONSE_SUBMITTED,
    }
)


class AuditEvent(db.Model):
    """A sensitive action, written in the same transaction as the change it records."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: None for anonymous actions or system jobs (cron).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    #: The hub the event belongs to (the hub named in the details, else the actor's hub).
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hub.id", ondelete="SET NULL"), index=True)
    #: An :class:`Action` code such as ``course.created``.
    action: Mapped[str] = mapped_column(String(100), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        """The action's label, or its code for an action no longer defined."""
        try:
            return Action(self.action).label
        except ValueError:
            return self.action

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action}>"


def audit(actor: User | None, action: Action, **details: object) -> None:
    """Record a sensitive action in the application log and as an ``AuditEvent`` row.

    The row is added to the caller's session, so it is committed (or rolled back) together
    with the change it records. The hub is ``hub=`` in the details, else the actor's hub; the
    object is the first detail whose value is an integer id (``certificate=12``).
    """
    action = Action(action)  # a code that is not an Action is a programming error
    if actor is not None and actor.id is None:
        db.session.flush()
    who = f"user {actor.id}" if actor else "anonymous"
    extra = " ".join(f"{k}={v}" for k, v in details.items())
    current_app.logger.info("audit %s: %s %s", who, action.value, extra)
    hub = details.get("hub")
    hub_id = hub if isinstance(hub, int) and not isinstance(hub, bool) else (actor.hub_id if actor else None)
    object_type = object_id = None
    for key, value in details.items():
        if key != "hub" and isinstance(value, int) and not isinstance(value, bool):
            object_type, object_id = key, value
            break
    request_id = g.get("request_id") if has_request_context() else None
    db.session.add(
        AuditEvent(
            actor_id=actor.id if actor else None,
            hub_id=hub_id,
            action=action.value,
            object_type=object_type,
            object_id=object_id,
            details={k: v if isinstance(v, (int, float, bool, str)) or v is None else str(v) for k, v in details.items()},
            request_id=request_id,
        )
    )


def audit_events(*, hub_id: int | None, action: str = "", actor: str = "", since=None, until=None) -> Select:  # type: ignore[no-untyped-def]
    """Query of audit events, newest first; ``hub_id=None`` means every hub (site admins)."""
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if hub_id is not None:
        query = query.where(AuditEvent.hub_id == hub_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if actor:
        from learnhub.accounts.models import User

        query = query.join(User, AuditEvent.actor_id == User.id).where(User.email == actor.strip().lower())
    if since is not None:
        query = query.where(AuditEvent.created_at >= since)
    if until is not None:
        query = query.where(AuditEvent.created_at < until)
    return query
