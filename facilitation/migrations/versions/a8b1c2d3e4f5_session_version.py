"""users.session_version: logout, a password change or deactivation end the user's sessions

Revision ID: a8b1c2d3e4f5
Revises: 4e408b91bf54
Create Date: 2026-12-01 22:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a8b1c2d3e4f5'
down_revision = '4e408b91bf54'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
