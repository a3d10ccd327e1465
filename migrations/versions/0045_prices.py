"""prices

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-07 11:10:52.719832
"""

from alembic import op
import sqlalchemy as sa


revision = '0045'
down_revision = '0044'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('price_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('commission_bp', sa.Integer(), nullable=False),
    sa.Column('logistics', sa.Integer(), nullable=False),
    sa.Column('max_change_percent', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('commission_bp BETWEEN 0 AND 9999', name=op.f('ck_price_lists_commission')),
    sa.CheckConstraint('logistics >= 0', name=op.f('ck_price_lists_logistics')),
    sa.CheckConstraint('max_change_percent BETWEEN 1 AND 1000', name=op.f('ck_price_lists_max_change')),
    sa.ForeignKeyConstraint(['account_id'], ['marketplace_accounts.id'], name=op.f('fk_price_lists_account_id_marketplace_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_lists')),
    sa.UniqueConstraint('account_id', 'name', name=op.f('uq_price_lists_account_id')),
    sa.UniqueConstraint('id', 'account_id', name=op.f('uq_price_lists_id'))
    )
    op.create_table('price_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('price_list_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('run_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('repeat_days', sa.Integer(), nullable=True),
    sa.Column('applied_by_id', sa.Integer(), nullable=True),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('times_applied', sa.Integer(), nullable=False),
    sa.Column('restore_of_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("source IN ('manual', 'rule', 'xlsx', 'restore')", name=op.f('ck_price_documents_source')),
    sa.CheckConstraint("status <> 'scheduled' OR run_at IS NOT NULL", name=op.f('ck_price_documents_scheduled_at')),
    sa.CheckConstraint("status IN ('draft', 'held', 'scheduled', 'applied', 'cancelled')", name=op.f('ck_price_documents_status')),
    sa.CheckConstraint('repeat_days IS NULL OR repeat_days BETWEEN 1 AND 366', name=op.f('ck_price_documents_repeat')),
    sa.ForeignKeyConstraint(['applied_by_id'], ['users.id'], name=op.f('fk_price_documents_applied_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_price_documents_created_by_id_users')),
    sa.ForeignKeyConstraint(['price_list_id'], ['price_lists.id'], name=op.f('fk_price_documents_price_list_id_price_lists')),
    sa.ForeignKeyConstraint(['restore_of_id'], ['price_documents.id'], name=op.f('fk_price_documents_restore_of_id_price_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_documents')),
    sa.UniqueConstraint('restore_of_id', name=op.f('uq_price_documents_restore_of_id'))
    )
    with op.batch_alter_table('price_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_price_documents_price_list_id'), ['price_list_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_price_documents_run_at'), ['run_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_price_documents_status'), ['status'], unique=False)

    op.create_table('price_document_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('was_price', sa.Integer(), nullable=True),
    sa.Column('was_old_price', sa.Integer(), nullable=True),
    sa.Column('price', sa.Integer(), nullable=False),
    sa.Column('old_price', sa.Integer(), nullable=True),
    sa.Column('min_price', sa.Integer(), nullable=True),
    sa.Column('floor', sa.Integer(), nullable=True),
    sa.Column('hold_reason', sa.String(length=16), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_was', sa.Integer(), nullable=True),
    sa.CheckConstraint("hold_reason IS NULL OR hold_reason IN ('below_cost', 'below_minimum', 'big_change', 'no_basis')", name=op.f('ck_price_document_lines_hold_reason')),
    sa.CheckConstraint('confirmed_by_id IS NULL OR hold_reason IS NOT NULL', name=op.f('ck_price_document_lines_confirmed')),
    sa.CheckConstraint('min_price IS NULL OR min_price > 0', name=op.f('ck_price_document_lines_min_price')),
    sa.CheckConstraint('old_price IS NULL OR old_price > price', name=op.f('ck_price_document_lines_old_price')),
    sa.CheckConstraint('price > 0', name=op.f('ck_price_document_lines_price')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_price_document_lines_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['document_id'], ['price_documents.id'], name=op.f('fk_price_document_lines_document_id_price_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_price_document_lines_listing_id_listings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_price_document_lines_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_document_lines')),
    sa.UniqueConstraint('document_id', 'listing_id', name=op.f('uq_price_document_lines_document_id'))
    )
    with op.batch_alter_table('price_document_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_price_document_lines_document_id'), ['document_id'], unique=False)

    op.create_table('prices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('price_list_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('price', sa.Integer(), nullable=False),
    sa.Column('old_price', sa.Integer(), nullable=True),
    sa.Column('min_price', sa.Integer(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('push_status', sa.String(length=16), nullable=False),
    sa.Column('push_error', sa.String(length=500), nullable=False),
    sa.Column('sent_price', sa.Integer(), nullable=True),
    sa.Column('sent_old_price', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('market_price', sa.Integer(), nullable=True),
    sa.Column('market_old_price', sa.Integer(), nullable=True),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("push_status IN ('pending', 'checking', 'sent', 'refused')", name=op.f('ck_prices_push_status')),
    sa.CheckConstraint('min_price IS NULL OR min_price > 0', name=op.f('ck_prices_min_price')),
    sa.CheckConstraint('old_price IS NULL OR old_price > price', name=op.f('ck_prices_old_price')),
    sa.CheckConstraint('price > 0', name=op.f('ck_prices_price')),
    sa.ForeignKeyConstraint(['account_id'], ['marketplace_accounts.id'], name=op.f('fk_prices_account_id_marketplace_accounts')),
    sa.ForeignKeyConstraint(['document_id'], ['price_documents.id'], name=op.f('fk_prices_document_id_price_documents')),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_prices_listing_id_listings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['price_list_id', 'account_id'], ['price_lists.id', 'price_lists.account_id'], name=op.f('fk_prices_price_list_id_price_lists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prices')),
    sa.UniqueConstraint('account_id', 'listing_id', name=op.f('uq_prices_account_id'))
    )
    with op.batch_alter_table('prices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prices_price_list_id'), ['price_list_id'], unique=False)

    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=100), server_default='', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_column('category')

    with op.batch_alter_table('prices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prices_price_list_id'))

    op.drop_table('prices')
    with op.batch_alter_table('price_document_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_price_document_lines_document_id'))

    op.drop_table('price_document_lines')
    with op.batch_alter_table('price_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_price_documents_status'))
        batch_op.drop_index(batch_op.f('ix_price_documents_run_at'))
        batch_op.drop_index(batch_op.f('ix_price_documents_price_list_id'))

    op.drop_table('price_documents')
    op.drop_table('price_lists')
