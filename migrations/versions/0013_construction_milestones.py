"""Construction milestones of selected integrated majors, with evidence files

Revision ID: 0013
Revises: 0005
Create Date: 2026-12-01 22:36:42

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('programme_milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('achieved_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('curriculum','venue','teachers_trained','resources_reviewed','first_cohort')", name=op.f('ck_programme_milestone_kind_known')),
    sa.ForeignKeyConstraint(['application_id'], ['programme_batch_application.id'], name=op.f('fk_programme_milestone_application_id_programme_batch_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_programme_milestone_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_milestone')),
    sa.UniqueConstraint('application_id', 'kind', name='uq_programme_milestone_kind')
    )
    with op.batch_alter_table('programme_milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_milestone_application_id'), ['application_id'], unique=False)

    op.create_table('programme_milestone_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('file_type', sa.String(length=10), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['milestone_id'], ['programme_milestone.id'], name=op.f('fk_programme_milestone_file_milestone_id_programme_milestone'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_programme_milestone_file_uploaded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_milestone_file')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_programme_milestone_file_stored_name'))
    )
    with op.batch_alter_table('programme_milestone_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_milestone_file_milestone_id'), ['milestone_id'], unique=False)



def downgrade():
    with op.batch_alter_table('programme_milestone_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_milestone_file_milestone_id'))

    op.drop_table('programme_milestone_file')
    with op.batch_alter_table('programme_milestone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_milestone_application_id'))

    op.drop_table('programme_milestone')
