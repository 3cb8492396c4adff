"""Programme kinds (Latsar, PKP, PKA, PKN, the instansi's own) and what issue 17 builds on:
a programme's kind and own JP, a phase's kind and JP, a cohort's organiser and closing, a
participant's result (passed / failed, final score, qualification).

Existing programmes keep a NULL kind (treated as the instansi's own) and phases become
``self_study`` until HR sets them; ``flask load-reference`` fills the kinds table.

Revision ID: 0009a
Revises: 0008r
Create Date: 2026-12-06 07:10:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0009a"
down_revision = "0008r"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "programme_kinds",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("structural", sa.Boolean(), nullable=False),
        sa.Column("latihan_struktural_id", sa.Integer(), nullable=True),
        sa.Column("project", sa.String(length=20), nullable=True),
        sa.Column("jp", sa.Integer(), nullable=True),
        sa.Column("phases", sa.JSON(), nullable=False),
        sa.Column("eligibility", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "project IS NULL OR project IN ('aktualisasi', 'aksi_perubahan')", name="project"
        ),
        sa.CheckConstraint("jp IS NULL OR jp > 0", name="jp_positive"),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind_code", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("jp", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_programmes_kind_code"), ["kind_code"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_programmes_kind_code_programme_kinds"),
            "programme_kinds",
            ["kind_code"],
            ["code"],
        )
        batch_op.create_check_constraint("jp_positive", "jp IS NULL OR jp > 0")
    with op.batch_alter_table("cohort_phases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=20), server_default="self_study", nullable=False)
        )
        batch_op.add_column(sa.Column("jp", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            "kind",
            "kind IN ('self_study', 'distance', 'classroom', 'project', 'evaluation')",
        )
        batch_op.create_check_constraint("jp_not_negative", "jp IS NULL OR jp >= 0")
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organiser_partner_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_cohorts_organiser_partner_id_partner_institutions"),
            "partner_institutions",
            ["organiser_partner_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_cohorts_closed_by_id_users"), "users", ["closed_by_id"], ["id"]
        )
    with op.batch_alter_table("cohort_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("result", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("final_score", sa.Numeric(5, 2), nullable=True))
        batch_op.add_column(
            sa.Column("qualification", sa.String(length=60), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("result_note", sa.Text(), server_default="", nullable=False))
        batch_op.create_check_constraint(
            "result", "result IS NULL OR result IN ('passed', 'failed')"
        )
        batch_op.create_check_constraint(
            "score_range", "final_score IS NULL OR (final_score >= 0 AND final_score <= 100)"
        )


def downgrade():
    with op.batch_alter_table("cohort_members", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_cohort_members_score_range"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_cohort_members_result"), type_="check")
        for name in ("result_note", "qualification", "final_score", "result"):
            batch_op.drop_column(name)
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_cohorts_closed_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_cohorts_organiser_partner_id_partner_institutions"),
            type_="foreignkey",
        )
        for name in ("closed_by_id", "closed_at", "organiser_partner_id"):
            batch_op.drop_column(name)
    with op.batch_alter_table("cohort_phases", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_cohort_phases_jp_not_negative"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_cohort_phases_kind"), type_="check")
        batch_op.drop_column("jp")
        batch_op.drop_column("kind")
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_programmes_jp_positive"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_programmes_kind_code_programme_kinds"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_programmes_kind_code"))
        batch_op.drop_column("jp")
        batch_op.drop_column("kind_code")
    op.drop_table("programme_kinds")
