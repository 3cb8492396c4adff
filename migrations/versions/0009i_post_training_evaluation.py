"""Post-training evaluation (evaluasi pascapelatihan, issue 18 point 3): follow-ups per
completion, the alumnus's and the supervisor's answers, the notices sent, and the setting per
course or programme.

No data is moved: the ``post_training`` outbox consumer starts at the first event and schedules
the completions whose questionnaire is not closed yet; older ones are not followed up.

Revision ID: 0009i
Revises: 0009j
Create Date: 2026-12-06 07:23:55

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009i'
down_revision = "0009j"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('followup_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(course_id IS NULL) <> (programme_id IS NULL)', name=op.f('ck_followup_settings_one_subject')),
    sa.CheckConstraint('months BETWEEN 1 AND 24', name=op.f('ck_followup_settings_months')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_followup_settings_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_followup_settings_programme_id_programmes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_followup_settings_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_settings')),
    sa.UniqueConstraint('course_id', name=op.f('uq_followup_settings_course_id')),
    sa.UniqueConstraint('programme_id', name=op.f('uq_followup_settings_programme_id'))
    )
    op.create_table('followups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('completion_id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('cancel_reason', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status = 'cancelled') = (cancel_reason IS NOT NULL)", name=op.f('ck_followups_cancelled')),
    sa.CheckConstraint("cancel_reason IS NULL OR cancel_reason IN ('revoked', 'disabled')", name=op.f('ck_followups_cancel_reason')),
    sa.CheckConstraint("status IN ('scheduled', 'cancelled')", name=op.f('ck_followups_status')),
    sa.CheckConstraint('(course_id IS NULL) <> (programme_id IS NULL)', name=op.f('ck_followups_one_subject')),
    sa.CheckConstraint('due_on > completed_on AND closes_on >= due_on', name=op.f('ck_followups_dates')),
    sa.CheckConstraint('months BETWEEN 1 AND 24', name=op.f('ck_followups_months')),
    sa.ForeignKeyConstraint(['completion_id'], ['completions.id'], name=op.f('fk_followups_completion_id_completions')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_followups_course_id_courses')),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_followups_employee_id_employees')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_followups_programme_id_programmes')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_followups_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followups')),
    sa.UniqueConstraint('completion_id', name=op.f('uq_followups_completion_id'))
    )
    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followups_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_followups_employee_id'), ['employee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_followups_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index('ix_followups_status_due_on', ['status', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_followups_unit_id'), ['unit_id'], unique=False)

    op.create_table('followup_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('followup_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('respondent_id', sa.Integer(), nullable=False),
    sa.Column('ratings', sa.JSON(), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('mean', sa.Numeric(precision=3, scale=2), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('alumnus', 'supervisor')", name=op.f('ck_followup_answers_role')),
    sa.CheckConstraint('mean BETWEEN 1 AND 5', name=op.f('ck_followup_answers_mean')),
    sa.ForeignKeyConstraint(['followup_id'], ['followups.id'], name=op.f('fk_followup_answers_followup_id_followups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['respondent_id'], ['employees.id'], name=op.f('fk_followup_answers_respondent_id_employees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_answers')),
    sa.UniqueConstraint('followup_id', 'role', name=op.f('uq_followup_answers_followup_id_role'))
    )
    with op.batch_alter_table('followup_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_answers_respondent_id'), ['respondent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_followup_answers_submitted_at'), ['submitted_at'], unique=False)

    op.create_table('followup_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('followup_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('invitation', 'reminder_1', 'reminder_2')", name=op.f('ck_followup_notices_kind')),
    sa.CheckConstraint("role IN ('alumnus', 'supervisor')", name=op.f('ck_followup_notices_role')),
    sa.ForeignKeyConstraint(['followup_id'], ['followups.id'], name=op.f('fk_followup_notices_followup_id_followups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recipient_id'], ['employees.id'], name=op.f('fk_followup_notices_recipient_id_employees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_notices')),
    sa.UniqueConstraint('followup_id', 'role', 'kind', name=op.f('uq_followup_notices_followup_id_role_kind'))
    )


def downgrade():
    op.drop_table('followup_notices')
    with op.batch_alter_table('followup_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_answers_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_followup_answers_respondent_id'))

    op.drop_table('followup_answers')
    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followups_unit_id'))
        batch_op.drop_index('ix_followups_status_due_on')
        batch_op.drop_index(batch_op.f('ix_followups_programme_id'))
        batch_op.drop_index(batch_op.f('ix_followups_employee_id'))
        batch_op.drop_index(batch_op.f('ix_followups_course_id'))

    op.drop_table('followups')
    op.drop_table('followup_settings')
