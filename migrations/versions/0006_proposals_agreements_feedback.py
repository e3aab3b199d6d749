"""Direct pairing proposals; unguessable practice certificate numbers; agreements; feedback

Revision ID: 0006
Revises: 0007
Create Date: 2026-12-01 19:30:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0007'
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

    # Agreements of pairings, practices and training programmes, one row per version.
    op.create_table('agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=10), nullable=False),
    sa.Column('pairing_id', sa.Integer(), nullable=True),
    sa.Column('practice_id', sa.Integer(), nullable=True),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('previous_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('terms', sa.Text(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('teacher_id', sa.Integer(), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('file_stored_name', sa.String(length=80), nullable=True),
    sa.Column('file_original_name', sa.String(length=255), nullable=True),
    sa.Column('file_content_type', sa.String(length=100), nullable=True),
    sa.Column('file_size', sa.Integer(), nullable=True),
    sa.Column('file_sha256', sa.String(length=64), nullable=True),
    sa.Column('file_uploaded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_notice_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(subject = 'pairing' AND pairing_id IS NOT NULL AND practice_id IS NULL AND programme_id IS NULL) OR (subject = 'practice' AND practice_id IS NOT NULL AND pairing_id IS NULL AND programme_id IS NULL) OR (subject = 'programme' AND programme_id IS NOT NULL AND pairing_id IS NULL AND practice_id IS NULL)", name=op.f('ck_agreement_one_subject')),
    sa.CheckConstraint("state IN ('pending','active','superseded')", name=op.f('ck_agreement_state_known')),
    sa.CheckConstraint("subject IN ('pairing','practice','programme')", name=op.f('ck_agreement_subject_known')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_agreement_period_ordered')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_agreement_version_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_agreement_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_agreement_enterprise_id_enterprise'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pairing_id'], ['pairing.id'], name=op.f('fk_agreement_pairing_id_pairing'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_agreement_practice_id_practice'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['previous_id'], ['agreement.id'], name=op.f('fk_agreement_previous_id_agreement'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['training_programme.id'], name=op.f('fk_agreement_programme_id_training_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_agreement_region_code_region')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_agreement_school_id_school'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['teacher_id'], ['teacher.id'], name=op.f('fk_agreement_teacher_id_teacher'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement')),
    sa.UniqueConstraint('file_stored_name', name=op.f('uq_agreement_file_stored_name')),
    sa.UniqueConstraint('previous_id', name='uq_agreement_previous'),
    sa.UniqueConstraint('pairing_id', 'version', name='uq_agreement_pairing_version'),
    sa.UniqueConstraint('practice_id', 'version', name='uq_agreement_practice_version'),
    sa.UniqueConstraint('programme_id', 'version', name='uq_agreement_programme_version')
    )
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_ends_on'), ['ends_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_pairing_id'), ['pairing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_practice_id'), ['practice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_subject'), ['subject'], unique=False)

    op.create_table('agreement_party',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('party', sa.String(length=10), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("party IN ('school','enterprise','teacher')", name=op.f('ck_agreement_party_party_known')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_agreement_party_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user_account.id'], name=op.f('fk_agreement_party_confirmed_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_party')),
    sa.UniqueConstraint('agreement_id', 'party', name='uq_agreement_party')
    )

    # Ratings after practices and on pairings, one per person per occasion.
    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occasion', sa.String(length=15), nullable=False),
    sa.Column('occasion_key', sa.String(length=60), nullable=False),
    sa.Column('side', sa.String(length=10), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=True),
    sa.Column('pairing_id', sa.Integer(), nullable=True),
    sa.Column('host_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('occupation_code', sa.String(length=10), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("occasion IN ('placement','practice','pairing_year','pairing_end')", name=op.f('ck_feedback_occasion_known')),
    sa.CheckConstraint("side IN ('teacher','school','enterprise')", name=op.f('ck_feedback_side_known')),
    sa.CheckConstraint('score >= 1 AND score <= 5', name=op.f('ck_feedback_score_in_range')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_feedback_author_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['host_id'], ['host.id'], name=op.f('fk_feedback_host_id_host'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['occupation_code'], ['occupation.code'], name=op.f('fk_feedback_occupation_code_occupation')),
    sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_feedback_offer_id_offer'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pairing_id'], ['pairing.id'], name=op.f('fk_feedback_pairing_id_pairing'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_feedback_practice_id_practice'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_feedback_region_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback')),
    sa.UniqueConstraint('author_id', 'occasion_key', name='uq_feedback_author_occasion')
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_host_id'), ['host_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_occasion'), ['occasion'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_occupation_code'), ['occupation_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_pairing_id'), ['pairing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_practice_id'), ['practice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_region_code'), ['region_code'], unique=False)



def downgrade():
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_host_id'), ['host_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_occasion'), ['occasion'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_occupation_code'), ['occupation_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_pairing_id'), ['pairing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_practice_id'), ['practice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_region_code'), ['region_code'], unique=False)

    # ### end Alembic commands ###


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_region_code'))
        batch_op.drop_index(batch_op.f('ix_feedback_practice_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_pairing_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_offer_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_occupation_code'))
        batch_op.drop_index(batch_op.f('ix_feedback_occasion'))
        batch_op.drop_index(batch_op.f('ix_feedback_host_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_author_id'))

    op.drop_table('feedback')
    op.drop_table('agreement_party')
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_subject'))
        batch_op.drop_index(batch_op.f('ix_agreement_state'))
        batch_op.drop_index(batch_op.f('ix_agreement_school_id'))
        batch_op.drop_index(batch_op.f('ix_agreement_region_code'))
        batch_op.drop_index(batch_op.f('ix_agreement_programme_id'))
        batch_op.drop_index(batch_op.f('ix_agreement_practice_id'))
        batch_op.drop_index(batch_op.f('ix_agreement_pairing_id'))
        batch_op.drop_index(batch_op.f('ix_agreement_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_agreement_ends_on'))

    op.drop_table('agreement')
    with op.batch_alter_table('practice', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_practice_certificate_no'), type_='unique')
        batch_op.drop_column('certificate_no')

    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_status'))
        batch_op.drop_index(batch_op.f('ix_proposal_school_major_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_pairing_request_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_offer_id'))

    op.drop_table('proposal')
