"""Certificates, eligibility declarations, the eligibility register and its history.

Revision ID: 0005_certificates
Revises: 0004_evaluation
Create Date: 2026-11-23 10:44:36.730414

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0005_certificates"
down_revision = '0004_evaluation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('eligibility_declaration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('hub_id', sa.Integer(), nullable=False),
    sa.Column('eligibility_type', sa.String(length=40), nullable=False),
    sa.Column('validity_months', sa.Integer(), nullable=False),
    sa.Column('renewal_window_days', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hub_id'], ['hub.id'], name=op.f('fk_eligibility_declaration_hub_id_hub'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eligibility_declaration')),
    sa.UniqueConstraint('course_id', 'eligibility_type', name=op.f('uq_eligibility_declaration_course_id'))
    )
    with op.batch_alter_table('eligibility_declaration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eligibility_declaration_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_eligibility_declaration_hub_id'), ['hub_id'], unique=False)

    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('hub_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('completion_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('holder_name', sa.String(length=200), nullable=False),
    sa.Column('course_title', sa.String(length=300), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('cpd_hours', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('outcomes', sa.JSON(), nullable=False),
    sa.Column('hub_name', sa.String(length=200), nullable=False),
    sa.Column('signatory', sa.String(length=200), nullable=True),
    sa.Column('eligibilities', sa.JSON(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_reason', sa.Text(), nullable=True),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['hub_id'], ['hub.id'], name=op.f('fk_certificate_hub_id_hub'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user_account.id'], name=op.f('fk_certificate_revoked_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['certificate.id'], name=op.f('fk_certificate_superseded_by_id_certificate'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_certificate_user_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('code', name=op.f('uq_certificate_code'))
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_completion_id'), ['completion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_hub_id'), ['hub_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_user_id'), ['user_id'], unique=False)

    op.create_table('certificate_bulk_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hub_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_certificate_bulk_job_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hub_id'], ['hub.id'], name=op.f('fk_certificate_bulk_job_hub_id_hub'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_bulk_job'))
    )
    with op.batch_alter_table('certificate_bulk_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_bulk_job_hub_id'), ['hub_id'], unique=False)

    op.create_table('eligibility_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('hub_id', sa.Integer(), nullable=False),
    sa.Column('eligibility_type', sa.String(length=40), nullable=False),
    sa.Column('first_granted_on', sa.Date(), nullable=False),
    sa.Column('certified_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('renewal_window_days', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.Text(), nullable=True),
    sa.Column('window_reminder_for', sa.Date(), nullable=True),
    sa.Column('expiry_reminder_for', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'], name=op.f('fk_eligibility_record_certificate_id_certificate'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hub_id'], ['hub.id'], name=op.f('fk_eligibility_record_hub_id_hub'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_eligibility_record_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eligibility_record')),
    sa.UniqueConstraint('user_id', 'eligibility_type', name=op.f('uq_eligibility_record_user_id'))
    )
    with op.batch_alter_table('eligibility_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eligibility_record_eligibility_type'), ['eligibility_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_eligibility_record_expires_on'), ['expires_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_eligibility_record_hub_id'), ['hub_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_eligibility_record_user_id'), ['user_id'], unique=False)

    op.create_table('eligibility_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('hub_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('certificate_id', sa.Integer(), nullable=True),
    sa.Column('eligibility_type', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('base', sa.String(length=12), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'], name=op.f('fk_eligibility_event_certificate_id_certificate'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hub_id'], ['hub.id'], name=op.f('fk_eligibility_event_hub_id_hub'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['record_id'], ['eligibility_record.id'], name=op.f('fk_eligibility_event_record_id_eligibility_record'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_eligibility_event_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eligibility_event'))
    )
    with op.batch_alter_table('eligibility_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eligibility_event_hub_id'), ['hub_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_eligibility_event_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_eligibility_event_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('eligibility_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eligibility_event_user_id'))
        batch_op.drop_index(batch_op.f('ix_eligibility_event_record_id'))
        batch_op.drop_index(batch_op.f('ix_eligibility_event_hub_id'))

    op.drop_table('eligibility_event')
    with op.batch_alter_table('eligibility_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eligibility_record_user_id'))
        batch_op.drop_index(batch_op.f('ix_eligibility_record_hub_id'))
        batch_op.drop_index(batch_op.f('ix_eligibility_record_expires_on'))
        batch_op.drop_index(batch_op.f('ix_eligibility_record_eligibility_type'))

    op.drop_table('eligibility_record')
    with op.batch_alter_table('certificate_bulk_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_bulk_job_hub_id'))

    op.drop_table('certificate_bulk_job')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_user_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_hub_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_course_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_completion_id'))

    op.drop_table('certificate')
    with op.batch_alter_table('eligibility_declaration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eligibility_declaration_hub_id'))
        batch_op.drop_index(batch_op.f('ix_eligibility_declaration_course_id'))

    op.drop_table('eligibility_declaration')
