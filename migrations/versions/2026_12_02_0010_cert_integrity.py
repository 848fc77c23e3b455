"""Certificate integrity and PCN leads.

Foreign keys from certificate.course_id / completion_id (ON DELETE RESTRICT: an issued
certificate is a public record) and eligibility_declaration.course_id (ON DELETE CASCADE: a
declaration is part of the course's set-up) to the course tables; a partial unique index so a
completion has at most one current (not superseded) certificate; bulk jobs remember their
cohort; pcn_lead lets a hub administrator give someone read access to the register of the
PCNs they lead.

Revision ID: 0010_cert_integrity
Revises: 0007_audit_and_retention
Create Date: 2026-12-02 01:38:29

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010_cert_integrity"
down_revision = "0007_audit_and_retention"
branch_labels = None
depends_on = None


CURRENT = sa.text("status != 'superseded'")


def _check_existing_rows():
    """Stop with a clear message (before changing anything) if old rows break the new rules."""
    bind = op.get_bind()
    problems = {
        "certificates whose course no longer exists": "SELECT count(*) FROM certificate c "
        "WHERE NOT EXISTS (SELECT 1 FROM course WHERE course.id = c.course_id)",
        "certificates whose completion no longer exists": "SELECT count(*) FROM certificate c WHERE c.completion_id "
        "IS NOT NULL AND NOT EXISTS (SELECT 1 FROM course_completion cc WHERE cc.id = c.completion_id)",
        "eligibility declarations whose course no longer exists": "SELECT count(*) FROM eligibility_declaration d "
        "WHERE NOT EXISTS (SELECT 1 FROM course WHERE course.id = d.course_id)",
        "completions with more than one current certificate": "SELECT count(*) FROM (SELECT completion_id "
        "FROM certificate WHERE completion_id IS NOT NULL AND status != 'superseded' "
        "GROUP BY completion_id HAVING count(*) > 1) AS d",
    }
    found = {name: bind.execute(sa.text(sql)).scalar() for name, sql in problems.items()}
    found = {name: count for name, count in found.items() if count}
    if found:
        listed = "; ".join(f"{count} {name}" for name, count in found.items())
        raise RuntimeError(f"Cannot add the certificate constraints until these rows are fixed by hand: {listed}")


def upgrade():
    _check_existing_rows()
    op.create_table(
        "pcn_lead",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("pcn_id", sa.Integer(), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["granted_by_id"], ["user_account.id"], name=op.f("fk_pcn_lead_granted_by_id_user_account"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["pcn_id"], ["pcn.id"], name=op.f("fk_pcn_lead_pcn_id_pcn"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_pcn_lead_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pcn_lead")),
        sa.UniqueConstraint("user_id", "pcn_id", name=op.f("uq_pcn_lead_user_id")),
    )
    with op.batch_alter_table("pcn_lead", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pcn_lead_pcn_id"), ["pcn_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pcn_lead_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.create_index(
            "uq_certificate_current_completion", ["completion_id"], unique=True, sqlite_where=CURRENT, postgresql_where=CURRENT
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_certificate_course_id_course"), "course", ["course_id"], ["id"], ondelete="RESTRICT"
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_certificate_completion_id_course_completion"),
            "course_completion",
            ["completion_id"],
            ["id"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("certificate_bulk_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cohort_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_certificate_bulk_job_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_certificate_bulk_job_cohort_id_course_cohort"),
            "course_cohort",
            ["cohort_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("eligibility_declaration", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_eligibility_declaration_course_id_course"), "course", ["course_id"], ["id"], ondelete="CASCADE"
        )


def downgrade():
    with op.batch_alter_table("eligibility_declaration", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_eligibility_declaration_course_id_course"), type_="foreignkey")

    with op.batch_alter_table("certificate_bulk_job", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_certificate_bulk_job_cohort_id_course_cohort"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_certificate_bulk_job_cohort_id"))
        batch_op.drop_column("cohort_id")

    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_certificate_completion_id_course_completion"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_certificate_course_id_course"), type_="foreignkey")
        batch_op.drop_index("uq_certificate_current_completion", sqlite_where=CURRENT, postgresql_where=CURRENT)

    with op.batch_alter_table("pcn_lead", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pcn_lead_user_id"))
        batch_op.drop_index(batch_op.f("ix_pcn_lead_pcn_id"))

    op.drop_table("pcn_lead")
