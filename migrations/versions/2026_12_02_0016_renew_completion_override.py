"""Completion override (recorded or withdrawn by hand, by whom, why); one *valid* certificate per completion.

The certificate index allowed one certificate per completion that was not superseded, so a
completion withdrawn (its certificate revoked) and recorded again could only find the revoked
one. It now allows one valid certificate per completion; revoked versions stay beside it.

Revision ID: 0016_renew_completion_override
Revises: 0016_badges_credentials
Create Date: 2026-12-02 18:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0016_renew_completion_override"
down_revision = "0016_badges_credentials"
branch_labels = None
depends_on = None

NOT_SUPERSEDED = sa.text("status != 'superseded'")
VALID = sa.text("status = 'valid'")


def upgrade():
    with op.batch_alter_table("course_completion", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recorded_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("recorded_reason", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_course_completion_recorded_by_id_user_account"),
            "user_account",
            ["recorded_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_course_completion_withdrawn_by_id_user_account"),
            "user_account",
            ["withdrawn_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_index("uq_certificate_current_completion", sqlite_where=NOT_SUPERSEDED, postgresql_where=NOT_SUPERSEDED)
        batch_op.create_index(
            "uq_certificate_current_completion", ["completion_id"], unique=True, sqlite_where=VALID, postgresql_where=VALID
        )


def downgrade():
    # Fails if a completion has a revoked certificate beside a valid one (issued after it was
    # recorded again): the older index cannot hold both.
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_index("uq_certificate_current_completion", sqlite_where=VALID, postgresql_where=VALID)
        batch_op.create_index(
            "uq_certificate_current_completion",
            ["completion_id"],
            unique=True,
            sqlite_where=NOT_SUPERSEDED,
            postgresql_where=NOT_SUPERSEDED,
        )
    with op.batch_alter_table("course_completion", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_course_completion_withdrawn_by_id_user_account"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_course_completion_recorded_by_id_user_account"), type_="foreignkey")
        batch_op.drop_column("withdrawn_by_id")
        batch_op.drop_column("recorded_reason")
        batch_op.drop_column("recorded_by_id")
