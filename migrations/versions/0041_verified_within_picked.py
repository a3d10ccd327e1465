"""a unit is verified at the pack table only once it was picked

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-06 19:00:00
"""

from alembic import op


revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('pick_items', schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f('ck_pick_items_verified_within_picked'), 'verified >= 0 AND verified <= picked'
        )


def downgrade() -> None:
    with op.batch_alter_table('pick_items', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_pick_items_verified_within_picked'), type_='check')
