"""An index on employees (is_active, unit_id): the BKPSDM overview counts every active employee
with a unit, which PostgreSQL then answers from the index alone instead of reading the whole
table (issue 19; tests/test_explain.py). PostgreSQL only: SQLite, without ANALYZE statistics,
chose it over the supervisor index for a supervisor's active reports and read them all.

Revision ID: 0011a
Revises: 0010d
Create Date: 2026-12-06 14:10:00

"""

from alembic import op


revision = "0011a"
down_revision = "0010d"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.create_index(
            "ix_employees_is_active_unit_id", ["is_active", "unit_id"], unique=False
        )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.drop_index("ix_employees_is_active_unit_id")
