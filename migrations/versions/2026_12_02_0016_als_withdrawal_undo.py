"""ALS: a facilitator's withdrawal keeps what it changed, so it can be undone; a session keeps the cadence date a bank holiday or weekend moved it from.

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
    with op.batch_alter_table("als_session") as batch:
        batch.add_column(sa.Column("planned_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("als_session") as batch:
        batch.drop_column("planned_on")
    with op.batch_alter_table("als_facilitator") as batch:
        batch.drop_column("withdrawal")
