"""Data protection: mark accounts whose personal data has been erased.

Revision ID: 0011_data_protection
Revises: 0010_cert_integrity
Create Date: 2026-12-02 01:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011_data_protection"
down_revision = "0010_cert_integrity"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
