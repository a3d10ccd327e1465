"""the catalogue: product cost price, minimum stock, weight and size; bin zone; warehouses,
products and bins can be deactivated; parsed catalogue uploads between preview and apply

Revision ID: 0022
Revises: 0023
Create Date: 2026-12-06 05:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0022'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cost_price', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('min_stock', sa.Integer(), server_default='0', nullable=False)
        )
        batch_op.add_column(sa.Column('weight_g', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('length_mm', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('width_mm', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('height_mm', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.create_check_constraint(op.f('ck_products_cost_price_not_negative'),
                                         'cost_price >= 0')
        batch_op.create_check_constraint(op.f('ck_products_min_stock_not_negative'),
                                         'min_stock >= 0')
        batch_op.create_check_constraint(op.f('ck_products_weight_not_negative'),
                                         'weight_g >= 0')
        batch_op.create_check_constraint(
            op.f('ck_products_size_not_negative'),
            'length_mm >= 0 AND width_mm >= 0 AND height_mm >= 0',
        )
    with op.batch_alter_table('warehouses', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('zone', sa.String(length=64), server_default='', nullable=False)
        )
        batch_op.add_column(
            sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    op.create_table(
        'catalogue_uploads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('rows_json', sa.Text(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('products', 'bins')", name=op.f('ck_catalogue_uploads_kind')),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'],
                                name=op.f('fk_catalogue_uploads_created_by_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_uploads')),
        sa.UniqueConstraint('token', name=op.f('uq_catalogue_uploads_token')),
    )


def downgrade() -> None:
    op.drop_table('catalogue_uploads')
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.drop_column('active')
        batch_op.drop_column('zone')
    with op.batch_alter_table('warehouses', schema=None) as batch_op:
        batch_op.drop_column('active')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_products_size_not_negative'), type_='check')
        batch_op.drop_constraint(op.f('ck_products_weight_not_negative'), type_='check')
        batch_op.drop_constraint(op.f('ck_products_min_stock_not_negative'), type_='check')
        batch_op.drop_constraint(op.f('ck_products_cost_price_not_negative'), type_='check')
        for column in ('active', 'height_mm', 'width_mm', 'length_mm', 'weight_g', 'min_stock',
                       'cost_price'):
            batch_op.drop_column(column)
