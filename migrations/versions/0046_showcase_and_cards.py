"""showcase and cards

Revision ID: 0046
Revises: 0045
Create Date: 2026-12-07 11:21:46.104404
"""

from alembic import op
import sqlalchemy as sa


revision = '0046'
down_revision = '0045'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('card_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('vendor_code', sa.String(length=72), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('brand', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('sent', 'made', 'refused')", name=op.f('ck_card_requests_status')),
    sa.CheckConstraint('subject_id > 0', name=op.f('ck_card_requests_subject')),
    sa.ForeignKeyConstraint(['account_id'], ['marketplace_accounts.id'], name=op.f('fk_card_requests_account_id_marketplace_accounts')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_card_requests_created_by_id_users')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_card_requests_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_requests'))
    )
    with op.batch_alter_table('card_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_requests_account_id'), ['account_id'], unique=False)

    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_column('hidden')

    with op.batch_alter_table('card_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_card_requests_account_id'))

    op.drop_table('card_requests')
