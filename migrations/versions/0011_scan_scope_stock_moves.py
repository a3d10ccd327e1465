"""scan ids are unique per user and task, not across the warehouse

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 21:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('scan_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=64), server_default='', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_scan_events_scan_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_scan_events_scope'), ['scope', 'scan_id'])


def downgrade() -> None:
    with op.batch_alter_table('scan_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_scan_events_scope'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_scan_events_scan_id'), ['scan_id'])
        batch_op.drop_column('scope')
