"""purchase orders among the accounting documents

Revision ID: 0048
Revises: 0047
"""

from alembic import op

revision = "0048"
down_revision = "0047"
branch_labels = None
depends_on = None

KINDS_NOW = "kind IN ('demand', 'salesreturn', 'supply', 'purchaseorder')"
KINDS_BEFORE = "kind IN ('demand', 'salesreturn', 'supply')"
ORDER_NOW = "(kind IN ('supply', 'purchaseorder')) = (order_id IS NULL)"
ORDER_BEFORE = "(kind = 'supply') = (order_id IS NULL)"


def _checks(kinds: str, order: str) -> None:
    with op.batch_alter_table("accounting_documents") as batch:
        batch.drop_constraint(op.f("ck_accounting_documents_kind"), type_="check")
        batch.drop_constraint(op.f("ck_accounting_documents_order_unless_supply"), type_="check")
        batch.create_check_constraint(op.f("ck_accounting_documents_kind"), kinds)
        batch.create_check_constraint(op.f("ck_accounting_documents_order_unless_supply"), order)


def upgrade() -> None:
    _checks(KINDS_NOW, ORDER_NOW)


def downgrade() -> None:
    op.execute("DELETE FROM accounting_documents WHERE kind = 'purchaseorder'")
    _checks(KINDS_BEFORE, ORDER_BEFORE)
