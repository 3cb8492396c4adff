"""Indexes for the BKPSDM dashboard's bounded counts (issue 19): the HR queues (course
nominations, cohort members) count the pending approvals of one step instead of reading every
approval ever decided, and the certificates issued this year are counted from a range of
(status, issued_at) instead of the whole certificates table; the employees at the JP target this
year, and those who had reached it by this date last year, from a range of the employee-year
summary (year, jp_total / target_reached_on) instead of every active employee.

Revision ID: 0011b
Revises: 0011a
Create Date: 2026-12-06 14:15:00

"""

from alembic import op


revision = "0011b"
down_revision = "0011a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("employee_year_summary", schema=None) as batch_op:
        batch_op.create_index(
            "ix_employee_year_summary_year_jp_total", ["year", "jp_total"], unique=False
        )
        batch_op.create_index(
            "ix_employee_year_summary_year_target_reached_on",
            ["year", "target_reached_on"],
            unique=False,
        )
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.create_index("ix_approvals_step_decision", ["step", "decision"], unique=False)
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_certificates_status_issued_at", ["status", "issued_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index("ix_certificates_status_issued_at")
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.drop_index("ix_approvals_step_decision")
    with op.batch_alter_table("employee_year_summary", schema=None) as batch_op:
        batch_op.drop_index("ix_employee_year_summary_year_target_reached_on")
        batch_op.drop_index("ix_employee_year_summary_year_jp_total")
