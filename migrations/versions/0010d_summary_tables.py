"""Summary tables (issue 19 point 3): per employee and year, per OPD and day.

Derived data, created empty: after upgrading a database that has data, run
``flask summary rebuild`` once (it recomputes them from the source rows with the statements the
app keeps them current with; on the 1M-completion bench database it takes about a minute), and
again after any bulk load outside the app.

Revision ID: 0010d
Revises: 0010g
Create Date: 2026-12-06 10:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010d'
down_revision = "0010g"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'employee_year_summary',
        sa.Column('employee_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('jp_total', sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column('jp_teknis', sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column('jp_manajerial', sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column('jp_sosial_kultural', sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column('completions', sa.Integer(), nullable=False),
        sa.Column('plan_status', sa.String(length=20), nullable=True),
        sa.Column('target_reached_on', sa.Date(), nullable=True),
        sa.CheckConstraint('completions >= 0', name=op.f('ck_employee_year_summary_completions_nonnegative')),
        sa.CheckConstraint('jp_teknis >= 0 AND jp_manajerial >= 0 AND jp_sosial_kultural >= 0', name=op.f('ck_employee_year_summary_jp_kinds_nonnegative')),
        sa.CheckConstraint('jp_total >= 0', name=op.f('ck_employee_year_summary_jp_total_nonnegative')),
        sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_employee_year_summary_employee_id_employees')),
        sa.PrimaryKeyConstraint('employee_id', 'year', name=op.f('pk_employee_year_summary')),
    )
    op.create_table(
        'unit_period_summary',
        sa.Column('unit_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('month', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('day', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('completions', sa.Integer(), nullable=False),
        sa.Column('jp', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.CheckConstraint('completions >= 0 AND jp >= 0', name=op.f('ck_unit_period_summary_figures_nonnegative')),
        sa.CheckConstraint('day BETWEEN 1 AND 31', name=op.f('ck_unit_period_summary_day_range')),
        sa.CheckConstraint('month BETWEEN 1 AND 12', name=op.f('ck_unit_period_summary_month_range')),
        sa.CheckConstraint('unit_id >= 0', name=op.f('ck_unit_period_summary_unit_nonnegative')),
        sa.PrimaryKeyConstraint('unit_id', 'year', 'month', 'day', name=op.f('pk_unit_period_summary')),
    )


def downgrade():
    op.drop_table('unit_period_summary')
    op.drop_table('employee_year_summary')
