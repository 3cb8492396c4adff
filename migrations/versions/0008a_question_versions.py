"""Versioned bank questions: one entry per question, one row per version (as Moodle's
question_bank_entries and question_versions).

Every existing question becomes version 1 of an entry of its own (the entry takes the
question's id, so nothing that points at a question changes), status 'ready'. An index on
attempt_answers.question_id serves the question "has an attempt used this version?".

Revision ID: 0008a
Revises: 0008f
Create Date: 2026-12-08 09:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008a"
down_revision = "0008f"
branch_labels = None
depends_on = None

LATEST = "status <> 'superseded'"


def upgrade():
    op.create_table(
        "question_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_question_entries_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_entries")),
    )
    with op.batch_alter_table("question_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_question_entries_course_id"), ["course_id"])

    op.execute("INSERT INTO question_entries (id, course_id) SELECT id, course_id FROM questions")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('question_entries', 'id'), "
            "COALESCE((SELECT MAX(id) FROM question_entries), 0) + 1, false)"
        )

    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entry_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("status", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
    op.execute("UPDATE questions SET entry_id = id, status = 'ready'")
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.alter_column("entry_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("status", existing_type=sa.String(length=12), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_questions_entry_id_question_entries"),
            "question_entries",
            ["entry_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_questions_created_by_id_users"),
            "users",
            ["created_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_questions_entry_id_version"), ["entry_id", "version"]
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_questions_status"), "status IN ('ready', 'hidden', 'superseded')"
        )
        batch_op.create_index(
            "uq_questions_entry_latest",
            ["entry_id"],
            unique=True,
            sqlite_where=sa.text(LATEST),
            postgresql_where=sa.text(LATEST),
        )

    with op.batch_alter_table("attempt_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attempt_answers_question_id"), ["question_id"])


def downgrade():
    # Every version row stays (old attempts point at them); only which rows were versions of
    # one question is forgotten.
    with op.batch_alter_table("attempt_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attempt_answers_question_id"))
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_index("uq_questions_entry_latest")
        batch_op.drop_constraint(batch_op.f("ck_questions_status"), type_="check")
        batch_op.drop_constraint(batch_op.f("uq_questions_entry_id_version"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_questions_created_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_questions_entry_id_question_entries"), type_="foreignkey"
        )
        batch_op.drop_column("created_by_id")
        batch_op.drop_column("status")
        batch_op.drop_column("entry_id")
    with op.batch_alter_table("question_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_entries_course_id"))
    op.drop_table("question_entries")
