"""PPPK golongan (a kind on golongan, SIASN id optional), the instansi's SKP evaluation period
as a checked choice (monthly, quarterly, semester), and SKP periods that a mid-year mutation or
promotion cuts short: sequence within the year, dates, reason and the position snapshot.

Revision ID: 0007h
Revises: 0007a
Create Date: 2026-12-06 00:40:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0007h"
down_revision = "0007a"
branch_labels = None
depends_on = None


def upgrade():
    # A value outside the choice (never written by the app) falls back to the old default.
    op.execute(
        "UPDATE instansi SET evaluation_period = 'quarterly' "
        "WHERE evaluation_period NOT IN ('monthly', 'quarterly', 'semester')"
    )
    with op.batch_alter_table("instansi", schema=None) as batch_op:
        batch_op.create_check_constraint(
            "evaluation_period", "evaluation_period IN ('monthly', 'quarterly', 'semester')"
        )

    with op.batch_alter_table("golongan", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=10), server_default="pns", nullable=False)
        )
        batch_op.alter_column("siasn_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint("kind", "kind IN ('pns', 'pppk')")

    with op.batch_alter_table("skp_periods", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sequence", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("starts_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("ends_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("change_reason", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("golongan_code", sa.String(length=10), nullable=True))
        batch_op.add_column(
            sa.Column("position_name", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.drop_constraint("uq_skp_periods_employee_id_year", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_skp_periods_employee_id_year_sequence"),
            ["employee_id", "year", "sequence"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_skp_periods_unit_id_units"), "units", ["unit_id"], ["id"]
        )
        batch_op.create_check_constraint("sequence", "sequence >= 1")
        batch_op.create_check_constraint(
            "change_reason", "change_reason IS NULL OR change_reason IN ('mutasi', 'promosi')"
        )
        batch_op.create_check_constraint(
            "ends_with_reason",
            "(ends_on IS NULL) = (change_reason IS NULL)"
            " AND (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on)",
        )


def downgrade():
    with op.batch_alter_table("skp_periods", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_skp_periods_ends_with_reason"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_skp_periods_change_reason"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_skp_periods_sequence"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_skp_periods_unit_id_units"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("uq_skp_periods_employee_id_year_sequence"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_skp_periods_employee_id_year"), ["employee_id", "year"]
        )
        batch_op.drop_column("position_name")
        batch_op.drop_column("golongan_code")
        batch_op.drop_column("unit_id")
        batch_op.drop_column("change_reason")
        batch_op.drop_column("ends_on")
        batch_op.drop_column("starts_on")
        batch_op.drop_column("sequence")

    with op.batch_alter_table("golongan", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_golongan_kind"), type_="check")
        batch_op.alter_column("siasn_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("kind")

    with op.batch_alter_table("instansi", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_instansi_evaluation_period"), type_="check")
