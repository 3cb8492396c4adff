"""Notifications keep their msgid and values (shown in the reader's language); the certificate
signatory's pangkat/golongan, printed under the name; question categories imported from Moodle
files lose Moodle's "$course$/top/Default for ..." path.

The series still carrying the first default position without its region ("Kepala Badan
Kepegawaian dan Pengembangan Sumber Daya Manusia") is given the region of the instansi, as a
signature block names it ("Kepala BKPSDM Kota Palembang"); a position BKPSDM typed is left as it
is. Issued certificates keep what they printed.

A category name such as "$course$/top/Default for New Features" becomes "Umum" (the course bank's
default category), "$course$/Bab 1" becomes "Bab 1"; when the course already has a category of
the clean name, the old one is left alone (quizzes draw from categories by id).

Revision ID: 0008f
Revises: 0008b
Create Date: 2026-12-07 09:00:00

"""

import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008f"
down_revision = "0008b"
branch_labels = None
depends_on = None

OLD_DEFAULT_POSITION = "Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia"

# A copy of lms.quizzes.bank.category_names.clean_category as of this revision (a migration must
# not change when the application's code does).
DEFAULT_CATEGORY = "Umum"
_CONTEXT = re.compile(r"\$[a-z]+\$", re.IGNORECASE)
_LEVEL = re.compile(r"(?<!/)/(?!/)")


def _clean(raw):
    text = " ".join(str(raw or "").split())
    if not text:
        return None
    levels = [level.strip() for level in _LEVEL.split(text)]
    changed = False
    if _CONTEXT.fullmatch(levels[0]):
        levels, changed = levels[1:], True
        if levels and levels[0].casefold() == "top":
            levels = levels[1:]
    if levels and levels[0].casefold().startswith("default for"):
        levels, changed = levels[1:], True
    if not changed:
        return text
    return "/".join(level for level in levels if level) or DEFAULT_CATEGORY


def _clean_category_names():
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, course_id, name FROM question_categories")).all()
    taken = {(course_id, name) for _id, course_id, name in rows}
    for category_id, course_id, name in rows:
        clean = (_clean(name) or "")[:255]
        if not clean or clean == name or (course_id, clean) in taken:
            continue
        conn.execute(
            sa.text("UPDATE question_categories SET name = :name WHERE id = :id"),
            {"name": clean, "id": category_id},
        )
        taken.add((course_id, clean))


def upgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("msgid", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=True))
    with op.batch_alter_table("certificate_series", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("signatory_pangkat", sa.String(length=100), server_default="", nullable=False)
        )
    op.execute(
        sa.text(
            "UPDATE certificate_series SET signatory_position = 'Kepala BKPSDM ' || "
            "replace((SELECT name FROM instansi ORDER BY id LIMIT 1), 'Pemerintah ', '') "
            "WHERE signatory_position = :old AND EXISTS (SELECT 1 FROM instansi)"
        ).bindparams(old=OLD_DEFAULT_POSITION)
    )
    _clean_category_names()


def downgrade():
    with op.batch_alter_table("certificate_series", schema=None) as batch_op:
        batch_op.drop_column("signatory_pangkat")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("params")
        batch_op.drop_column("msgid")
