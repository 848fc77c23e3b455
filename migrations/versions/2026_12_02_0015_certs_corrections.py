"""Certificate corrections: the history of revocations and reinstatements.

certificate_event records each revocation and reinstatement of a certificate with its reason
(shown on the public verify page). Revocations made before this revision are copied in.

Revision ID: 0015_certs_corrections
Revises: 0014_certs_one_job_per_cohort
Create Date: 2026-12-02 15:10:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0015_certs_corrections"
down_revision = "0014_certs_one_job_per_cohort"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "certificate_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["certificate_id"], ["certificate.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["actor_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_certificate_event_certificate_id", "certificate_event", ["certificate_id"])
    op.execute(
        "INSERT INTO certificate_event (certificate_id, kind, reason, actor_id, created_at) "
        "SELECT id, 'revoked', coalesce(revoked_reason, ''), revoked_by_id, revoked_at FROM certificate "
        "WHERE status = 'revoked' AND revoked_at IS NOT NULL"
    )


def downgrade():
    op.drop_index("ix_certificate_event_certificate_id", table_name="certificate_event")
    op.drop_table("certificate_event")
