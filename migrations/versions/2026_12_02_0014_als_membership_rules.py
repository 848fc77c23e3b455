"""ALS: join date per set membership (late joiners see later sessions only); actions keyed by row; ground rules per set; waiting list.

Revision ID: 0014_als_membership_rules
Revises: 0015_certs_corrections
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_als_membership_rules"
down_revision = "0015_certs_corrections"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("als_member") as batch:
        batch.add_column(sa.Column("joined_group_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("sees_from", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("als_group") as batch:
        batch.add_column(sa.Column("ground_rules", sa.Text(), nullable=True))
        batch.add_column(sa.Column("ground_rules_session_id", sa.Integer(), nullable=True))
    op.add_column("als_action", sa.Column("position", sa.Integer(), nullable=True))
    # Existing actions keep their order on the form: 1, 2, … per session by id.
    op.execute(
        "UPDATE als_action SET position = (SELECT COUNT(*) FROM als_action AS a2"
        " WHERE a2.session_id = als_action.session_id AND a2.id <= als_action.id)"
    )
    with op.batch_alter_table("als_action") as batch:
        batch.alter_column("position", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint("uq_als_action_session_id", ["session_id", "position"])


def downgrade() -> None:
    with op.batch_alter_table("als_action") as batch:
        batch.drop_constraint("uq_als_action_session_id", type_="unique")
        batch.drop_column("position")
    with op.batch_alter_table("als_group") as batch:
        batch.drop_column("ground_rules_session_id")
        batch.drop_column("ground_rules")
    with op.batch_alter_table("als_member") as batch:
        batch.drop_column("waiting_since")
        batch.drop_column("sees_from")
        batch.drop_column("joined_group_at")
