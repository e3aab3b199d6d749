"""Assessment of integrated-major construction: panels, scores, conclusions; batch demonstration threshold

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 23:00:00

Existing rows stay valid: the batch threshold is nullable (not set), and no existing major's
stage changes; only later stage changes need an assessment.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programme_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('demonstration_threshold', sa.Float(), nullable=True))
        batch_op.create_check_constraint(
            'threshold_in_range',
            sa.text('demonstration_threshold IS NULL OR demonstration_threshold BETWEEN 0 AND 100'),
        )

    op.create_table('programme_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('mean_score', sa.Float(), nullable=True),
    sa.Column('result', sa.String(length=10), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('concluded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('concluded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open','concluded')", name=op.f('ck_programme_assessment_status_known')),
    sa.CheckConstraint("result IS NULL OR result IN ('passed','not_passed')", name=op.f('ck_programme_assessment_result_known')),
    sa.CheckConstraint("(status = 'concluded') = (result IS NOT NULL)", name=op.f('ck_programme_assessment_result_when_concluded')),
    sa.CheckConstraint('mean_score IS NULL OR mean_score BETWEEN 0 AND 100', name=op.f('ck_programme_assessment_mean_in_range')),
    sa.ForeignKeyConstraint(['application_id'], ['programme_batch_application.id'], name=op.f('fk_programme_assessment_application_id_programme_batch_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['concluded_by_id'], ['user_account.id'], name=op.f('fk_programme_assessment_concluded_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['opened_by_id'], ['user_account.id'], name=op.f('fk_programme_assessment_opened_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_assessment'))
    )
    with op.batch_alter_table('programme_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_assessment_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_assessment_status'), ['status'], unique=False)

    op.create_table('programme_assessment_assessor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('total', sa.Float(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('total IS NULL OR total BETWEEN 0 AND 100', name=op.f('ck_programme_assessment_assessor_total_in_range')),
    sa.ForeignKeyConstraint(['assessment_id'], ['programme_assessment.id'], name=op.f('fk_programme_assessment_assessor_assessment_id_programme_assessment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_programme_assessment_assessor_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_assessment_assessor')),
    sa.UniqueConstraint('assessment_id', 'user_id', name='uq_programme_assessment_assessor')
    )
    with op.batch_alter_table('programme_assessment_assessor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_assessment_assessor_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_assessment_assessor_user_id'), ['user_id'], unique=False)

    op.create_table('programme_assessment_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessor_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.CheckConstraint('score BETWEEN 0 AND 100', name=op.f('ck_programme_assessment_score_score_in_range')),
    sa.ForeignKeyConstraint(['assessor_id'], ['programme_assessment_assessor.id'], name=op.f('fk_programme_assessment_score_assessor_id_programme_assessment_assessor'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['indicator_id'], ['programme_indicator.id'], name=op.f('fk_programme_assessment_score_indicator_id_programme_indicator')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_assessment_score')),
    sa.UniqueConstraint('assessor_id', 'indicator_id', name='uq_programme_assessment_score')
    )
    with op.batch_alter_table('programme_assessment_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_assessment_score_assessor_id'), ['assessor_id'], unique=False)


def downgrade():
    with op.batch_alter_table('programme_assessment_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_assessment_score_assessor_id'))
    op.drop_table('programme_assessment_score')
    with op.batch_alter_table('programme_assessment_assessor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_assessment_assessor_user_id'))
        batch_op.drop_index(batch_op.f('ix_programme_assessment_assessor_assessment_id'))
    op.drop_table('programme_assessment_assessor')
    with op.batch_alter_table('programme_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_assessment_status'))
        batch_op.drop_index(batch_op.f('ix_programme_assessment_application_id'))
    op.drop_table('programme_assessment')
    with op.batch_alter_table('programme_batch', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_programme_batch_threshold_in_range'), type_='check')
        batch_op.drop_column('demonstration_threshold')
