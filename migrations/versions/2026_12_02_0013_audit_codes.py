"""Audit actions become dotted codes (course.created, als.theme_added).

Revision ID: 0013_audit_codes
Revises: 0012_question_retired
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_audit_codes"
down_revision = "0012_question_retired"
branch_labels = None
depends_on = None

#: The free-text actions written before this revision and the code that replaces each.
RENAMED = {
    "attendance recorded": "course.attendance_recorded",
    "bulk certificate job": "certificate.bulk_job",
    "certificate issued": "certificate.issued",
    "certificate re-issued": "certificate.reissued",
    "certificate revoked": "certificate.revoked",
    "cohort added": "course.cohort_added",
    "cohort updated": "course.cohort_updated",
    "course completed": "course.completed",
    "course created": "course.created",
    "course image uploaded": "course.image_uploaded",
    "course updated": "course.updated",
    "eligibility declaration removed": "eligibility.declaration_removed",
    "eligibility declared": "eligibility.declared",
    "eligibility granted": "eligibility.granted",
    "eligibility not granted": "eligibility.not_granted",
    "eligibility not_granted": "eligibility.not_granted",
    "eligibility renewed": "eligibility.renewed",
    "eligibility revoked": "eligibility.revoked",
    "enrolled": "course.enrolled",
    "enrolled from CSV": "course.enrolled_from_csv",
    "evaluation attachment changed": "evaluation.attachment_changed",
    "evaluation instrument attached": "evaluation.instrument_attached",
    "evaluation instrument changed": "evaluation.instrument_changed",
    "evaluation instrument copied": "evaluation.instrument_copied",
    "evaluation instrument created": "evaluation.instrument_created",
    "evaluation instrument detached": "evaluation.instrument_detached",
    "evaluation item added": "evaluation.item_added",
    "evaluation item changed": "evaluation.item_changed",
    "evaluation item deleted": "evaluation.item_deleted",
    "evaluation item moved": "evaluation.item_moved",
    "evaluation item restored": "evaluation.item_restored",
    "evaluation item retired": "evaluation.item_retired",
    "evaluation response saved": "evaluation.response_saved",
    "evaluation response submitted": "evaluation.response_submitted",
    "evaluation section added": "evaluation.section_added",
    "evaluation section changed": "evaluation.section_changed",
    "evaluation section moved": "evaluation.section_moved",
    "evaluation section removed": "evaluation.section_removed",
    "evaluation threshold set": "evaluation.threshold_set",
    "hub created": "hub.created",
    "invitation resent": "user.invitation_resent",
    "knowledge check submitted": "course.check_submitted",
    "module added": "course.module_added",
    "module moved": "course.module_moved",
    "module updated": "course.module_updated",
    "password changed": "account.password_changed",
    "password reset requested": "account.password_reset_requested",
    "password set": "account.password_set",
    "pcn added": "hub.pcn_added",
    "pcn lead access changed": "hub.pcn_lead_changed",
    "permission changed": "user.permission_changed",
    "practice added": "hub.practice_added",
    "profile updated": "account.profile_updated",
    "question added": "course.question_added",
    "question deleted": "course.question_deleted",
    "question restored": "course.question_restored",
    "question retired": "course.question_retired",
    "question updated": "course.question_updated",
    "registered": "account.registered",
    "user activated": "user.activated",
    "user deactivated": "user.deactivated",
    "user invited": "user.invited",
    "users imported": "user.imported",
    "waiting list promoted": "course.waiting_promoted",
}

_audit = sa.table("audit_event", sa.column("action", sa.String))


def upgrade() -> None:
    for old, new in RENAMED.items():
        op.execute(_audit.update().where(_audit.c.action == old).values(action=new))


def downgrade() -> None:
    for old, new in RENAMED.items():
        op.execute(_audit.update().where(_audit.c.action == new).values(action=old))
