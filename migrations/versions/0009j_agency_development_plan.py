"""Needs analysis and the agency's yearly development plan (AKPK, issue 18 point 4): position
competencies (reference data), the plan of a year, its items and named participants.

Revision ID: 0009j
Revises: 0009h
Create Date: 2026-12-06 07:25:39

"""
from alembic import op
import sqlalchemy as sa


revision = '0009j'
down_revision = "0009h"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('position_competencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('jabatan_type_code', sa.String(length=30), nullable=True),
    sa.Column('jabatan_level_code', sa.String(length=30), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_example', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('teknis', 'manajerial', 'sosial_kultural')", name=op.f('ck_position_competencies_kind')),
    sa.CheckConstraint('(jabatan_type_code IS NULL) <> (jabatan_level_code IS NULL)', name=op.f('ck_position_competencies_one_subject')),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_position_competencies_level_range')),
    sa.ForeignKeyConstraint(['jabatan_level_code'], ['jabatan_levels.code'], name=op.f('fk_position_competencies_jabatan_level_code_jabatan_levels')),
    sa.ForeignKeyConstraint(['jabatan_type_code'], ['jabatan_types.code'], name=op.f('fk_position_competencies_jabatan_type_code_jabatan_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_position_competencies')),
    sa.UniqueConstraint('jabatan_type_code', 'jabatan_level_code', 'name', name='uq_position_competencies_subject_name')
    )
    op.create_table('agency_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status <> 'approved' OR approved_at IS NOT NULL", name=op.f('ck_agency_plans_approved_when')),
    sa.CheckConstraint("status IN ('draft', 'approved')", name=op.f('ck_agency_plans_status')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_agency_plans_approved_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_plans')),
    sa.UniqueConstraint('year', name=op.f('uq_agency_plans_year'))
    )
    op.create_table('agency_plan_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('competency', sa.String(length=300), nullable=False),
    sa.Column('competency_kind', sa.String(length=20), nullable=False),
    sa.Column('jabatan_level_code', sa.String(length=30), nullable=True),
    sa.Column('form', sa.String(length=20), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('target_count', sa.Integer(), nullable=False),
    sa.Column('jp', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=True),
    sa.Column('budget', sa.Numeric(precision=15, scale=0), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("competency_kind IN ('teknis', 'manajerial', 'sosial_kultural')", name=op.f('ck_agency_plan_items_competency_kind')),
    sa.CheckConstraint("form = 'cohort' OR cohort_id IS NULL", name=op.f('ck_agency_plan_items_cohort_of_cohort')),
    sa.CheckConstraint("form = 'course' OR course_id IS NULL", name=op.f('ck_agency_plan_items_course_of_course')),
    sa.CheckConstraint("form IN ('course', 'cohort')", name=op.f('ck_agency_plan_items_form')),
    sa.CheckConstraint("status <> 'rejected' OR decision_note <> ''", name=op.f('ck_agency_plan_items_rejected_has_note')),
    sa.CheckConstraint("status IN ('proposed', 'accepted', 'rejected')", name=op.f('ck_agency_plan_items_status')),
    sa.CheckConstraint("title <> ''", name=op.f('ck_agency_plan_items_title_given')),
    sa.CheckConstraint('budget >= 0', name=op.f('ck_agency_plan_items_budget_not_negative')),
    sa.CheckConstraint('jp > 0', name=op.f('ck_agency_plan_items_jp_positive')),
    sa.CheckConstraint('month IS NULL OR (month BETWEEN 1 AND 12 AND (month - 1) / 3 + 1 = quarter)', name=op.f('ck_agency_plan_items_month_in_quarter')),
    sa.CheckConstraint('quarter BETWEEN 1 AND 4', name=op.f('ck_agency_plan_items_quarter_range')),
    sa.CheckConstraint('target_count > 0', name=op.f('ck_agency_plan_items_target_positive')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_agency_plan_items_cohort_id_cohorts')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_agency_plan_items_course_id_courses')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_agency_plan_items_decided_by_id_users')),
    sa.ForeignKeyConstraint(['jabatan_level_code'], ['jabatan_levels.code'], name=op.f('fk_agency_plan_items_jabatan_level_code_jabatan_levels')),
    sa.ForeignKeyConstraint(['plan_id'], ['agency_plans.id'], name=op.f('fk_agency_plan_items_plan_id_agency_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_agency_plan_items_proposed_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_agency_plan_items_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_plan_items'))
    )
    with op.batch_alter_table('agency_plan_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_plan_items_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agency_plan_items_course_id'), ['course_id'], unique=False)
        batch_op.create_index('ix_agency_plan_items_plan_status', ['plan_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_agency_plan_items_unit_id'), ['unit_id'], unique=False)

    op.create_table('agency_plan_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_agency_plan_participants_employee_id_employees')),
    sa.ForeignKeyConstraint(['item_id'], ['agency_plan_items.id'], name=op.f('fk_agency_plan_participants_item_id_agency_plan_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_plan_participants')),
    sa.UniqueConstraint('item_id', 'employee_id', name=op.f('uq_agency_plan_participants_item_id_employee_id'))
    )
    with op.batch_alter_table('agency_plan_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_plan_participants_employee_id'), ['employee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agency_plan_participants_item_id'), ['item_id'], unique=False)



def downgrade():
    with op.batch_alter_table('agency_plan_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_plan_participants_item_id'))
        batch_op.drop_index(batch_op.f('ix_agency_plan_participants_employee_id'))

    op.drop_table('agency_plan_participants')
    with op.batch_alter_table('agency_plan_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_plan_items_unit_id'))
        batch_op.drop_index('ix_agency_plan_items_plan_status')
        batch_op.drop_index(batch_op.f('ix_agency_plan_items_course_id'))
        batch_op.drop_index(batch_op.f('ix_agency_plan_items_cohort_id'))

    op.drop_table('agency_plan_items')
    op.drop_table('agency_plans')
    op.drop_table('position_competencies')
