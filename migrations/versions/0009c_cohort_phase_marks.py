"""The organiser's phase marks (issue 17): a participant met a cohort phase (classroom
attendance, a self-study or distance phase followed outside the courses). One row per phase and
participant; both go with their cohort.

Revision ID: 0009c
Revises: 0009e
Create Date: 2026-12-06 08:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0009c"
down_revision = "0009e"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cohort_phase_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["cohort_members.id"],
            name=op.f("fk_cohort_phase_marks_member_id_cohort_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_id"], ["users.id"], name=op.f("fk_cohort_phase_marks_marked_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["phase_id"],
            ["cohort_phases.id"],
            name=op.f("fk_cohort_phase_marks_phase_id_cohort_phases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort_phase_marks")),
        sa.UniqueConstraint(
            "phase_id", "member_id", name=op.f("uq_cohort_phase_marks_phase_id_member_id")
        ),
    )
    with op.batch_alter_table("cohort_phase_marks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cohort_phase_marks_member_id"), ["member_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("cohort_phase_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohort_phase_marks_member_id"))
    op.drop_table("cohort_phase_marks")
