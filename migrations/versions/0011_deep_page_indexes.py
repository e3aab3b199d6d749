"""Covering indexes for deep pages of the directory, placements and offers

Revision ID: 0011
Revises: 0006
Create Date: 2026-12-01 20:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_enterprise_status_name', 'enterprise', ['status', 'name', 'id'], unique=False
    )
    op.create_index(
        'ix_placement_status_starts_on', 'placement', ['status', 'starts_on', 'id'], unique=False
    )
    op.create_index(
        'ix_offer_status_starts_on', 'offer', ['status', 'starts_on', 'id'], unique=False
    )


def downgrade():
    op.drop_index('ix_offer_status_starts_on', table_name='offer')
    op.drop_index('ix_placement_status_starts_on', table_name='placement')
    op.drop_index('ix_enterprise_status_name', table_name='enterprise')
