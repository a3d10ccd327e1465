"""the stock ledger: every change of a bin's on-hand is a stock_moves row with a document

Revision ID: 0023
Revises: 0024
Create Date: 2026-12-06 05:00:00

Rows from before carry their shortage as the document; each bin's on-hand not yet
explained by rows gets one ``opening`` row, so the ledger reconciles from here on.
"""

import sqlalchemy as sa
from alembic import op


revision = "0023"
down_revision = "0024"
branch_labels = None
depends_on = None

REASONS = (
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
OLD_REASONS = ("suspected_shortage", "damaged", "count")


def _one_of(values: tuple[str, ...]) -> str:
    return "reason IN ({})".format(", ".join(f"'{v}'" for v in values))


def upgrade() -> None:
    with op.batch_alter_table("stock_moves", schema=None) as batch_op:
        batch_op.add_column(sa.Column("document", sa.String(length=64), nullable=True))
        batch_op.drop_constraint(op.f("ck_stock_moves_reason"), type_="check")
        batch_op.create_check_constraint(op.f("ck_stock_moves_reason"), _one_of(REASONS))
    op.execute(
        "UPDATE stock_moves SET document = CASE WHEN shortage_id IS NULL THEN 'before-ledger'"
        " ELSE 'shortage:' || CAST(shortage_id AS VARCHAR(20)) END"
    )
    op.execute(
        "INSERT INTO stock_moves (product_id, location_id, quantity, reason, document,"
        " created_at)"
        " SELECT s.product_id, s.location_id, s.on_hand - COALESCE(m.total, 0), 'opening',"
        " 'migration:0023', CURRENT_TIMESTAMP FROM stock s LEFT JOIN ("
        "  SELECT product_id, location_id, SUM(quantity) AS total FROM stock_moves"
        "  GROUP BY product_id, location_id) m"
        " ON m.product_id = s.product_id AND m.location_id = s.location_id"
        " WHERE s.on_hand <> COALESCE(m.total, 0)"
    )
    with op.batch_alter_table("stock_moves", schema=None) as batch_op:
        batch_op.alter_column("document", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_check_constraint(op.f("ck_stock_moves_has_document"), "document <> ''")
        batch_op.create_index("ix_stock_moves_product_history", ["product_id", "id"])
        batch_op.create_index("ix_stock_moves_location_history", ["location_id", "id"])
        batch_op.create_index(
            "uq_stock_moves_move_document",
            ["document", "location_id"],
            unique=True,
            sqlite_where=sa.text("reason = 'move'"),
            postgresql_where=sa.text("reason = 'move'"),
        )


def downgrade() -> None:
    op.execute(
        "DELETE FROM stock_moves WHERE reason NOT IN ({})".format(
            ", ".join(f"'{v}'" for v in OLD_REASONS)
        )
    )
    with op.batch_alter_table("stock_moves", schema=None) as batch_op:
        batch_op.drop_index("uq_stock_moves_move_document")
        batch_op.drop_index("ix_stock_moves_location_history")
        batch_op.drop_index("ix_stock_moves_product_history")
        batch_op.drop_constraint(op.f("ck_stock_moves_has_document"), type_="check")
        batch_op.drop_constraint(op.f("ck_stock_moves_reason"), type_="check")
        batch_op.create_check_constraint(op.f("ck_stock_moves_reason"), _one_of(OLD_REASONS))
        batch_op.drop_column("document")
