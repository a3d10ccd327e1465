"""idempotent api calls and stock corrections

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-07 04:07:34.335572
"""

from alembic import op
import sqlalchemy as sa


revision = '0043'
down_revision = '0042'
branch_labels = None
depends_on = None


OLD_REASONS = (
    "opening", "receipt", "put_away", "pick", "put_back", "packing_write_off", "move",
    "count", "return", "return_defect", "write_off", "suspected_shortage", "damaged",
)
REASONS = (*OLD_REASONS, "correction")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _reasons(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("stock_moves") as batch:
        batch.drop_constraint(op.f("ck_stock_moves_reason"), type_="check")
        batch.create_check_constraint(op.f("ck_stock_moves_reason"), _one_of("reason", values))


def upgrade() -> None:
    _reasons(REASONS)
    op.create_table('api_idempotent_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(request_hash) = 64', name=op.f('ck_api_idempotent_calls_sha256_hex')),
    sa.ForeignKeyConstraint(['account_id'], ['service_accounts.id'], name=op.f('fk_api_idempotent_calls_account_id_service_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_idempotent_calls')),
    sa.UniqueConstraint('account_id', 'key', name=op.f('uq_api_idempotent_calls_account_id'))
    )
    with op.batch_alter_table('api_idempotent_calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_idempotent_calls_at'), ['at'], unique=False)

    op.create_table('stock_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.String(length=300), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['service_accounts.id'], name=op.f('fk_stock_corrections_account_id_service_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_corrections')),
    sa.UniqueConstraint('account_id', 'number', name=op.f('uq_stock_corrections_account_id'))
    )
    with op.batch_alter_table('stock_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_corrections_account_id'), ['account_id'], unique=False)

    op.create_table('stock_correction_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('correction_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('counted', sa.Integer(), nullable=False),
    sa.Column('before', sa.Integer(), nullable=False),
    sa.Column('change', sa.Integer(), nullable=False),
    sa.CheckConstraint('counted - before = change', name=op.f('ck_stock_correction_lines_change_is_the_difference')),
    sa.CheckConstraint('counted >= 0 AND before >= 0', name=op.f('ck_stock_correction_lines_not_negative')),
    sa.ForeignKeyConstraint(['correction_id'], ['stock_corrections.id'], name=op.f('fk_stock_correction_lines_correction_id_stock_corrections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_stock_correction_lines_location_id_locations')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_stock_correction_lines_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_correction_lines')),
    sa.UniqueConstraint('correction_id', 'product_id', 'location_id', name=op.f('uq_stock_correction_lines_correction_id'))
    )


def downgrade() -> None:
    _reasons(OLD_REASONS)
    op.drop_table('stock_correction_lines')
    with op.batch_alter_table('stock_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_corrections_account_id'))

    op.drop_table('stock_corrections')
    with op.batch_alter_table('api_idempotent_calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_idempotent_calls_at'))

    op.drop_table('api_idempotent_calls')
