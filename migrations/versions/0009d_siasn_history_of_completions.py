"""Learning records fed by completions go to the SIASN history the JP-once rule gives them
(lms/completion/counting.py ``siasn_history``): only a structural programme (a kind with
``structural``) is riwayat diklat; every course and every other programme (Latsar, the
instansi's own, a programme without a kind) is riwayat kursus, never with jenis diklat 1
("Diklat Struktural"; 13 instead). Records already sent to SIASN are left as they were sent.

Data only: no schema change.

Revision ID: 0009d
Revises: 0009f
Create Date: 2026-12-06 09:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0009d"
down_revision = "0009f"
branch_labels = None
depends_on = None

STRUCTURAL = """
    EXISTS (
        SELECT 1 FROM completions c
        JOIN programmes p ON p.id = c.programme_id
        JOIN programme_kinds k ON k.code = p.kind_code
        WHERE c.id = learning_records.completion_id AND k.structural = :yes
    )
"""


def upgrade():
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "UPDATE learning_records SET siasn_type = 'kursus' "
            "WHERE source = 'completion' AND siasn_status <> 'sent' "
            f"AND siasn_type = 'diklat' AND NOT {STRUCTURAL}"
        ),
        {"yes": True},
    )
    conn.execute(
        sa.text(
            "UPDATE learning_records SET siasn_type = 'diklat', jenis_diklat_code = 1 "
            "WHERE source = 'completion' AND siasn_status <> 'sent' "
            f"AND siasn_type = 'kursus' AND {STRUCTURAL}"
        ),
        {"yes": True},
    )
    conn.execute(
        sa.text(
            "UPDATE learning_records SET jenis_diklat_code = 13 "
            "WHERE source = 'completion' AND siasn_status <> 'sent' "
            "AND siasn_type = 'kursus' AND jenis_diklat_code = 1"
        )
    )


def downgrade():
    """Nothing to undo: the old types were the double count's, and no schema changed."""
