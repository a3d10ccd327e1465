"""the orders window and an order's timeline (#13 item 1): order_events (status changes),
order_numbers (every number an order goes by), handover_events.order_id, and the indexes
the window's filters, search and keyset pages need

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 09:00:00

Orders from before get their numbers from their own JSON (the same keys as
``warehouse.orders.numbers``, frozen here); a hand-over's «loaded» lines from before name
their order by its number at the start of the text, and get its id.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

IN_WORK = (
    "status IN ('new', 'reserved', 'awaiting_stock', 'picking', 'picked', 'packed', 'labelled')"
)
RAW_KEYS = {
    "wb": ("id", "rid", "srid", "orderUid"),
    "ozon": ("posting_number", "order_number", "order_id"),
    "yandex": ("orderId", "id"),
    "megamarket": ("shipmentId", "orderCode", "deliveryId"),
}
# (table, column): one-column indexes named by the models' convention ix_<table>_<column>
COLUMN_INDEXES = (
    ("order_lines", "order_id"),
    ("order_lines", "product_id"),
    ("order_lines", "article"),
    ("order_lines", "barcode"),
    ("parcels", "label_barcode"),
    ("print_jobs", "parcel_id"),
    ("outbox", "order_id"),
    ("scan_events", "task_id"),
    ("pick_tasks", "order_id"),
)


def upgrade() -> None:
    op.create_table(
        "order_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("from_status", sa.String(length=32), nullable=False),
        sa.Column("to_status", sa.String(length=32), nullable=False),
        sa.Column("marketplace_status", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_events_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_order_events_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_events")),
    )
    op.create_index("ix_order_events_order_id", "order_events", ["order_id", "id"])
    op.create_table(
        "order_numbers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_numbers_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_numbers")),
        sa.UniqueConstraint("order_id", "number", name=op.f("uq_order_numbers_order_id")),
    )
    op.create_index(op.f("ix_order_numbers_number"), "order_numbers", ["number"])
    with op.batch_alter_table("handover_events") as batch:
        batch.add_column(sa.Column("order_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_handover_events_order_id_orders"),
            "orders",
            ["order_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(batch.f("ix_handover_events_order_id"), ["order_id"])
    _orders_indexes()
    for table, column in COLUMN_INDEXES:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])
    op.create_index("ix_stock_moves_document", "stock_moves", ["document"])
    _fill_numbers()
    _link_loaded_lines()


def _orders_indexes() -> None:
    op.create_index("ix_orders_ship_by_id", "orders", ["ship_by", "id"])
    op.create_index("ix_orders_status_ship_by_id", "orders", ["status", "ship_by", "id"])
    op.create_index("ix_orders_account_ship_by_id", "orders", ["account_id", "ship_by", "id"])
    op.create_index(
        "ix_orders_in_work_ship_by_id",
        "orders",
        ["ship_by", "id"],
        sqlite_where=sa.text(IN_WORK),
        postgresql_where=sa.text(IN_WORK),
    )


def _fill_numbers() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT o.id, a.kind, o.external_id, o.group_id, o.raw FROM orders o "
            "JOIN marketplace_accounts a ON a.id = o.account_id ORDER BY o.id"
        )
    )
    batch: list[dict[str, object]] = []
    insert = sa.text("INSERT INTO order_numbers (order_id, number) VALUES (:order_id, :number)")
    for order_id, kind, external_id, group_id, raw in rows.fetchall():
        for number in _numbers(kind, external_id, group_id, raw):
            batch.append({"order_id": order_id, "number": number})
        if len(batch) >= 1000:
            conn.execute(insert, batch)
            batch = []
    if batch:
        conn.execute(insert, batch)


def _numbers(kind: str, external_id: str, group_id: str, raw: object) -> list[str]:
    data = json.loads(raw) if isinstance(raw, str) else (raw or {})
    if not isinstance(data, dict):
        data = {}
    found = [external_id, group_id, *(data.get(key) for key in RAW_KEYS.get(kind, ()))]
    if kind == "yandex":
        shipments = (data.get("delivery") or {}).get("shipments") or ()
        found += [s.get("id") for s in shipments if isinstance(s, dict)]
    numbers: list[str] = []
    for value in found:
        if value is None or isinstance(value, (dict, list, bool)):
            continue
        number = str(value).strip()
        if number and len(number) <= 100 and number not in numbers:
            numbers.append(number)
    return numbers


def _link_loaded_lines() -> None:
    """«loaded» lines read «<order number> ← <scanned code>»: the pickup's order of that number."""
    op.execute(
        "UPDATE handover_events SET order_id = (SELECT o.id FROM orders o "
        "WHERE o.handover_id = handover_events.handover_id "
        "AND substr(handover_events.text, 1, length(o.external_id) + 2) = o.external_id || ' ←' "
        "ORDER BY o.id LIMIT 1) WHERE kind = 'loaded'"
    )


def downgrade() -> None:
    op.drop_index("ix_stock_moves_document", table_name="stock_moves")
    for table, column in COLUMN_INDEXES:
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
    for name in (
        "ix_orders_in_work_ship_by_id",
        "ix_orders_account_ship_by_id",
        "ix_orders_status_ship_by_id",
        "ix_orders_ship_by_id",
    ):
        op.drop_index(name, table_name="orders")
    with op.batch_alter_table("handover_events") as batch:
        batch.drop_index(batch.f("ix_handover_events_order_id"))
        batch.drop_constraint(batch.f("fk_handover_events_order_id_orders"), type_="foreignkey")
        batch.drop_column("order_id")
    op.drop_index(op.f("ix_order_numbers_number"), table_name="order_numbers")
    op.drop_table("order_numbers")
    op.drop_index("ix_order_events_order_id", table_name="order_events")
    op.drop_table("order_events")
