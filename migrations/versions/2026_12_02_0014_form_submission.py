"""Form submissions: a repeated identical POST is handled once (double clicks, two tabs).

Revision ID: 0014_form_submission
Revises: 0013_bulk_job_heartbeat
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op


revision = "0014_form_submission"
down_revision = "0013_bulk_job_heartbeat"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("location", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_submission")),
        sa.UniqueConstraint("key", name=op.f("uq_form_submission_key")),
    )
    op.create_index(op.f("ix_form_submission_created_at"), "form_submission", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_form_submission_created_at"), table_name="form_submission")
    op.drop_table("form_submission")
