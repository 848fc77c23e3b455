"""Courses: per-check review options (when learners see the right answers), default after passing.

Revision ID: 0014_check_review_options
Revises: 0014_form_submission
Create Date: 2026-12-02 14:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014_check_review_options"
down_revision = "0014_form_submission"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("course_module", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_answers", sa.String(length=12), server_default="passed", nullable=False))


def downgrade():
    with op.batch_alter_table("course_module", schema=None) as batch_op:
        batch_op.drop_column("review_answers")
