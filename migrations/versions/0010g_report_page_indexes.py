"""Indexes for the report pages at a million rows (issue 19): the completions and enrolments
reports walk an index for a page (newest first, optionally by status) instead of sorting every
row; ``enrolments.updated_at`` stamps the cached report figures.

Revision ID: 0010g
Revises: 0010f
Create Date: 2026-12-06 10:40:00

"""
from alembic import op


revision = "0010g"
down_revision = "0010f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("completions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_completions_status_completed_at", ["status", "completed_at", "id"], unique=False
        )
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.create_index("ix_enrolments_requested_at", ["requested_at", "id"], unique=False)
        batch_op.create_index(
            "ix_enrolments_status_requested_at", ["status", "requested_at", "id"], unique=False
        )
        batch_op.create_index("ix_enrolments_updated_at", ["updated_at"], unique=False)


def downgrade():
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.drop_index("ix_enrolments_updated_at")
        batch_op.drop_index("ix_enrolments_status_requested_at")
        batch_op.drop_index("ix_enrolments_requested_at")
    with op.batch_alter_table("completions", schema=None) as batch_op:
        batch_op.drop_index("ix_completions_status_completed_at")
