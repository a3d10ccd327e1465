"""scan ids are unique per user and task, not across the warehouse; stock moves

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
    op.create_table('stock_moves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('shortage_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("reason IN ('suspected_shortage', 'damaged', 'count')", name=op.f('ck_stock_moves_reason')),
    sa.CheckConstraint('quantity <> 0', name=op.f('ck_stock_moves_not_zero')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_stock_moves_location_id_locations')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_stock_moves_product_id_products')),
    sa.ForeignKeyConstraint(['shortage_id'], ['shortages.id'], name=op.f('fk_stock_moves_shortage_id_shortages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_stock_moves_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_moves'))
    )
    with op.batch_alter_table('stock_moves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_moves_shortage_id'), ['shortage_id'], unique=False)

    with op.batch_alter_table('scan_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=64), server_default='', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_scan_events_scan_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_scan_events_scope'), ['scope', 'scan_id'])


def downgrade() -> None:
    with op.batch_alter_table('stock_moves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_moves_shortage_id'))
    op.drop_table('stock_moves')
    with op.batch_alter_table('scan_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_scan_events_scope'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_scan_events_scan_id'), ['scan_id'])
        batch_op.drop_column('scope')
