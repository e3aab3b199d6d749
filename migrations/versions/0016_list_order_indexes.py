"""Indexes matching the teachers' and the administrators' placements lists' order

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-02 00:00:00

A deep page's ids then come from an index-only walk instead of sorting the whole table.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_teacher_list_order',
        'teacher',
        [
            sa.text('(\nCASE\n    WHEN confirmed_at IS NULL THEN 0\n    ELSE 1\nEND)'),
            'name',
            'id',
            'confirmed_at',
            'school_id',
        ],
        unique=False,
    )
    op.create_index(
        'ix_placement_starts_on_id',
        'placement',
        [sa.text('starts_on DESC'), 'id', 'status', 'host_id'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_placement_starts_on_id', table_name='placement')
    op.drop_index('ix_teacher_list_order', table_name='teacher')
