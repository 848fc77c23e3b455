"""One unfinished bulk certificate job per cohort.

A partial unique index on certificate_bulk_job.cohort_id over unfinished jobs
(finished_at IS NULL): ten clicks on "Issue certificates" make one job. Jobs already
unfinished twice for one cohort (the old race) are closed first, keeping the newest.

Revision ID: 0014_certs_one_job_per_cohort
Revises: 0015_course_corrections
Create Date: 2026-12-02 14:45:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0014_certs_one_job_per_cohort"
down_revision = "0015_course_corrections"
branch_labels = None
depends_on = None

UNFINISHED = sa.text("finished_at IS NULL")


def upgrade():
    # Close duplicates left by the old race (all but the newest unfinished job of a cohort).
    op.execute(
        "UPDATE certificate_bulk_job SET finished_at = created_at, state = 'finished' "
        "WHERE finished_at IS NULL AND cohort_id IS NOT NULL AND id NOT IN ("
        "SELECT max(id) FROM certificate_bulk_job WHERE finished_at IS NULL AND cohort_id IS NOT NULL GROUP BY cohort_id)"
    )
    op.create_index(
        "uq_bulk_job_active_cohort",
        "certificate_bulk_job",
        ["cohort_id"],
        unique=True,
        sqlite_where=UNFINISHED,
        postgresql_where=UNFINISHED,
    )


def downgrade():
    op.drop_index("uq_bulk_job_active_cohort", table_name="certificate_bulk_job")
