"""Direct pairing proposals; unguessable practice certificate numbers

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-01 19:30:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0003'
branch_labels = None
depends_on = None

# Copied from app/cooperation/models.py so this migration never changes with the code.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _certificate_no() -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"GX-{body[:4]}-{body[4:8]}-{body[8:]}"


def upgrade():
    op.create_table('proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('school_major_id', sa.Integer(), nullable=False),
    sa.Column('pairing_request_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('pairing_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("direction IN ('to_request','to_offer')", name=op.f('ck_proposal_direction_known')),
    sa.CheckConstraint("status IN ('pending','accepted','declined')", name=op.f('ck_proposal_status_known')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_proposal_decided_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_proposal_offer_id_offer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pairing_id'], ['pairing.id'], name=op.f('fk_proposal_pairing_id_pairing'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pairing_request_id'], ['pairing_request.id'], name=op.f('fk_proposal_pairing_request_id_pairing_request'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['user_account.id'], name=op.f('fk_proposal_proposed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_major_id'], ['school_major.id'], name=op.f('fk_proposal_school_major_id_school_major'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal'))
    )
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_pairing_request_id'), ['pairing_request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_school_major_id'), ['school_major_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_status'), ['status'], unique=False)

    # Certificate numbers: add nullable, give every existing practice a random number, then
    # make the column required and unique.
    with op.batch_alter_table('practice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificate_no', sa.String(length=24), nullable=True))
    bind = op.get_bind()
    practice = sa.table('practice', sa.column('id', sa.Integer), sa.column('certificate_no', sa.String))
    ids = [row.id for row in bind.execute(sa.select(practice.c.id).where(practice.c.certificate_no.is_(None)))]
    issued = set()
    for practice_id in ids:
        number = _certificate_no()
        while number in issued:
            number = _certificate_no()
        issued.add(number)
        bind.execute(practice.update().where(practice.c.id == practice_id).values(certificate_no=number))
    with op.batch_alter_table('practice', schema=None) as batch_op:
        batch_op.alter_column('certificate_no', existing_type=sa.String(length=24), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_practice_certificate_no'), ['certificate_no'])


def downgrade():
    with op.batch_alter_table('practice', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_practice_certificate_no'), type_='unique')
        batch_op.drop_column('certificate_no')

    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_status'))
        batch_op.drop_index(batch_op.f('ix_proposal_school_major_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_pairing_request_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_offer_id'))

    op.drop_table('proposal')
