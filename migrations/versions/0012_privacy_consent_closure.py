"""Privacy notice consent on accounts and organisations; account closure requests

Revision ID: 0012
Revises: 0014
Create Date: 2026-12-01 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    # Existing accounts have accepted no version yet: they are asked at their next visit.
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy_version', sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column('privacy_accepted_at', sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    for table in ('enterprise', 'school'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('privacy_version', sa.String(length=20), nullable=True)
            )
            batch_op.add_column(
                sa.Column('privacy_accepted_at', sa.DateTime(timezone=True), nullable=True)
            )

    op.create_table('closure_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('refusal_reason', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending','completed','refused')", name=op.f('ck_closure_request_status_known')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_closure_request_decided_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_closure_request_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closure_request'))
    )
    with op.batch_alter_table('closure_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_closure_request_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_closure_request_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('closure_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_closure_request_user_id'))
        batch_op.drop_index(batch_op.f('ix_closure_request_status'))
    op.drop_table('closure_request')
    for table in ('school', 'enterprise'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('privacy_accepted_at')
            batch_op.drop_column('privacy_version')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
        batch_op.drop_column('privacy_accepted_at')
        batch_op.drop_column('privacy_version')
