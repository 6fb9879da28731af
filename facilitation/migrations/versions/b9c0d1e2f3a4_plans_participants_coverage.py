"""monthly plans, holidays, approved participant lists, attendance marks, 抓两头 standing

Revision ID: b9c0d1e2f3a4
Revises: a8b1c2d3e4f5
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import facilitation.timeutil  # noqa: F401  (UTCDateTime columns)


revision = 'b9c0d1e2f3a4'
down_revision = 'a8b1c2d3e4f5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('month_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('created_at', facilitation.timeutil.UTCDateTime(), nullable=False),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('published_at', facilitation.timeutil.UTCDateTime(), nullable=True),
    sa.Column('published_by_user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('fk_month_plans_created_by_user_id_users')),
    sa.ForeignKeyConstraint(['published_by_user_id'], ['users.id'], name=op.f('fk_month_plans_published_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_month_plans')),
    sa.UniqueConstraint('month', name=op.f('uq_month_plans_month'))
    )
    op.create_table('holidays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('is_workday', sa.Boolean(), nullable=False),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('fk_holidays_created_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holidays')),
    sa.UniqueConstraint('day', name=op.f('uq_holidays_day'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_month', sa.String(length=7), nullable=True))
        batch_op.add_column(sa.Column('participants_approved_at', facilitation.timeutil.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('participants_approved_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_meetings_plan_month'), ['plan_month'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_meetings_participants_approved_by_id_users'), 'users',
                                    ['participants_approved_by_id'], ['id'])
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('marked_by_user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_participants_marked_by_user_id_users'), 'users',
                                    ['marked_by_user_id'], ['id'])
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('focus_since', facilitation.timeutil.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('standing', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('standing')
        batch_op.drop_column('focus_since')
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_participants_marked_by_user_id_users'), type_='foreignkey')
        batch_op.drop_column('marked_by_user_id')
        batch_op.drop_column('reason')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_meetings_participants_approved_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_meetings_plan_month'))
        batch_op.drop_column('participants_approved_by_id')
        batch_op.drop_column('participants_approved_at')
        batch_op.drop_column('plan_month')
    op.drop_table('holidays')
    op.drop_table('month_plans')
