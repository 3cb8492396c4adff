"""Module titles without a stored "Modul N:" prefix.

The pages number modules by their order ("Modul 1: Dasar ..."), and the demo content wrote the
number into the title as well, so the authoring page and the preview printed "Modul 1: Modul 1:
...". The loader and the authoring forms now drop the prefix when they write a title; this
strips it from the titles already stored, in every version (published versions included: the
prefix is a display number, not content, and issued certificates keep their own copy of the
subjects they printed).

Revision ID: 0008b
Revises: 0007f
Create Date: 2026-12-08 09:00:00

"""

import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008b"
down_revision = "0007f"
branch_labels = None
depends_on = None

# The same rule as lms.courses.services.MODULE_NUMBER, copied: a migration must not change
# when the application code does.
MODULE_NUMBER = re.compile(
    r"^\s*modul[e]?\s+(?:\d{1,3}|[ivx]{1,5})\s*[:.\-–—](?!\d)\s*(?=\S)", re.I
)

modules = sa.table("modules", sa.column("id", sa.Integer), sa.column("title", sa.String(200)))


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(modules.c.id, modules.c.title).where(
            sa.func.lower(modules.c.title).like("modul%")
        )
    ).all()
    for module_id, title in rows:
        bare = MODULE_NUMBER.sub("", title.strip(), count=1)
        if bare != title:
            connection.execute(
                modules.update().where(modules.c.id == module_id).values(title=bare[:200])
            )


def downgrade():
    # Nothing to put back: the number is the module's place in its version, which every page
    # prints; writing it into the title again would bring the doubled heading back.
    pass
