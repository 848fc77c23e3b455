"""job_lock: scheduled commands run once across hosts (issue 21; used on SQLite, PostgreSQL uses advisory locks).

Revision ID: 0018_job_lock
Revises: 0017_course_images_in_db
Create Date: 2026-12-03 13:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0018_job_lock"
down_revision = "0017_course_images_in_db"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "job_lock",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_lock")),
    )


def downgrade():
    op.drop_table("job_lock")
