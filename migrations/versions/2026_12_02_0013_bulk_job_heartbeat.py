"""Bulk certificate jobs: a heartbeat and the runner holding the job, so an abandoned job is seen and resumed.

Revision ID: 0013_bulk_job_heartbeat
Revises: 0013_audit_codes
Create Date: 2026-12-02 14:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013_bulk_job_heartbeat"
down_revision = "0013_audit_codes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("certificate_bulk_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("runner", sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("certificate_bulk_job", schema=None) as batch_op:
        batch_op.drop_column("runner")
        batch_op.drop_column("heartbeat_at")
