"""Courses: a knowledge-check question that learners have answered is retired, not deleted.

Revision ID: 0012_question_retired
Revises: 0009_eval_perf
Create Date: 2026-12-02 03:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0012_question_retired"
down_revision = "0009_eval_perf"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("course_question", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retired", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("course_question", schema=None) as batch_op:
        batch_op.drop_column("retired")
