"""counts (stock_counts, count_bins, count_lines, count_flags) and returns (returns,
return_units), #12 items 6 and 7

Revision ID: 0026
Revises: 0022
Create Date: 2026-12-06 03:40:45
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "stock_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'approved') = (approved_at IS NOT NULL)",
            name=op.f("ck_stock_counts_approved_has_time"),
        ),
        sa.CheckConstraint(
            "kind IN ('bins', 'zone', 'shortages')", name=op.f("ck_stock_counts_kind")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'approved', 'cancelled')", name=op.f("ck_stock_counts_status")
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_stock_counts_approved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["users.id"], name=op.f("fk_stock_counts_opened_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_stock_counts_warehouse_id_warehouses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_counts")),
    )
    with op.batch_alter_table("stock_counts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stock_counts_status"), ["status"], unique=False)

    op.create_table(
        "count_bins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("count_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("walk_order", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("last_scan_id", sa.String(length=64), nullable=True),
        sa.Column("counted_by_id", sa.Integer(), nullable=True),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'pending') = (round = 0)", name=op.f("ck_count_bins_pending_not_counted")
        ),
        sa.CheckConstraint(
            "status != 'recount' OR round = 1", name=op.f("ck_count_bins_recount_after_first")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'recount', 'counted')", name=op.f("ck_count_bins_status")
        ),
        sa.CheckConstraint("round >= 0 AND round <= 2", name=op.f("ck_count_bins_round_range")),
        sa.ForeignKeyConstraint(
            ["count_id"],
            ["stock_counts.id"],
            name=op.f("fk_count_bins_count_id_stock_counts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["counted_by_id"], ["users.id"], name=op.f("fk_count_bins_counted_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_count_bins_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_count_bins")),
        sa.UniqueConstraint("count_id", "location_id", name=op.f("uq_count_bins_count_id")),
    )
    op.create_table(
        "count_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bin_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=False),
        sa.Column("first_count", sa.Integer(), nullable=False),
        sa.Column("recount", sa.Integer(), nullable=True),
        sa.Column("adjusted", sa.Integer(), nullable=True),
        sa.CheckConstraint("expected >= 0", name=op.f("ck_count_lines_expected_not_negative")),
        sa.CheckConstraint("first_count >= 0", name=op.f("ck_count_lines_first_not_negative")),
        sa.CheckConstraint(
            "recount IS NULL OR recount >= 0", name=op.f("ck_count_lines_recount_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["bin_id"],
            ["count_bins.id"],
            name=op.f("fk_count_lines_bin_id_count_bins"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_count_lines_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_count_lines")),
        sa.UniqueConstraint("bin_id", "product_id", name=op.f("uq_count_lines_bin_id")),
    )
    op.create_table(
        "count_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("count_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.CheckConstraint("missing > 0", name=op.f("ck_count_flags_positive_missing")),
        sa.ForeignKeyConstraint(
            ["count_id"],
            ["stock_counts.id"],
            name=op.f("fk_count_flags_count_id_stock_counts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_count_flags_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_count_flags_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_count_flags_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_count_flags")),
        sa.UniqueConstraint(
            "count_id", "order_id", "location_id", "product_id", name=op.f("uq_count_flags_count_id")
        ),
    )
    with op.batch_alter_table("count_flags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_count_flags_order_id"), ["order_id"], unique=False)

    op.create_table(
        "returns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("parcel_id", sa.Integer(), nullable=True),
        sa.Column("previous_status", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("received_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'done') = (closed_at IS NOT NULL)", name=op.f("ck_returns_done_has_time")
        ),
        sa.CheckConstraint("status IN ('open', 'done')", name=op.f("ck_returns_status")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_returns_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["parcel_id"], ["parcels.id"], name=op.f("fk_returns_parcel_id_parcels")
        ),
        sa.ForeignKeyConstraint(
            ["received_by_id"], ["users.id"], name=op.f("fk_returns_received_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_returns")),
        sa.UniqueConstraint("order_id", name=op.f("uq_returns_order_id")),
    )
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_returns_status"), ["status"], unique=False)

    op.create_table(
        "return_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=16), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("scan_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(grade = 'stock') = (location_id IS NOT NULL)",
            name=op.f("ck_return_units_stock_has_bin"),
        ),
        sa.CheckConstraint(
            "grade IN ('stock', 'defect', 'write_off')", name=op.f("ck_return_units_grade")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_return_units_positive_quantity")),
        sa.ForeignKeyConstraint(
            ["line_id"], ["order_lines.id"], name=op.f("fk_return_units_line_id_order_lines")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_return_units_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_return_units_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["return_id"],
            ["returns.id"],
            name=op.f("fk_return_units_return_id_returns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_return_units_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_units")),
        sa.UniqueConstraint("return_id", "scan_id", name=op.f("uq_return_units_return_id")),
    )


def downgrade() -> None:

    op.drop_table("return_units")
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_returns_status"))

    op.drop_table("returns")
    with op.batch_alter_table("count_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_count_flags_order_id"))

    op.drop_table("count_flags")
    op.drop_table("count_lines")
    op.drop_table("count_bins")
    with op.batch_alter_table("stock_counts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_counts_status"))

    op.drop_table("stock_counts")
