"""stock gaps of #12: the defect area (locations.defect, a ``return_defect`` movement, a
defect return unit lies in a bin); counts by products (kind ``products``, count_products)

Revision ID: 0028
Revises: 0031
Create Date: 2026-12-07 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0031"
branch_labels = None
depends_on = None

OLD_REASONS = (
    "opening",
    "receipt",
    "put_away",
    "pick",
    "put_back",
    "packing_write_off",
    "move",
    "count",
    "return",
    "write_off",
    "suspected_shortage",
    "damaged",
)
REASONS = (*OLD_REASONS[:9], "return_defect", *OLD_REASONS[9:])
OLD_COUNT_KINDS = ("bins", "zone", "shortages")
COUNT_KINDS = (*OLD_COUNT_KINDS, "products")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values))


def upgrade() -> None:
    with op.batch_alter_table("locations") as batch:
        batch.add_column(
            sa.Column("defect", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.create_check_constraint(op.f("ck_locations_one_area"), "NOT (receiving AND defect)")
    op.create_index(
        "uq_locations_defect",
        "locations",
        ["warehouse_id"],
        unique=True,
        sqlite_where=sa.text("defect"),
        postgresql_where=sa.text("defect"),
    )
    with op.batch_alter_table("stock_moves") as batch:
        batch.drop_constraint(op.f("ck_stock_moves_reason"), type_="check")
        batch.create_check_constraint(op.f("ck_stock_moves_reason"), _one_of("reason", REASONS))
    with op.batch_alter_table("return_units") as batch:
        batch.drop_constraint(op.f("ck_return_units_stock_has_bin"), type_="check")
        batch.create_check_constraint(
            op.f("ck_return_units_bin_unless_written_off"),
            "(grade = 'write_off') = (location_id IS NULL)",
        )
    with op.batch_alter_table("stock_counts") as batch:
        batch.drop_constraint(op.f("ck_stock_counts_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_stock_counts_kind"), _one_of("kind", COUNT_KINDS))
    op.create_table(
        "count_products",
        sa.Column("count_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["count_id"],
            ["stock_counts.id"],
            name=op.f("fk_count_products_count_id_stock_counts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_count_products_product_id_products")
        ),
        sa.PrimaryKeyConstraint("count_id", "product_id", name=op.f("pk_count_products")),
    )


def downgrade() -> None:
    op.drop_table("count_products")
    # a count by products keeps its bins (count_bins): it becomes a count of those bins
    op.execute("UPDATE stock_counts SET kind = 'bins' WHERE kind = 'products'")
    with op.batch_alter_table("stock_counts") as batch:
        batch.drop_constraint(op.f("ck_stock_counts_kind"), type_="check")
        batch.create_check_constraint(
            op.f("ck_stock_counts_kind"), _one_of("kind", OLD_COUNT_KINDS)
        )
    # Before 0028 a defect lay in no bin: what the defect areas hold is written off (so the
    # bins, plain again, sell nothing of it and the ledger still adds up) and the defect
    # movements become plain returns.
    op.execute(
        "INSERT INTO stock_moves (product_id, location_id, quantity, reason, document,"
        " created_at) SELECT s.product_id, s.location_id, -s.on_hand, 'write_off',"
        " 'migration:0028', CURRENT_TIMESTAMP FROM stock s JOIN locations l"
        " ON l.id = s.location_id WHERE l.defect AND s.on_hand > 0"
    )
    op.execute(
        "UPDATE stock SET on_hand = 0, reserved = 0 WHERE location_id IN"
        " (SELECT id FROM locations WHERE defect)"
    )
    op.execute("UPDATE stock_moves SET reason = 'return' WHERE reason = 'return_defect'")
    op.execute("UPDATE return_units SET location_id = NULL WHERE grade = 'defect'")
    with op.batch_alter_table("return_units") as batch:
        batch.drop_constraint(op.f("ck_return_units_bin_unless_written_off"), type_="check")
        batch.create_check_constraint(
            op.f("ck_return_units_stock_has_bin"), "(grade = 'stock') = (location_id IS NOT NULL)"
        )
    with op.batch_alter_table("stock_moves") as batch:
        batch.drop_constraint(op.f("ck_stock_moves_reason"), type_="check")
        batch.create_check_constraint(op.f("ck_stock_moves_reason"), _one_of("reason", OLD_REASONS))
    op.drop_index("uq_locations_defect", table_name="locations")
    with op.batch_alter_table("locations") as batch:
        batch.drop_constraint(op.f("ck_locations_one_area"), type_="check")
        batch.drop_column("defect")
