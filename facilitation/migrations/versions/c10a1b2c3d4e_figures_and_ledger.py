"""figures: slips.replied_on_time; the points ledger's day of record and reversals; how an item
is published on the public board

Revision ID: c10a1b2c3d4e
Revises: b9c0d1e2f3a4
Create Date: 2026-12-02 00:30:00

Existing rows are filled in: a reply is on time when it came (local date) on or before the
deadline; a deduction belongs to the local day it was booked, an overdue one to its slip's
deadline.
"""
from alembic import op
import sqlalchemy as sa

import facilitation.timeutil  # noqa: F401  (UTCDateTime columns)


revision = 'c10a1b2c3d4e'
down_revision = 'b9c0d1e2f3a4'
branch_labels = None
depends_on = None

SHANGHAI_OFFSET_HOURS = 8  # Asia/Shanghai has no daylight saving time


def upgrade():
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publication', sa.String(length=16), server_default='full', nullable=False))
        batch_op.add_column(sa.Column('public_summary', sa.String(length=200), nullable=True))
    with op.batch_alter_table('slips', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replied_on_time', sa.Boolean(), nullable=True))
    with op.batch_alter_table('point_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('occurred_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reversed_at', facilitation.timeutil.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('reversed_by_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reversal_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_point_entries_reversed_by_user_id_users'), 'users',
                                    ['reversed_by_user_id'], ['id'])

    connection = op.get_bind()
    import datetime as dt
    offset = dt.timedelta(hours=SHANGHAI_OFFSET_HOURS)
    slips = sa.table('slips', sa.column('id'), sa.column('replied_at', sa.DateTime()),
                     sa.column('due_date', sa.Date()), sa.column('replied_on_time', sa.Boolean()))
    for slip_id, replied_at, due_date in connection.execute(
            sa.select(slips.c.id, slips.c.replied_at, slips.c.due_date).where(slips.c.replied_at.isnot(None))):
        replied_at = _as_datetime(replied_at)
        connection.execute(slips.update().where(slips.c.id == slip_id)
                           .values(replied_on_time=(replied_at + offset).date() <= _as_date(due_date)))
    entries = sa.table('point_entries', sa.column('id'), sa.column('reason', sa.String()),
                       sa.column('slip_id'), sa.column('created_at', sa.DateTime()),
                       sa.column('occurred_on', sa.Date()))
    for entry_id, reason, slip_id, created_at in connection.execute(
            sa.select(entries.c.id, entries.c.reason, entries.c.slip_id, entries.c.created_at)):
        day = (_as_datetime(created_at) + offset).date()
        if reason == 'overdue' and slip_id is not None:
            due = connection.execute(sa.select(slips.c.due_date).where(slips.c.id == slip_id)).scalar()
            if due is not None:
                day = _as_date(due)
        connection.execute(entries.update().where(entries.c.id == entry_id).values(occurred_on=day))

    with op.batch_alter_table('point_entries', schema=None) as batch_op:
        batch_op.alter_column('occurred_on', existing_type=sa.Date(), nullable=False)
        batch_op.create_index(batch_op.f('ix_point_entries_occurred_on'), ['occurred_on'], unique=False)


def _as_datetime(value):
    import datetime as dt
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def _as_date(value):
    import datetime as dt
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def downgrade():
    with op.batch_alter_table('point_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_point_entries_occurred_on'))
        batch_op.drop_constraint(batch_op.f('fk_point_entries_reversed_by_user_id_users'), type_='foreignkey')
        batch_op.drop_column('reversal_reason')
        batch_op.drop_column('reversed_by_user_id')
        batch_op.drop_column('reversed_at')
        batch_op.drop_column('occurred_on')
    with op.batch_alter_table('slips', schema=None) as batch_op:
        batch_op.drop_column('replied_on_time')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_column('public_summary')
        batch_op.drop_column('publication')
