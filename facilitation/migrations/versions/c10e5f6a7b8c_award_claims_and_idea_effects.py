"""awards: claim codes, claimed / paid marks; the effect recorded for each idea

Revision ID: c10e5f6a7b8c
Revises: c10a1b2c3d4e
Create Date: 2026-12-02 06:30:00

Awards made before this revision get a fresh claim code each.
"""
import secrets

from alembic import op
import sqlalchemy as sa

import facilitation.timeutil  # noqa: F401  (UTCDateTime columns)


revision = 'c10e5f6a7b8c'
down_revision = 'c10a1b2c3d4e'
branch_labels = None
depends_on = None

# The same alphabet as facilitation.awards.models.CLAIM_ALPHABET, copied so that this
# revision keeps working whatever the model module becomes.
CLAIM_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def upgrade():
    with op.batch_alter_table('idea_awards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_code', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', facilitation.timeutil.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('paid_at', facilitation.timeutil.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('paid_by_user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_idea_awards_paid_by_user_id_users'), 'users',
                                    ['paid_by_user_id'], ['id'])

    connection = op.get_bind()
    awards = sa.table('idea_awards', sa.column('id'), sa.column('claim_code', sa.String()))
    used = set()
    for (award_id,) in connection.execute(sa.select(awards.c.id).order_by(awards.c.id)):
        code = _new_code()
        while code in used:
            code = _new_code()
        used.add(code)
        connection.execute(awards.update().where(awards.c.id == award_id).values(claim_code=code))

    with op.batch_alter_table('idea_awards', schema=None) as batch_op:
        batch_op.alter_column('claim_code', existing_type=sa.String(length=8), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_idea_awards_claim_code'), ['claim_code'])

    op.create_table('idea_effects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('implementation', sa.Text(), nullable=True),
    sa.Column('effect', sa.Text(), nullable=True),
    sa.Column('benefit_yuan', sa.Integer(), nullable=True),
    sa.Column('recorded_by_user_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', facilitation.timeutil.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_idea_effects_item_id_items')),
    sa.ForeignKeyConstraint(['recorded_by_user_id'], ['users.id'], name=op.f('fk_idea_effects_recorded_by_user_id_users')),
    sa.ForeignKeyConstraint(['review_id'], ['idea_reviews.id'], name=op.f('fk_idea_effects_review_id_idea_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_effects')),
    sa.UniqueConstraint('review_id', 'item_id', name=op.f('uq_idea_effects_review_id_item_id'))
    )
    with op.batch_alter_table('idea_effects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_effects_item_id'), ['item_id'], unique=False)


def _new_code():
    return "".join(secrets.choice(CLAIM_ALPHABET) for _ in range(8))


def downgrade():
    with op.batch_alter_table('idea_effects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_effects_item_id'))
    op.drop_table('idea_effects')
    with op.batch_alter_table('idea_awards', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_idea_awards_claim_code'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_idea_awards_paid_by_user_id_users'), type_='foreignkey')
        batch_op.drop_column('paid_by_user_id')
        batch_op.drop_column('paid_at')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('claim_code')
