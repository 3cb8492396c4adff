"""The employee list's search by a part of the name (LIKE '%q%' on the lowered name; issue 19)
at 150,000 employees: a trigram index (pg_trgm, lower(full_name) gin_trgm_ops) finds the matches
of a rare part instead of every employee being read (40 ms -> 1 ms); and the name index holds the
ids too (full_name, id), so the search reads the first names in list order from the index alone
to fill the page of a common part (lms.org.search.NAME_WALK).

The trigram index is PostgreSQL only (pg_trgm is a trusted extension: the database's owner may
create it); SQLite gets the (full_name, id) index only. The downgrade drops the trigram index and
leaves the extension, which other objects of the database may use.

Revision ID: 0011t
Revises: 0011s
Create Date: 2026-12-07 00:30:00

"""

import sqlalchemy as sa
from alembic import op


revision = "0011t"
down_revision = "0011s"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.create_index("ix_employees_full_name_id", ["full_name", "id"], unique=False)
        batch_op.drop_index("ix_employees_full_name")
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "ix_employees_full_name_trgm",
        "employees",
        [sa.text("lower(full_name) gin_trgm_ops")],
        unique=False,
        postgresql_using="gin",
    )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_employees_full_name_trgm", table_name="employees")
    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.create_index("ix_employees_full_name", ["full_name"], unique=False)
        batch_op.drop_index("ix_employees_full_name_id")
