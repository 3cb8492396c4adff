"""Package versions approved as a module of an existing course; leases of content URLs
(issue 16 follow-up).

Revision ID: 0009p
Revises: 0009d
Create Date: 2026-12-10 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0009p"
down_revision = "0009d"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "content_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("sco_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_content_grants_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["package_versions.id"],
            name=op.f("fk_content_grants_version_id_package_versions"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sco_id"], ["package_scos.id"], name=op.f("fk_content_grants_sco_id_package_scos"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_grants")),
        sa.UniqueConstraint("nonce", name=op.f("uq_content_grants_nonce")),
    )
    with op.batch_alter_table("content_grants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_content_grants_expires_at"), ["expires_at"], unique=False)
    with op.batch_alter_table("package_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("placement", sa.String(length=10), server_default="course", nullable=False)
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_package_versions_placement"), "placement IN ('course', 'module')"
        )


def downgrade():
    with op.batch_alter_table("content_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_grants_expires_at"))
    op.drop_table("content_grants")
    with op.batch_alter_table("package_versions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_package_versions_placement"), type_="check")
        batch_op.drop_column("placement")
