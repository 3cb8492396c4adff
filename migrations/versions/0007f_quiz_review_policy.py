"""Quiz review policy: 'after_last' (the correct answers once no attempt is left, or when the
quiz closes) becomes the default, and only a practice quiz may show them right after submitting.

Existing quizzes that are not practice and showed the review immediately move to 'after_last',
so a post-test's key no longer helps its next attempt.

Revision ID: 0007f
Revises: 0007h
Create Date: 2026-12-06 00:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0007f"
down_revision = "0007h"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE quizzes SET review = 'after_last' "
        "WHERE review = 'immediately' AND kind <> 'practice'"
    )
    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_quizzes_review"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_quizzes_review"),
            "review IN ('immediately', 'after_last', 'after_close', 'never')",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_quizzes_review_practice"),
            "review <> 'immediately' OR kind = 'practice'",
        )


def downgrade():
    op.execute("UPDATE quizzes SET review = 'after_close' WHERE review = 'after_last'")
    with op.batch_alter_table("quizzes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_quizzes_review_practice"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_quizzes_review"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_quizzes_review"), "review IN ('immediately', 'after_close', 'never')"
        )
