"""SCORM runtime (issue 16): learner state per learner, SCO and attempt.

Revision ID: 0008r
Revises: 0008p
Create Date: 2026-12-06 04:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0008r"
down_revision = "0008p"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sco_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sco_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("is_review", sa.Boolean(), nullable=False),
        sa.Column("lesson_status", sa.String(length=20), nullable=True),
        sa.Column("completion_status", sa.String(length=20), nullable=True),
        sa.Column("success_status", sa.String(length=20), nullable=True),
        sa.Column("score_raw", sa.Numeric(14, 4), nullable=True),
        sa.Column("score_min", sa.Numeric(14, 4), nullable=True),
        sa.Column("score_max", sa.Numeric(14, 4), nullable=True),
        sa.Column("score_scaled", sa.Numeric(8, 7), nullable=True),
        sa.Column("location", sa.String(length=1000), nullable=False),
        sa.Column("suspend_data", sa.Text(), nullable=False),
        sa.Column("exit", sa.String(length=10), nullable=False),
        sa.Column("total_time_cs", sa.Integer(), nullable=False),
        sa.Column("cmi", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("attempt >= 1", name=op.f("ck_sco_attempts_attempt_positive")),
        sa.CheckConstraint(
            "lesson_status IS NULL OR lesson_status IN ('passed', 'completed', 'failed', "
            "'incomplete', 'browsed', 'not attempted')",
            name=op.f("ck_sco_attempts_lesson_status"),
        ),
        sa.CheckConstraint(
            "completion_status IS NULL OR completion_status IN ('completed', 'incomplete', "
            "'not attempted', 'unknown')",
            name=op.f("ck_sco_attempts_completion_status"),
        ),
        sa.CheckConstraint(
            "success_status IS NULL OR success_status IN ('passed', 'failed', 'unknown')",
            name=op.f("ck_sco_attempts_success_status"),
        ),
        sa.CheckConstraint(
            "score_scaled IS NULL OR (score_scaled >= -1 AND score_scaled <= 1)",
            name=op.f("ck_sco_attempts_score_scaled_range"),
        ),
        sa.CheckConstraint(
            "total_time_cs >= 0", name=op.f("ck_sco_attempts_total_time_not_negative")
        ),
        sa.CheckConstraint("length(location) <= 1000", name=op.f("ck_sco_attempts_location_length")),
        sa.CheckConstraint(
            "length(suspend_data) <= 64000", name=op.f("ck_sco_attempts_suspend_data_length")
        ),
        sa.ForeignKeyConstraint(
            ["sco_id"], ["package_scos.id"], name=op.f("fk_sco_attempts_sco_id_package_scos"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_sco_attempts_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sco_attempts")),
        sa.UniqueConstraint("sco_id", "user_id", "attempt", name=op.f("uq_sco_attempts_sco_id_user_id_attempt")),
    )
    with op.batch_alter_table("sco_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sco_attempts_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("sco_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sco_attempts_user_id"))
    op.drop_table("sco_attempts")
