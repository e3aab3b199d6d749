"""Programme selection: league recommendation, public notice, objections, limit exceptions, reminders, graduate outcomes, certification basis

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-01 19:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0004'
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('submitted','rejected','selected','under_construction','assessed','demonstration')"
NEW_STATUSES = (
    "status IN ('submitted','returned','recommended','rejected','withdrawn','selected',"
    "'under_construction','assessed','demonstration')"
)


def upgrade():
    with op.batch_alter_table('programme_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_starts_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('notice_ends_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('notice_published_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('programme_batch_application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recommendation_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('recommended_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('recommended_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_programme_batch_application_recommended_by_id_user_account'),
            'user_account', ['recommended_by_id'], ['id'], ondelete='SET NULL',
        )
        batch_op.drop_constraint(op.f('ck_programme_batch_application_status_known'), type_='check')
        batch_op.create_check_constraint('status_known', sa.text(NEW_STATUSES))

    op.create_table('programme_objection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('lodged_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open','upheld','dismissed')", name=op.f('ck_programme_objection_status_known')),
    sa.ForeignKeyConstraint(['application_id'], ['programme_batch_application.id'], name=op.f('fk_programme_objection_application_id_programme_batch_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_programme_objection_answered_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['batch_id'], ['programme_batch.id'], name=op.f('fk_programme_objection_batch_id_programme_batch'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lodged_by_id'], ['user_account.id'], name=op.f('fk_programme_objection_lodged_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_objection'))
    )
    with op.batch_alter_table('programme_objection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_objection_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_objection_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_objection_status'), ['status'], unique=False)

    op.create_table('programme_limit_exception',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('extra', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('extra >= 1', name=op.f('ck_programme_limit_exception_extra_positive')),
    sa.ForeignKeyConstraint(['batch_id'], ['programme_batch.id'], name=op.f('fk_programme_limit_exception_batch_id_programme_batch'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['granted_by_id'], ['user_account.id'], name=op.f('fk_programme_limit_exception_granted_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_programme_limit_exception_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_limit_exception')),
    sa.UniqueConstraint('batch_id', 'school_id', name='uq_programme_limit_exception_school')
    )
    with op.batch_alter_table('programme_limit_exception', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_limit_exception_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_limit_exception_school_id'), ['school_id'], unique=False)

    op.create_table('programme_sent_reminder',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_programme_sent_reminder'))
    )

    op.create_table('programme_graduate_outcome',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_major_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('cohort', sa.Integer(), nullable=False),
    sa.Column('certified_route', sa.Integer(), nullable=False),
    sa.Column('certified_exam', sa.Integer(), nullable=False),
    sa.Column('employed', sa.Integer(), nullable=False),
    sa.Column('employed_partner', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('cohort >= 0', name=op.f('ck_programme_graduate_outcome_cohort_non_negative')),
    sa.CheckConstraint('certified_route >= 0 AND certified_exam >= 0 AND employed >= 0 AND employed_partner >= 0', name=op.f('ck_programme_graduate_outcome_figures_non_negative')),
    sa.CheckConstraint('certified_route + certified_exam <= cohort', name=op.f('ck_programme_graduate_outcome_certified_in_cohort')),
    sa.CheckConstraint('employed <= cohort', name=op.f('ck_programme_graduate_outcome_employed_in_cohort')),
    sa.CheckConstraint('employed_partner <= employed', name=op.f('ck_programme_graduate_outcome_partner_in_employed')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_programme_graduate_outcome_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_major_id'], ['school_major.id'], name=op.f('fk_programme_graduate_outcome_school_major_id_school_major'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_graduate_outcome')),
    sa.UniqueConstraint('school_major_id', 'year', name='uq_programme_graduate_outcome_year')
    )
    with op.batch_alter_table('programme_graduate_outcome', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_graduate_outcome_school_major_id'), ['school_major_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_graduate_outcome_year'), ['year'], unique=False)

    with op.batch_alter_table('certification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('basis', sa.String(length=12), server_default='examination', nullable=False))
        batch_op.create_check_constraint('basis_known', sa.text("basis IN ('route','examination')"))


def downgrade():
    with op.batch_alter_table('certification', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_certification_basis_known'), type_='check')
        batch_op.drop_column('basis')
    with op.batch_alter_table('programme_graduate_outcome', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_graduate_outcome_year'))
        batch_op.drop_index(batch_op.f('ix_programme_graduate_outcome_school_major_id'))
    op.drop_table('programme_graduate_outcome')
    op.drop_table('programme_sent_reminder')
    with op.batch_alter_table('programme_limit_exception', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_limit_exception_school_id'))
        batch_op.drop_index(batch_op.f('ix_programme_limit_exception_batch_id'))
    op.drop_table('programme_limit_exception')
    with op.batch_alter_table('programme_objection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_objection_status'))
        batch_op.drop_index(batch_op.f('ix_programme_objection_batch_id'))
        batch_op.drop_index(batch_op.f('ix_programme_objection_application_id'))
    op.drop_table('programme_objection')

    # Statuses the old schema does not know fall back to the nearest old one.
    op.execute(
        "UPDATE programme_batch_application SET status = 'submitted' "
        "WHERE status IN ('returned','recommended')"
    )
    op.execute(
        "UPDATE programme_batch_application SET status = 'rejected' WHERE status = 'withdrawn'"
    )
    with op.batch_alter_table('programme_batch_application', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_programme_batch_application_status_known'), type_='check')
        batch_op.create_check_constraint('status_known', sa.text(OLD_STATUSES))
        batch_op.drop_constraint(
            batch_op.f('fk_programme_batch_application_recommended_by_id_user_account'),
            type_='foreignkey',
        )
        batch_op.drop_column('recommended_by_id')
        batch_op.drop_column('recommended_at')
        batch_op.drop_column('recommendation_reason')

    with op.batch_alter_table('programme_batch', schema=None) as batch_op:
        batch_op.drop_column('notice_published_at')
        batch_op.drop_column('notice_ends_on')
        batch_op.drop_column('notice_starts_on')
