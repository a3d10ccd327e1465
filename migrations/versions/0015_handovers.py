"""hand-overs: WB supplies become one kind of pickup; papers, history, loaded parcels

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 02:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

OPEN = "status = 'open'"
KNOWN = "external_id != ''"
OLD_STATUSES = (
    "status IN ('new', 'reserved', 'awaiting_stock', 'picking', 'picked', 'packed', "
    "'labelled', 'shipped', 'delivered', 'cancelled')"
)
NEW_STATUSES = (
    "status IN ('new', 'reserved', 'awaiting_stock', 'picking', 'picked', 'packed', "
    "'labelled', 'handed_over', 'shipped', 'delivered', 'cancelled', 'returned')"
)


def upgrade() -> None:
    op.create_table(
        'handovers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('ship_date', sa.Date(), nullable=False),
        sa.Column('external_id', sa.String(length=100), server_default='', nullable=False),
        sa.Column('status', sa.String(length=16), server_default='open', nullable=False),
        sa.Column('marketplace_state', sa.String(length=200), server_default='', nullable=False),
        sa.Column('details', sa.JSON(), server_default='{}', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closing_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'closing', 'closed', 'failed')", name=op.f('ck_handovers_status')
        ),
        sa.ForeignKeyConstraint(
            ['account_id'], ['marketplace_accounts.id'],
            name=op.f('fk_handovers_account_id_marketplace_accounts'),
        ),
        sa.ForeignKeyConstraint(
            ['closed_by_id'], ['users.id'], name=op.f('fk_handovers_closed_by_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_handovers')),
    )
    op.create_index(
        'uq_handovers_open_per_day', 'handovers', ['account_id', 'ship_date'], unique=True,
        sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN),
    )
    op.create_index(
        'uq_handovers_external_id', 'handovers', ['account_id', 'external_id'], unique=True,
        sqlite_where=sa.text(KNOWN), postgresql_where=sa.text(KNOWN),
    )
    # every WB supply so far becomes a hand-over of the day it was made (closed ones stay
    # closed); ids are kept so orders keep their link
    postgres = op.get_bind().dialect.name == 'postgresql'
    day = "CAST(created_at AS DATE)" if postgres else "substr(created_at, 1, 10)"
    op.execute(
        "INSERT INTO handovers (id, account_id, ship_date, external_id, status, "
        "marketplace_state, details, created_at) "
        f"SELECT id, account_id, {day}, external_id, "
        "CASE WHEN is_open THEN 'open' ELSE 'closed' END, '', '{}', created_at FROM supplies"
    )
    # two open supplies of one cabinet made the same day: the older one is closed
    op.execute(
        "UPDATE handovers SET status = 'closed' WHERE status = 'open' AND EXISTS ("
        "SELECT 1 FROM handovers AS newer WHERE newer.account_id = handovers.account_id "
        "AND newer.ship_date = handovers.ship_date AND newer.status = 'open' "
        "AND newer.id > handovers.id)"
    )
    if postgres:
        op.execute(
            "SELECT setval(pg_get_serial_sequence('handovers', 'id'), "
            "COALESCE((SELECT MAX(id) FROM handovers), 0) + 1, false)"
        )
    op.create_table(
        'handover_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('handover_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('content_type', sa.String(length=64), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['handover_id'], ['handovers.id'],
            name=op.f('fk_handover_documents_handover_id_handovers'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_handover_documents')),
        sa.UniqueConstraint('handover_id', 'kind', name=op.f('uq_handover_documents_handover_id')),
    )
    op.create_table(
        'handover_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('handover_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('text', sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ['handover_id'], ['handovers.id'],
            name=op.f('fk_handover_events_handover_id_handovers'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_handover_events_user_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_handover_events')),
    )
    op.create_index(
        op.f('ix_handover_events_handover_id'), 'handover_events', ['handover_id'], unique=False
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handover_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_orders_handover_id_handovers'), 'handovers', ['handover_id'], ['id']
        )
        batch_op.create_index(batch_op.f('ix_orders_handover_id'), ['handover_id'], unique=False)
        batch_op.drop_constraint(op.f('ck_orders_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_orders_status'), NEW_STATUSES)
    op.execute("UPDATE orders SET handover_id = supply_id")
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint('fk_orders_supply_id_supplies', type_='foreignkey')
        batch_op.drop_column('supply_id')
    op.drop_table('supplies')
    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('loaded_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_parcels_loaded_by_id_users'), 'users', ['loaded_by_id'], ['id']
        )


def downgrade() -> None:
    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_parcels_loaded_by_id_users'), type_='foreignkey')
        batch_op.drop_column('loaded_by_id')
        batch_op.drop_column('loaded_at')
    op.create_table(
        'supplies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('external_id', sa.String(length=100), nullable=False),
        sa.Column('is_open', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['account_id'], ['marketplace_accounts.id'],
            name=op.f('fk_supplies_account_id_marketplace_accounts'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_supplies')),
        sa.UniqueConstraint('account_id', 'external_id', name=op.f('uq_supplies_account_id')),
    )
    op.execute(
        "INSERT INTO supplies (id, account_id, external_id, is_open, created_at) "
        "SELECT id, account_id, external_id, status = 'open', created_at FROM handovers "
        "WHERE external_id != ''"
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supply_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_orders_supply_id_supplies', 'supplies', ['supply_id'], ['id']
        )
    op.execute(
        "UPDATE orders SET supply_id = handover_id "
        "WHERE handover_id IN (SELECT id FROM supplies)"
    )
    op.execute("UPDATE orders SET status = 'shipped' WHERE status = 'handed_over'")
    op.execute("UPDATE orders SET status = 'cancelled' WHERE status = 'returned'")
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint('fk_orders_handover_id_handovers', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_orders_handover_id'))
        batch_op.drop_column('handover_id')
        batch_op.drop_constraint(op.f('ck_orders_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_orders_status'), OLD_STATUSES)
    op.drop_index(op.f('ix_handover_events_handover_id'), table_name='handover_events')
    op.drop_table('handover_events')
    op.drop_table('handover_documents')
    op.drop_index('uq_handovers_external_id', table_name='handovers')
    op.drop_index('uq_handovers_open_per_day', table_name='handovers')
    op.drop_table('handovers')
