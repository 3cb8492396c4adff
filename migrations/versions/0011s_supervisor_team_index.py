"""An index on employees (supervisor_id, is_active, full_name, id): a supervisor's active direct
reports in name order, read from the index alone and only as far as a dashboard card needs
(the first reports with an enrolment, the first few names), instead of every report read and
sorted on each visit (issue 19: 249 reports, 2.8 -> 0.5 ms for the team's enrolments).

Revision ID: 0011s
Revises: 0011b
Create Date: 2026-12-06 21:10:00

"""

from alembic import op


revision = "0011s"
down_revision = "0011b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.create_index(
            "ix_employees_supervisor_active_name",
            ["supervisor_id", "is_active", "full_name", "id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.drop_index("ix_employees_supervisor_active_name")
