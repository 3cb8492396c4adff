"""Module packages of partner institutions (issue 16): packages, their versions (one per
upload, each reviewed) and the launchable items (SCOs and assets) of a SCORM version.

A package code is unique per partner; for packages of no partner a partial unique index does
what UNIQUE cannot (NULLs are distinct).

Revision ID: 0008p
Revises: 0008a
Create Date: 2026-12-06 04:21:37

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008p'
down_revision = '0008a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('packages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('scorm12', 'scorm2004', 'akademi')", name=op.f('ck_packages_kind')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner_institutions.id'], name=op.f('fk_packages_partner_id_partner_institutions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_packages')),
    sa.UniqueConstraint('partner_id', 'code', name=op.f('uq_packages_partner_id_code'))
    )
    with op.batch_alter_table('packages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_packages_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index('uq_packages_code_no_partner', ['code'], unique=True, sqlite_where=sa.text('partner_id IS NULL'), postgresql_where=sa.text('partner_id IS NULL'))

    op.create_table('package_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('package_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('file_count', sa.Integer(), nullable=False),
    sa.Column('manifest', sa.JSON(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('review_notes', sa.Text(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('in_review', 'returned', 'approved')", name=op.f('ck_package_versions_status')),
    sa.CheckConstraint('size_bytes >= 0 AND file_count >= 0', name=op.f('ck_package_versions_sizes_not_negative')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_package_versions_version_positive')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_package_versions_course_id_courses')),
    sa.ForeignKeyConstraint(['package_id'], ['packages.id'], name=op.f('fk_package_versions_package_id_packages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_package_versions_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_package_versions_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_package_versions')),
    sa.UniqueConstraint('package_id', 'version', name=op.f('uq_package_versions_package_id_version'))
    )
    with op.batch_alter_table('package_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_package_versions_course_id'), ['course_id'], unique=False)

    op.create_table('package_scos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('identifier', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('href', sa.String(length=2000), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('is_visible', sa.Boolean(), nullable=False),
    sa.Column('prerequisites', sa.String(length=2000), nullable=True),
    sa.Column('scorm_type', sa.String(length=5), nullable=False),
    sa.CheckConstraint("scorm_type IN ('sco', 'asset')", name=op.f('ck_package_scos_scorm_type')),
    sa.CheckConstraint('position >= 0 AND depth >= 0', name=op.f('ck_package_scos_position_depth_not_negative')),
    sa.ForeignKeyConstraint(['version_id'], ['package_versions.id'], name=op.f('fk_package_scos_version_id_package_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_package_scos')),
    sa.UniqueConstraint('version_id', 'identifier', name=op.f('uq_package_scos_version_id_identifier'))
    )
    with op.batch_alter_table('package_scos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_package_scos_version_id'), ['version_id'], unique=False)



def downgrade():
    with op.batch_alter_table('package_scos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_package_scos_version_id'))

    op.drop_table('package_scos')
    with op.batch_alter_table('package_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_package_versions_course_id'))

    op.drop_table('package_versions')
    with op.batch_alter_table('packages', schema=None) as batch_op:
        batch_op.drop_index('uq_packages_code_no_partner', sqlite_where=sa.text('partner_id IS NULL'), postgresql_where=sa.text('partner_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_packages_partner_id'))

    op.drop_table('packages')
