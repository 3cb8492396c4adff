"""Community participation claims (issue 18 point 2): a non-classroom session of form 23 may
name the community it claims JP for and the shown posts counted as evidence; a community's
moderator may decide on it (``decided_as = 'moderator'``).

No data is moved: existing sessions name no community.

Revision ID: 0009m
Revises: 0009i
Create Date: 2026-12-06 08:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009m'
down_revision = "0009i"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('learning_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('community_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('community_posts', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_learning_sessions_community_id'), ['community_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_learning_sessions_community_id_communities'), 'communities', ['community_id'], ['id'])
        batch_op.drop_constraint(op.f('ck_learning_sessions_decided_as'), type_='check')
        batch_op.create_check_constraint('decided_as', "decided_as IS NULL OR decided_as IN ('supervisor', 'coach', 'hr', 'moderator')")
        batch_op.create_check_constraint('community_claim_has_posts', "(community_id IS NULL) = (community_posts IS NULL) AND (community_posts IS NULL OR community_posts > 0)")


def downgrade():
    with op.batch_alter_table('learning_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_learning_sessions_community_claim_has_posts'), type_='check')
        batch_op.drop_constraint(op.f('ck_learning_sessions_decided_as'), type_='check')
        batch_op.create_check_constraint('decided_as', "decided_as IS NULL OR decided_as IN ('supervisor', 'coach', 'hr')")
        batch_op.drop_constraint(batch_op.f('fk_learning_sessions_community_id_communities'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_learning_sessions_community_id'))
        batch_op.drop_column('community_posts')
        batch_op.drop_column('community_id')
