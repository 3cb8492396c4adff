"""Accounts: the demo-password mark (production start check) and attempt counters shared by
every worker (per-account login and current-password limits).

Revision ID: 0007a
Revises: 0006
Create Date: 2026-12-06 00:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007a'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attempt_counters',
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('hits >= 0', name=op.f('ck_attempt_counters_hits_not_negative')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_attempt_counters'))
    )
    with op.batch_alter_table('attempt_counters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_counters_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('demo_password', sa.Boolean(), server_default=sa.false(), nullable=False))
    # Databases loaded before the mark existed: the demo loader gave all its accounts one
    # hash, and argon2 salts every other hash apart, so a hash shared by several accounts is the
    # demo's (the start check verifies each marked hash once before refusing anything).
    op.execute(
        "UPDATE users SET demo_password = true WHERE password_hash IN "
        "(SELECT password_hash FROM users GROUP BY password_hash HAVING count(*) > 1)"
    )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('demo_password')

    with op.batch_alter_table('attempt_counters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_counters_expires_at'))

    op.drop_table('attempt_counters')
