"""Issue 17: a cohort participant's coach, mentor and examiners (cohort_roles) and the workplace
project (aktualisasi / aksi perubahan): proposal and review rounds, milestones, the logbook with
evidence files, the seminar and the assessors' rubric scores.

New tables only; nothing existing changes.

Revision ID: 0009e
Revises: 0009g
Create Date: 2026-12-06 06:53:48

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009e"
down_revision = "0009g"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cohort_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('coach', 'mentor', 'examiner')", name=op.f('ck_cohort_roles_role')),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_cohort_roles_assigned_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['cohort_members.id'], name=op.f('fk_cohort_roles_member_id_cohort_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_cohort_roles_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_roles')),
    sa.UniqueConstraint('member_id', 'role', 'user_id', name=op.f('uq_cohort_roles_member_id_role_user_id'))
    )
    with op.batch_alter_table('cohort_roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_roles_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohort_roles_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_cohort_roles_single', ['member_id', 'role'], unique=True, sqlite_where=sa.text("role IN ('coach', 'mentor')"), postgresql_where=sa.text("role IN ('coach', 'mentor')"))

    op.create_table('workplace_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('stakeholders', sa.Text(), nullable=False),
    sa.Column('expected_change', sa.Text(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assessed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('final_score', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('band', sa.String(length=60), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('weights', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(state = 'assessed') = (final_score IS NOT NULL AND passed IS NOT NULL)", name=op.f('ck_workplace_projects_assessed_has_score')),
    sa.CheckConstraint("kind IN ('aktualisasi', 'aksi_perubahan')", name=op.f('ck_workplace_projects_kind')),
    sa.CheckConstraint("state IN ('draft', 'proposal_submitted', 'returned', 'approved', 'implementing', 'seminar_scheduled', 'seminar_held', 'assessed')", name=op.f('ck_workplace_projects_state')),
    sa.CheckConstraint('final_score IS NULL OR (final_score >= 0 AND final_score <= 100)', name=op.f('ck_workplace_projects_score_range')),
    sa.CheckConstraint('round >= 0', name=op.f('ck_workplace_projects_round_not_negative')),
    sa.ForeignKeyConstraint(['member_id'], ['cohort_members.id'], name=op.f('fk_workplace_projects_member_id_cohort_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workplace_projects')),
    sa.UniqueConstraint('member_id', name=op.f('uq_workplace_projects_member_id'))
    )
    with op.batch_alter_table('workplace_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workplace_projects_state'), ['state'], unique=False)

    op.create_table('project_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('assessor_id', sa.Integer(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('total', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('coach', 'mentor', 'examiner')", name=op.f('ck_project_assessments_role')),
    sa.CheckConstraint('total >= 0 AND total <= 100', name=op.f('ck_project_assessments_total_range')),
    sa.ForeignKeyConstraint(['assessor_id'], ['users.id'], name=op.f('fk_project_assessments_assessor_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['project_id'], ['workplace_projects.id'], name=op.f('fk_project_assessments_project_id_workplace_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_assessments')),
    sa.UniqueConstraint('project_id', 'role', 'assessor_id', name=op.f('uq_project_assessments_project_id_role_assessor_id'))
    )
    with op.batch_alter_table('project_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_assessments_project_id'), ['project_id'], unique=False)

    op.create_table('project_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['workplace_projects.id'], name=op.f('fk_project_milestones_project_id_workplace_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_milestones')),
    sa.UniqueConstraint('project_id', 'position', name=op.f('uq_project_milestones_project_id_position'))
    )
    with op.batch_alter_table('project_milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_milestones_project_id'), ['project_id'], unique=False)

    op.create_table('project_seminars',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('scheduled_by_id', sa.Integer(), nullable=True),
    sa.Column('held_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['workplace_projects.id'], name=op.f('fk_project_seminars_project_id_workplace_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['scheduled_by_id'], ['users.id'], name=op.f('fk_project_seminars_scheduled_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_seminars')),
    sa.UniqueConstraint('project_id', name=op.f('uq_project_seminars_project_id'))
    )
    op.create_table('project_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.CheckConstraint('round >= 1', name=op.f('ck_project_submissions_round_positive')),
    sa.ForeignKeyConstraint(['project_id'], ['workplace_projects.id'], name=op.f('fk_project_submissions_project_id_workplace_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_submissions')),
    sa.UniqueConstraint('project_id', 'round', name=op.f('uq_project_submissions_project_id_round'))
    )
    with op.batch_alter_table('project_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_submissions_project_id'), ['project_id'], unique=False)

    op.create_table('project_log_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=False),
    sa.Column('activity', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(state = 'submitted') = (decided_at IS NULL)", name=op.f('ck_project_log_entries_decided_unless_submitted')),
    sa.CheckConstraint("state <> 'returned' OR length(comment) > 0", name=op.f('ck_project_log_entries_returned_has_comment')),
    sa.CheckConstraint("state IN ('submitted', 'confirmed', 'returned')", name=op.f('ck_project_log_entries_state')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_project_log_entries_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['milestone_id'], ['project_milestones.id'], name=op.f('fk_project_log_entries_milestone_id_project_milestones'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['project_id'], ['workplace_projects.id'], name=op.f('fk_project_log_entries_project_id_workplace_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_log_entries'))
    )
    with op.batch_alter_table('project_log_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_log_entries_milestone_id'), ['milestone_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_log_entries_project_id'), ['project_id'], unique=False)

    op.create_table('project_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("decision = 'approved' OR length(comment) > 0", name=op.f('ck_project_reviews_returned_has_comment')),
    sa.CheckConstraint("decision IN ('approved', 'returned')", name=op.f('ck_project_reviews_decision')),
    sa.CheckConstraint("role IN ('coach', 'mentor')", name=op.f('ck_project_reviews_role')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_project_reviews_reviewer_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['submission_id'], ['project_submissions.id'], name=op.f('fk_project_reviews_submission_id_project_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_reviews')),
    sa.UniqueConstraint('submission_id', 'role', name=op.f('uq_project_reviews_submission_id_role'))
    )
    with op.batch_alter_table('project_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_reviews_submission_id'), ['submission_id'], unique=False)

    op.create_table('project_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('mimetype', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size > 0', name=op.f('ck_project_evidence_size_positive')),
    sa.ForeignKeyConstraint(['entry_id'], ['project_log_entries.id'], name=op.f('fk_project_evidence_entry_id_project_log_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_evidence')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_project_evidence_storage_key'))
    )
    with op.batch_alter_table('project_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_evidence_entry_id'), ['entry_id'], unique=False)



def downgrade():
    with op.batch_alter_table('project_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_evidence_entry_id'))

    op.drop_table('project_evidence')
    with op.batch_alter_table('project_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_reviews_submission_id'))

    op.drop_table('project_reviews')
    with op.batch_alter_table('project_log_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_log_entries_project_id'))
        batch_op.drop_index(batch_op.f('ix_project_log_entries_milestone_id'))

    op.drop_table('project_log_entries')
    with op.batch_alter_table('project_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_submissions_project_id'))

    op.drop_table('project_submissions')
    op.drop_table('project_seminars')
    with op.batch_alter_table('project_milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_milestones_project_id'))

    op.drop_table('project_milestones')
    with op.batch_alter_table('project_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_assessments_project_id'))

    op.drop_table('project_assessments')
    with op.batch_alter_table('workplace_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workplace_projects_state'))

    op.drop_table('workplace_projects')
    with op.batch_alter_table('cohort_roles', schema=None) as batch_op:
        batch_op.drop_index('uq_cohort_roles_single', sqlite_where=sa.text("role IN ('coach', 'mentor')"), postgresql_where=sa.text("role IN ('coach', 'mentor')"))
        batch_op.drop_index(batch_op.f('ix_cohort_roles_user_id'))
        batch_op.drop_index(batch_op.f('ix_cohort_roles_member_id'))

    op.drop_table('cohort_roles')
