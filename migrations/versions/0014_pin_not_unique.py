"""a PIN is a second factor after the badge: two people may choose the same one

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 23:20:00
"""

from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('uq_users_pin_digest', type_='unique')


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_users_pin_digest', ['pin_digest'])
