"""Courses: a completion can be withdrawn (kept, with when and why); extra attempts per learner and check.

Revision ID: 0015_course_corrections
Revises: 0014_check_review_options
Create Date: 2026-12-02 15:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015_course_corrections"
down_revision = "0014_check_review_options"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("course_completion", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_reason", sa.String(length=500), nullable=True))
    with op.batch_alter_table("course_module_progress", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extra_attempts", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("course_module_progress", schema=None) as batch_op:
        batch_op.drop_column("extra_attempts")
    with op.batch_alter_table("course_completion", schema=None) as batch_op:
        batch_op.drop_column("withdrawn_reason")
        batch_op.drop_column("withdrawn_at")
