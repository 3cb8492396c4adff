"""Non-classroom learning sessions (coaching, mentoring, on-the-job learning, secondment, ...)
and supervisors' coaching plans after a low SKP predikat (issue 18, point 1). A confirmed session
becomes a learning record of its own source, 'session'.

Revision ID: 0009h
Revises: 0009c
Create Date: 2026-12-06 07:23:11

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009h"
down_revision = "0009c"
branch_labels = None
depends_on = None


OLD_SOURCES = "source IN ('completion', 'outside', 'import')"
NEW_SOURCES = "source IN ('completion', 'outside', 'import', 'session')"


def upgrade():
    with op.batch_alter_table("learning_records", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_learning_records_source"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_learning_records_source"), NEW_SOURCES)
    op.create_table('coaching_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=True),
    sa.Column('predikat', sa.String(length=20), nullable=False),
    sa.Column('evaluation_label', sa.String(length=40), nullable=False),
    sa.Column('form_code', sa.Integer(), nullable=False),
    sa.Column('coach_user_id', sa.Integer(), nullable=True),
    sa.Column('coach_name', sa.String(length=200), nullable=False),
    sa.Column('goals', sa.Text(), nullable=False),
    sa.Column('sessions_planned', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('review_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status <> 'closed' OR (closed_at IS NOT NULL AND outcome <> '')", name=op.f('ck_coaching_plans_closed_has_outcome')),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_coaching_plans_status')),
    sa.CheckConstraint('review_on >= starts_on', name=op.f('ck_coaching_plans_dates_ordered')),
    sa.CheckConstraint('sessions_planned BETWEEN 1 AND 52', name=op.f('ck_coaching_plans_sessions_planned')),
    sa.ForeignKeyConstraint(['coach_user_id'], ['users.id'], name=op.f('fk_coaching_plans_coach_user_id_users')),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_coaching_plans_employee_id_employees')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['skp_evaluations.id'], name=op.f('fk_coaching_plans_evaluation_id_skp_evaluations')),
    sa.ForeignKeyConstraint(['form_code'], ['jenis_diklat.code'], name=op.f('fk_coaching_plans_form_code_jenis_diklat')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_coaching_plans_opened_by_id_users')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['employees.id'], name=op.f('fk_coaching_plans_supervisor_id_employees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_plans'))
    )
    with op.batch_alter_table('coaching_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coaching_plans_employee_id'), ['employee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coaching_plans_supervisor_id'), ['supervisor_id'], unique=False)
        batch_op.create_index('uq_coaching_plans_open_employee', ['employee_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    op.create_table('coaching_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_coaching_notes_author_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['coaching_plans.id'], name=op.f('fk_coaching_notes_plan_id_coaching_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_notes'))
    )
    with op.batch_alter_table('coaching_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coaching_notes_plan_id'), ['plan_id'], unique=False)

    op.create_table('learning_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('form_code', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=300), nullable=False),
    sa.Column('agreed', sa.Text(), nullable=False),
    sa.Column('competency_kind', sa.String(length=20), nullable=False),
    sa.Column('coach_user_id', sa.Integer(), nullable=True),
    sa.Column('coach_name', sa.String(length=200), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('logged_by_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('evidence_key', sa.String(length=200), nullable=True),
    sa.Column('evidence_name', sa.String(length=200), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_as', sa.String(length=20), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=False),
    sa.Column('recognised_jp', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('limited_by', sa.String(length=10), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status = 'confirmed') = (recognised_jp IS NOT NULL)", name=op.f('ck_learning_sessions_confirmed_has_jp')),
    sa.CheckConstraint("decided_as IS NULL OR decided_as IN ('supervisor', 'coach', 'hr')", name=op.f('ck_learning_sessions_decided_as')),
    sa.CheckConstraint("record_id IS NULL OR status = 'confirmed'", name=op.f('ck_learning_sessions_record_when_confirmed')),
    sa.CheckConstraint("status <> 'returned' OR return_reason <> ''", name=op.f('ck_learning_sessions_returned_has_reason')),
    sa.CheckConstraint("status IN ('submitted', 'confirmed', 'returned', 'withdrawn')", name=op.f('ck_learning_sessions_status')),
    sa.CheckConstraint('minutes BETWEEN 1 AND 720', name=op.f('ck_learning_sessions_minutes')),
    sa.CheckConstraint('recognised_jp IS NULL OR recognised_jp >= 0', name=op.f('ck_learning_sessions_jp_not_negative')),
    sa.ForeignKeyConstraint(['coach_user_id'], ['users.id'], name=op.f('fk_learning_sessions_coach_user_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_learning_sessions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_learning_sessions_employee_id_employees')),
    sa.ForeignKeyConstraint(['form_code'], ['jenis_diklat.code'], name=op.f('fk_learning_sessions_form_code_jenis_diklat')),
    sa.ForeignKeyConstraint(['logged_by_id'], ['users.id'], name=op.f('fk_learning_sessions_logged_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['coaching_plans.id'], name=op.f('fk_learning_sessions_plan_id_coaching_plans')),
    sa.ForeignKeyConstraint(['record_id'], ['learning_records.id'], name=op.f('fk_learning_sessions_record_id_learning_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_sessions')),
    sa.UniqueConstraint('record_id', name=op.f('uq_learning_sessions_record_id'))
    )
    with op.batch_alter_table('learning_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learning_sessions_coach_user_id'), ['coach_user_id'], unique=False)
        batch_op.create_index('ix_learning_sessions_employee_form_day', ['employee_id', 'form_code', 'held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_learning_sessions_plan_id'), ['plan_id'], unique=False)



def downgrade():
    with op.batch_alter_table('learning_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learning_sessions_plan_id'))
        batch_op.drop_index('ix_learning_sessions_employee_form_day')
        batch_op.drop_index(batch_op.f('ix_learning_sessions_coach_user_id'))

    op.drop_table('learning_sessions')
    with op.batch_alter_table('coaching_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coaching_notes_plan_id'))

    op.drop_table('coaching_notes')
    with op.batch_alter_table('coaching_plans', schema=None) as batch_op:
        batch_op.drop_index('uq_coaching_plans_open_employee', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_coaching_plans_supervisor_id'))
        batch_op.drop_index(batch_op.f('ix_coaching_plans_employee_id'))

    op.drop_table('coaching_plans')
    # The sessions' records go with them: the old constraint knows no 'session' source.
    op.execute("DELETE FROM learning_records WHERE source = 'session'")
    with op.batch_alter_table("learning_records", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_learning_records_source"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_learning_records_source"), OLD_SOURCES)
