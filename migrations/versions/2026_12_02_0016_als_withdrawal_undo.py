"""ALS: a facilitator's withdrawal keeps what it changed, so it can be undone.

Revision ID: 0016_als_withdrawal_undo
Revises: 0014_als_membership_rules
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_als_withdrawal_undo"
down_revision = "0014_als_membership_rules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("als_facilitator") as batch:
        batch.add_column(sa.Column("withdrawal", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("als_facilitator") as batch:
        batch.drop_column("withdrawal")
