"""МойСклад: documents we write (shipments, customer returns) through the outbox, stock by
store as МойСклад last reported it, the meta type of each linked item

Revision ID: 0027
Revises: 0028
Create Date: 2026-12-06 05:01:29
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounting_stock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("store_name", sa.String(length=255), nullable=False),
        sa.Column("stock", sa.Float(), nullable=False),
        sa.Column("reserve", sa.Float(), nullable=False),
        sa.Column("in_transit", sa.Float(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounting_accounts.id"],
            name=op.f("fk_accounting_stock_account_id_accounting_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_accounting_stock_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounting_stock")),
        sa.UniqueConstraint(
            "account_id", "product_id", "store_id", name=op.f("uq_accounting_stock_account_id")
        ),
    )
    with op.batch_alter_table("accounting_stock", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accounting_stock_product_id"), ["product_id"], unique=False
        )

    op.create_table(
        "accounting_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("handover_id", sa.Integer(), nullable=True),
        sa.Column("return_id", sa.Integer(), nullable=True),
        sa.Column("external_code", sa.String(length=255), nullable=False),
        sa.Column("moysklad_id", sa.String(length=64), nullable=True),
        sa.Column("positions", sa.JSON(), nullable=False),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("command_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(kind = 'salesreturn') = (return_id IS NOT NULL)",
            name=op.f("ck_accounting_documents_return_has_return"),
        ),
        sa.CheckConstraint(
            "kind IN ('demand', 'salesreturn')", name=op.f("ck_accounting_documents_kind")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounting_accounts.id"],
            name=op.f("fk_accounting_documents_account_id_accounting_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["command_id"], ["outbox.id"], name=op.f("fk_accounting_documents_command_id_outbox")
        ),
        sa.ForeignKeyConstraint(
            ["handover_id"],
            ["handovers.id"],
            name=op.f("fk_accounting_documents_handover_id_handovers"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_accounting_documents_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_accounting_documents_return_id_returns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounting_documents")),
        sa.UniqueConstraint(
            "account_id", "external_code", name="uq_accounting_documents_external_code"
        ),
        sa.UniqueConstraint(
            "account_id", "kind", "order_id", name="uq_accounting_documents_one_per_order"
        ),
    )
    with op.batch_alter_table("accounting_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accounting_documents_order_id"), ["order_id"], unique=False
        )

    # items imported before this revision were taken for products (variants read again on
    # the next assortment import)
    with op.batch_alter_table("accounting_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("item_type", sa.String(length=20), server_default="product", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_accounting_items_item_type"), "item_type IN ('product', 'variant')"
        )

    # an outbox command is for a marketplace cabinet or for an accounting account
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accounting_account_id", sa.Integer(), nullable=True))
        batch_op.alter_column("account_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(
            batch_op.f("ix_outbox_accounting_account_id"), ["accounting_account_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_accounting_account_id_accounting_accounts"),
            "accounting_accounts",
            ["accounting_account_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            op.f("ck_outbox_one_target"), "(account_id IS NULL) <> (accounting_account_id IS NULL)"
        )


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE account_id IS NULL")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_one_target"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_accounting_account_id_accounting_accounts"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_outbox_accounting_account_id"))
        batch_op.alter_column("account_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("accounting_account_id")

    with op.batch_alter_table("accounting_items", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_accounting_items_item_type"), type_="check")
        batch_op.drop_column("item_type")

    with op.batch_alter_table("accounting_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounting_documents_order_id"))
    op.drop_table("accounting_documents")
    with op.batch_alter_table("accounting_stock", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounting_stock_product_id"))
    op.drop_table("accounting_stock")
