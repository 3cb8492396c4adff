"""Career requirements on the real structure (issue 17 point 6): the career steps as data
(structural ladder, functional ladders beside it, crossings), and requirements that may name an
employee kind (a CPNS's Latsar), apply only to someone moving in (``for_holders``) or be an
example the instansi edits (``is_example``).

The rule the old file seeded for every JPT ("PKN", PKN Tingkat II) is removed: JPT Pratama now
needs PKN2 and JPT Madya PKN1, by level; ``flask load-reference`` adds them and the steps.

Revision ID: 0009f
Revises: 0009a
Create Date: 2026-12-06 08:30:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0009f"
down_revision = "0009a"
branch_labels = None
depends_on = None

ONE_SUBJECT = (
    "(CASE WHEN jabatan_type_code IS NULL THEN 0 ELSE 1 END"
    " + CASE WHEN jabatan_level_code IS NULL THEN 0 ELSE 1 END"
    " + CASE WHEN employee_kind IS NULL THEN 0 ELSE 1 END) = 1"
)


def upgrade():
    op.create_table(
        "career_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_level_code", sa.String(length=30), nullable=False),
        sa.Column("to_level_code", sa.String(length=30), nullable=False),
        sa.Column("track", sa.String(length=20), nullable=False),
        sa.Column("crossing", sa.Boolean(), nullable=False),
        sa.Column("is_example", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("track IN ('struktural', 'fungsional')", name=op.f("ck_career_steps_track")),
        sa.CheckConstraint("from_level_code <> to_level_code", name=op.f("ck_career_steps_moves")),
        sa.ForeignKeyConstraint(
            ["from_level_code"],
            ["jabatan_levels.code"],
            name=op.f("fk_career_steps_from_level_code_jabatan_levels"),
        ),
        sa.ForeignKeyConstraint(
            ["to_level_code"],
            ["jabatan_levels.code"],
            name=op.f("fk_career_steps_to_level_code_jabatan_levels"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_career_steps")),
        sa.UniqueConstraint(
            "from_level_code",
            "to_level_code",
            name=op.f("uq_career_steps_from_level_code_to_level_code"),
        ),
    )
    with op.batch_alter_table("career_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_career_steps_from_level_code"), ["from_level_code"], unique=False
        )
    with op.batch_alter_table("career_requirements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("employee_kind", sa.String(length=10), nullable=True))
        batch_op.add_column(
            sa.Column("for_holders", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("is_example", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.drop_constraint(
            batch_op.f("ck_career_requirements_one_position"), type_="check"
        )
        batch_op.create_check_constraint("one_subject", ONE_SUBJECT)
        batch_op.create_check_constraint(
            "employee_kind", "employee_kind IS NULL OR employee_kind IN ('pns', 'cpns', 'pppk')"
        )
    op.execute(
        "DELETE FROM career_requirements"
        " WHERE jabatan_type_code = 'jpt' AND jabatan_level_code IS NULL AND programme_code = 'PKN'"
    )


def downgrade():
    op.execute("DELETE FROM career_requirements WHERE employee_kind IS NOT NULL")
    with op.batch_alter_table("career_requirements", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_career_requirements_employee_kind"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_career_requirements_one_subject"), type_="check")
        batch_op.create_check_constraint(
            "one_position", "(jabatan_type_code IS NULL) <> (jabatan_level_code IS NULL)"
        )
        batch_op.drop_column("is_example")
        batch_op.drop_column("for_holders")
        batch_op.drop_column("employee_kind")
    with op.batch_alter_table("career_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_career_steps_from_level_code"))
    op.drop_table("career_steps")
