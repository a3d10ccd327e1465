"""service accounts, their tokens and request log

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-07 03:50:35.380658
"""

from alembic import op
import sqlalchemy as sa


revision = '0042'
down_revision = '0041'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('service_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('note', sa.String(length=300), server_default='', nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_service_accounts_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_accounts')),
    sa.UniqueConstraint('name', name=op.f('uq_service_accounts_name'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=100), server_default='', nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('per_minute', sa.Integer(), server_default='120', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('length(secret_hash) = 64', name=op.f('ck_api_tokens_sha256_hex')),
    sa.CheckConstraint('per_minute BETWEEN 1 AND 100000', name=op.f('ck_api_tokens_per_minute')),
    sa.ForeignKeyConstraint(['account_id'], ['service_accounts.id'], name=op.f('fk_api_tokens_account_id_service_accounts')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_tokens_created_by_id_users')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_api_tokens_revoked_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_tokens_prefix'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_account_id'), ['account_id'], unique=False)

    op.create_table('service_account_scopes',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=32), nullable=False),
    sa.CheckConstraint("scope IN ('orders:read', 'stock:read', 'stock:write', 'products:read', 'products:write', 'handovers:read', 'webhooks')", name=op.f('ck_service_account_scopes_known_scope')),
    sa.ForeignKeyConstraint(['account_id'], ['service_accounts.id'], name=op.f('fk_service_account_scopes_account_id_service_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', 'scope', name=op.f('pk_service_account_scopes'))
    )
    op.create_table('api_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('ms', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'], name=op.f('fk_api_requests_token_id_api_tokens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_requests'))
    )
    with op.batch_alter_table('api_requests', schema=None) as batch_op:
        batch_op.create_index('ix_api_requests_at', ['at'], unique=False)
        batch_op.create_index('ix_api_requests_token_log', ['token_id', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('api_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_api_requests_token_log')
        batch_op.drop_index('ix_api_requests_at')

    op.drop_table('api_requests')
    op.drop_table('service_account_scopes')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_account_id'))

    op.drop_table('api_tokens')
    op.drop_table('service_accounts')
