"""standing QR channel (一码通): channels; channel items (idempotent per channel, the submitter's
工号, roster match and callback phone); the leader's instruction and the public-summary choice on
slips; the callback log (反馈电话)

Revision ID: e12f3a4b5c6d
Revises: c10e5f6a7b8c
Create Date: 2026-12-03 09:00:00
"""
from alembic import op
import sqlalchemy as sa

import facilitation.timeutil  # noqa: F401  (UTCDateTime columns)


revision = 'e12f3a4b5c6d'
down_revision = 'c10e5f6a7b8c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('channels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('invitation', sa.String(length=120), nullable=True),
    sa.Column('reply_promise', sa.String(length=80), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('supervisor_user_id', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', facilitation.timeutil.UTCDateTime(), nullable=False),
    sa.Column('updated_at', facilitation.timeutil.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('fk_channels_created_by_user_id_users')),
    sa.ForeignKeyConstraint(['supervisor_user_id'], ['users.id'], name=op.f('fk_channels_supervisor_user_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_channels_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channels')),
    sa.UniqueConstraint('code', name=op.f('uq_channels_code')),
    sa.UniqueConstraint('name', name=op.f('uq_channels_name'))
    )
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.create_index('uq_channels_default', ['is_default'], unique=True,
                              sqlite_where=sa.text('is_default = 1'), postgresql_where=sa.text('is_default'))

    # Other tables point to items: SQLite cannot copy it (which adding a constraint takes) with
    # foreign keys on. Its columns carry their references inline; the unique pair is an index.
    _add_reference('items', 'channel_id', 'channels', 'fk_items_channel_id_channels')
    _add_reference('items', 'person_id', 'people', 'fk_items_person_id_people')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitter_employee_no', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_items_channel_id'), ['channel_id'], unique=False)
        batch_op.create_index('uq_items_channel_id_client_id', ['channel_id', 'client_id'], unique=True)

    with op.batch_alter_table('slips', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instruction', sa.Text(), nullable=True))

    op.create_table('slip_callbacks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slip_id', sa.Integer(), nullable=False),
    sa.Column('called_at', facilitation.timeutil.UTCDateTime(), nullable=False),
    sa.Column('caller', sa.String(length=64), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('reaction', sa.String(length=16), nullable=False),
    sa.Column('reaction_note', sa.Text(), nullable=True),
    sa.Column('recorded_by_user_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', facilitation.timeutil.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_user_id'], ['users.id'], name=op.f('fk_slip_callbacks_recorded_by_user_id_users')),
    sa.ForeignKeyConstraint(['slip_id'], ['slips.id'], name=op.f('fk_slip_callbacks_slip_id_slips'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slip_callbacks'))
    )
    with op.batch_alter_table('slip_callbacks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slip_callbacks_slip_id'), ['slip_id'], unique=False)

    op.create_table('summary_picks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('slip_id', sa.Integer(), nullable=False),
    sa.Column('picked_by_user_id', sa.Integer(), nullable=True),
    sa.Column('picked_at', facilitation.timeutil.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['picked_by_user_id'], ['users.id'], name=op.f('fk_summary_picks_picked_by_user_id_users')),
    sa.ForeignKeyConstraint(['slip_id'], ['slips.id'], name=op.f('fk_summary_picks_slip_id_slips'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_summary_picks')),
    sa.UniqueConstraint('month', 'slip_id', name=op.f('uq_summary_picks_month_slip_id'))
    )
    with op.batch_alter_table('summary_picks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_summary_picks_month'), ['month'], unique=False)


def _is_sqlite():
    return op.get_bind().dialect.name == 'sqlite'


def _add_reference(table, column, target, name):
    if _is_sqlite():
        op.execute(f'ALTER TABLE {table} ADD COLUMN {column} INTEGER REFERENCES {target} (id)')
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(name, table, target, [column], ['id'])


def _drop_reference(table, column, name):
    if _is_sqlite():
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')  # SQLite 3.35+, no table copy
    else:
        op.drop_constraint(name, table, type_='foreignkey')
        op.drop_column(table, column)


def downgrade():
    with op.batch_alter_table('summary_picks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_summary_picks_month'))
    op.drop_table('summary_picks')
    with op.batch_alter_table('slip_callbacks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slip_callbacks_slip_id'))
    op.drop_table('slip_callbacks')
    if _is_sqlite():
        op.execute('ALTER TABLE slips DROP COLUMN instruction')
    else:
        op.drop_column('slips', 'instruction')
    # Channel items stay (as qr items without a channel, which the schema before knew).
    op.execute('UPDATE items SET channel_id = NULL, person_id = NULL')
    op.drop_index('uq_items_channel_id_client_id', table_name='items')
    op.drop_index(op.f('ix_items_channel_id'), table_name='items')
    for column in ('contact_phone', 'submitter_employee_no'):
        if _is_sqlite():
            op.execute(f'ALTER TABLE items DROP COLUMN {column}')
        else:
            op.drop_column('items', column)
    _drop_reference('items', 'person_id', 'fk_items_person_id_people')
    _drop_reference('items', 'channel_id', 'fk_items_channel_id_channels')
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.drop_index('uq_channels_default', sqlite_where=sa.text('is_default = 1'),
                            postgresql_where=sa.text('is_default'))
    op.drop_table('channels')
