"""a short pick can end with the missing units taken off the order at the marketplace

Revision ID: 0020
Revises: 0015
Create Date: 2026-12-06 03:00:00
"""

from alembic import op


revision = '0020'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_order_lines_positive_quantity'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_order_lines_quantity_not_negative'), 'quantity >= 0'
        )
    with op.batch_alter_table('shortages', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_shortages_status'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_shortages_status'),
            "status IN ('open', 'picked_elsewhere', 'cancelled', 'lines_cancelled')",
        )


def downgrade() -> None:
    op.execute("UPDATE shortages SET status = 'cancelled' WHERE status = 'lines_cancelled'")
    with op.batch_alter_table('shortages', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_shortages_status'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_shortages_status'), "status IN ('open', 'picked_elsewhere', 'cancelled')"
        )
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_order_lines_quantity_not_negative'), type_='check')
        batch_op.create_check_constraint(op.f('ck_order_lines_positive_quantity'), 'quantity > 0')
