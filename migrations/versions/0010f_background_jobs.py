"""Work off the request path (issue 19 point 4): ``question_import_jobs`` records a confirmed
question-bank upload, its progress and its outcome, so the confirm page answers at once; and a
report's PDF summary becomes a background export like a large XLSX (``report_exports.format``
may be ``pdf``).

No data is moved: a new table and a wider check.

Revision ID: 0010f
Revises: 0009m
Create Date: 2026-12-06 10:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010f'
down_revision = "0009m"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('question_import_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('category', sa.String(length=255), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('file_key', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('imported', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("format IN ('gift', 'aiken')", name=op.f('ck_question_import_jobs_format')),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_question_import_jobs_status')),
    sa.CheckConstraint('progress >= 0 AND progress <= 100', name=op.f('ck_question_import_jobs_progress_range')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_question_import_jobs_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_question_import_jobs_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_import_jobs'))
    )
    with op.batch_alter_table('question_import_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_import_jobs_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_import_jobs_owner_id'), ['owner_id'], unique=False)
    with op.batch_alter_table('report_exports', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_report_exports_format'), type_='check')
        batch_op.create_check_constraint('format', "format IN ('xlsx', 'csv', 'pdf')")


def downgrade():
    op.execute("DELETE FROM report_exports WHERE format = 'pdf'")
    with op.batch_alter_table('report_exports', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_report_exports_format'), type_='check')
        batch_op.create_check_constraint('format', "format IN ('xlsx', 'csv')")
    with op.batch_alter_table('question_import_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_import_jobs_owner_id'))
        batch_op.drop_index(batch_op.f('ix_question_import_jobs_course_id'))
    op.drop_table('question_import_jobs')
