"""a delivery opened from a МойСклад purchase order (Заказ поставщику) remembers it: one
delivery per order; its supply (Приёмка) is a МойСклад document we owe

Revision ID: 0034
Revises: 0030
Create Date: 2026-12-07 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("receipts") as batch:
        batch.add_column(sa.Column("purchase_order_account_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("purchase_order_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("purchase_order_name", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("purchase_order_lines", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("purchase_order_refused", sa.JSON(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_receipts_purchase_order_account_id_accounting_accounts"),
            "accounting_accounts",
            ["purchase_order_account_id"],
            ["id"],
        )
        batch.create_unique_constraint(
            "uq_receipts_purchase_order", ["purchase_order_account_id", "purchase_order_id"]
        )
        batch.create_check_constraint(
            op.f("ck_receipts_purchase_order_of_an_account"),
            "(purchase_order_id IS NULL) = (purchase_order_account_id IS NULL)",
        )

    with op.batch_alter_table("accounting_documents") as batch:
        batch.add_column(sa.Column("receipt_id", sa.Integer(), nullable=True))
        batch.alter_column("order_id", existing_type=sa.INTEGER(), nullable=True)
        batch.create_foreign_key(
            op.f("fk_accounting_documents_receipt_id_receipts"), "receipts", ["receipt_id"], ["id"]
        )
        batch.create_unique_constraint(
            "uq_accounting_documents_one_per_receipt", ["account_id", "receipt_id"]
        )
        batch.drop_constraint(op.f("ck_accounting_documents_kind"), type_="check")
        batch.create_check_constraint(
            op.f("ck_accounting_documents_kind"), "kind IN ('demand', 'salesreturn', 'supply')"
        )
        batch.create_check_constraint(
            op.f("ck_accounting_documents_supply_has_receipt"),
            "(kind = 'supply') = (receipt_id IS NOT NULL)",
        )
        batch.create_check_constraint(
            op.f("ck_accounting_documents_order_unless_supply"),
            "(kind = 'supply') = (order_id IS NULL)",
        )


def downgrade() -> None:
    conn = op.get_bind()
    commands = list(
        conn.scalars(
            sa.text(
                "SELECT command_id FROM accounting_documents "
                "WHERE kind = 'supply' AND command_id IS NOT NULL"
            )
        )
    )
    op.execute("DELETE FROM accounting_documents WHERE kind = 'supply'")
    if commands:
        gone = sa.text("DELETE FROM outbox WHERE id IN :ids")
        conn.execute(gone.bindparams(sa.bindparam("ids", expanding=True)), {"ids": commands})
    with op.batch_alter_table("accounting_documents") as batch:
        batch.drop_constraint(op.f("ck_accounting_documents_order_unless_supply"), type_="check")
        batch.drop_constraint(op.f("ck_accounting_documents_supply_has_receipt"), type_="check")
        batch.drop_constraint(op.f("ck_accounting_documents_kind"), type_="check")
        batch.create_check_constraint(
            op.f("ck_accounting_documents_kind"), "kind IN ('demand', 'salesreturn')"
        )
        batch.drop_constraint("uq_accounting_documents_one_per_receipt", type_="unique")
        batch.drop_constraint(
            op.f("fk_accounting_documents_receipt_id_receipts"), type_="foreignkey"
        )
        batch.alter_column("order_id", existing_type=sa.INTEGER(), nullable=False)
        batch.drop_column("receipt_id")

    with op.batch_alter_table("receipts") as batch:
        batch.drop_constraint(op.f("ck_receipts_purchase_order_of_an_account"), type_="check")
        batch.drop_constraint("uq_receipts_purchase_order", type_="unique")
        batch.drop_constraint(
            op.f("fk_receipts_purchase_order_account_id_accounting_accounts"), type_="foreignkey"
        )
        batch.drop_column("purchase_order_refused")
        batch.drop_column("purchase_order_lines")
        batch.drop_column("purchase_order_name")
        batch.drop_column("purchase_order_id")
        batch.drop_column("purchase_order_account_id")
