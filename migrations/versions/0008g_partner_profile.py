"""Partner institution profile: kind, accreditation, MoU, contact and an active flag.

Existing institutions (registered by the content loader with a code and a name) keep a NULL
kind until BKPSDM fills in their profile; the CHECKs keep the kind in the list and an end date
from falling before its start.

Revision ID: 0008g
Revises: 0008a
Create Date: 2026-12-06 04:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008g"
down_revision = "0008a"
branch_labels = None
depends_on = None

TEXT_COLUMNS = (
    ("accreditation_number", 100),
    ("mou_number", 100),
    ("contact_name", 200),
    ("contact_email", 200),
    ("contact_phone", 40),
)
DATE_COLUMNS = ("accredited_on", "accreditation_expires_on", "mou_starts_on", "mou_ends_on")


def upgrade():
    with op.batch_alter_table("partner_institutions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=24), nullable=True))
        for name, length in TEXT_COLUMNS:
            batch_op.add_column(
                sa.Column(name, sa.String(length=length), server_default="", nullable=False)
            )
        for name in DATE_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.create_check_constraint(
            "kind", "kind IN ('lan', 'bpsdmd', 'universitas', 'lembaga_terakreditasi')"
        )
        batch_op.create_check_constraint(
            "accreditation_dates",
            "accreditation_expires_on IS NULL OR accredited_on IS NULL "
            "OR accreditation_expires_on >= accredited_on",
        )
        batch_op.create_check_constraint(
            "mou_dates",
            "mou_ends_on IS NULL OR mou_starts_on IS NULL OR mou_ends_on >= mou_starts_on",
        )


def downgrade():
    with op.batch_alter_table("partner_institutions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_partner_institutions_mou_dates"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_partner_institutions_accreditation_dates"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_partner_institutions_kind"), type_="check")
        batch_op.drop_column("is_active")
        for name in reversed(DATE_COLUMNS):
            batch_op.drop_column(name)
        for name, _length in reversed(TEXT_COLUMNS):
            batch_op.drop_column(name)
        batch_op.drop_column("kind")
