"""Supervisor training courses: modules, knowledge checks, cohorts, enrolments, progress, completions.

Revision ID: 0002_courses
Revises: 0001_accounts
Create Date: 2026-11-23 10:42:31.714150

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0002_courses"
down_revision = '0001_accounts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('course',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hub_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('cpd_hours', sa.Numeric(precision=5, scale=1), nullable=False),
    sa.Column('learning_outcomes', sa.Text(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('requires_pre_survey', sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column('requires_post_survey', sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hub_id'], ['hub.id'], name=op.f('fk_course_hub_id_hub'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course'))
    )
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_hub_id'), ['hub_id'], unique=False)

    op.create_table('course_cohort',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('self_enrolment_open', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_cohort_course_id_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_cohort'))
    )
    with op.batch_alter_table('course_cohort', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_cohort_course_id'), ['course_id'], unique=False)

    op.create_table('course_module',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('body_markdown', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('pass_mark', sa.Integer(), nullable=False),
    sa.Column('attempts_allowed', sa.Integer(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration_minutes', sa.Integer(), nullable=True),
    sa.Column('location', sa.String(length=500), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_module_course_id_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_module'))
    )
    with op.batch_alter_table('course_module', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_module_course_id'), ['course_id'], unique=False)

    op.create_table('course_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['course_module.id'], name=op.f('fk_course_question_module_id_course_module'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_question'))
    )
    with op.batch_alter_table('course_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_question_module_id'), ['module_id'], unique=False)

    op.create_table('course_enrolment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('enrolled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['course_cohort.id'], name=op.f('fk_course_enrolment_cohort_id_course_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_enrolment_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_course_enrolment_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_enrolment')),
    sa.UniqueConstraint('course_id', 'user_id', 'attempt', name=op.f('uq_course_enrolment_course_id'))
    )
    with op.batch_alter_table('course_enrolment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_enrolment_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_enrolment_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_enrolment_user_id'), ['user_id'], unique=False)

    op.create_table('course_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['course_question.id'], name=op.f('fk_course_option_question_id_course_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_option'))
    )
    with op.batch_alter_table('course_option', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_option_question_id'), ['question_id'], unique=False)

    op.create_table('course_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('attended', sa.Boolean(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['course_enrolment.id'], name=op.f('fk_course_attendance_enrolment_id_course_enrolment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['course_module.id'], name=op.f('fk_course_attendance_module_id_course_module'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_course_attendance_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_attendance')),
    sa.UniqueConstraint('enrolment_id', 'module_id', name=op.f('uq_course_attendance_enrolment_id'))
    )
    with op.batch_alter_table('course_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_attendance_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_attendance_module_id'), ['module_id'], unique=False)

    op.create_table('course_completion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cpd_hours', sa.Numeric(precision=5, scale=1), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_completion_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['course_enrolment.id'], name=op.f('fk_course_completion_enrolment_id_course_enrolment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_course_completion_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_completion')),
    sa.UniqueConstraint('enrolment_id', name=op.f('uq_course_completion_enrolment_id'))
    )
    with op.batch_alter_table('course_completion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_completion_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_completion_user_id'), ['user_id'], unique=False)

    op.create_table('course_module_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['enrolment_id'], ['course_enrolment.id'], name=op.f('fk_course_module_progress_enrolment_id_course_enrolment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['course_module.id'], name=op.f('fk_course_module_progress_module_id_course_module'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_module_progress')),
    sa.UniqueConstraint('enrolment_id', 'module_id', name=op.f('uq_course_module_progress_enrolment_id'))
    )
    with op.batch_alter_table('course_module_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_module_progress_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_module_progress_module_id'), ['module_id'], unique=False)

    op.create_table('course_quiz_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('question_order', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('pass_mark', sa.Integer(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['enrolment_id'], ['course_enrolment.id'], name=op.f('fk_course_quiz_attempt_enrolment_id_course_enrolment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['course_module.id'], name=op.f('fk_course_quiz_attempt_module_id_course_module'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_quiz_attempt')),
    sa.UniqueConstraint('enrolment_id', 'module_id', 'number', name=op.f('uq_course_quiz_attempt_enrolment_id'))
    )
    with op.batch_alter_table('course_quiz_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_quiz_attempt_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_quiz_attempt_module_id'), ['module_id'], unique=False)

    op.create_table('course_quiz_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('selected', sa.JSON(), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['course_quiz_attempt.id'], name=op.f('fk_course_quiz_answer_attempt_id_course_quiz_attempt'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['course_question.id'], name=op.f('fk_course_quiz_answer_question_id_course_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_quiz_answer')),
    sa.UniqueConstraint('attempt_id', 'question_id', name=op.f('uq_course_quiz_answer_attempt_id'))
    )
    with op.batch_alter_table('course_quiz_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_quiz_answer_attempt_id'), ['attempt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_quiz_answer_question_id'), ['question_id'], unique=False)



def downgrade():
    with op.batch_alter_table('course_quiz_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_quiz_answer_question_id'))
        batch_op.drop_index(batch_op.f('ix_course_quiz_answer_attempt_id'))

    op.drop_table('course_quiz_answer')
    with op.batch_alter_table('course_quiz_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_quiz_attempt_module_id'))
        batch_op.drop_index(batch_op.f('ix_course_quiz_attempt_enrolment_id'))

    op.drop_table('course_quiz_attempt')
    with op.batch_alter_table('course_module_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_module_progress_module_id'))
        batch_op.drop_index(batch_op.f('ix_course_module_progress_enrolment_id'))

    op.drop_table('course_module_progress')
    with op.batch_alter_table('course_completion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_completion_user_id'))
        batch_op.drop_index(batch_op.f('ix_course_completion_course_id'))

    op.drop_table('course_completion')
    with op.batch_alter_table('course_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_attendance_module_id'))
        batch_op.drop_index(batch_op.f('ix_course_attendance_enrolment_id'))

    op.drop_table('course_attendance')
    with op.batch_alter_table('course_option', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_option_question_id'))

    op.drop_table('course_option')
    with op.batch_alter_table('course_enrolment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_enrolment_user_id'))
        batch_op.drop_index(batch_op.f('ix_course_enrolment_course_id'))
        batch_op.drop_index(batch_op.f('ix_course_enrolment_cohort_id'))

    op.drop_table('course_enrolment')
    with op.batch_alter_table('course_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_question_module_id'))

    op.drop_table('course_question')
    with op.batch_alter_table('course_module', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_module_course_id'))

    op.drop_table('course_module')
    with op.batch_alter_table('course_cohort', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_cohort_course_id'))

    op.drop_table('course_cohort')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_hub_id'))

    op.drop_table('course')
