"""reports

Revision ID: 0047
Revises: 0046
Create Date: 2026-12-07 15:01:22.052520
"""

from alembic import op
import sqlalchemy as sa


revision = "0047"
down_revision = "0046"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("fmt", sa.String(length=8), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "(status = 'done') = (content IS NOT NULL)",
            name=op.f("ck_report_runs_content_when_done"),
        ),
        sa.CheckConstraint("fmt IN ('xlsx', 'csv')", name=op.f("ck_report_runs_fmt")),
        sa.CheckConstraint(
            "kind IN ('stock', 'work', 'sales', 'commissioner', 'profit', 'reorder')",
            name=op.f("ck_report_runs_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_report_runs_status")
        ),
        sa.CheckConstraint(
            "progress >= 0 AND progress <= 100", name=op.f("ck_report_runs_progress")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_report_runs_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_runs")),
    )
    with op.batch_alter_table("report_runs", schema=None) as batch_op:
        batch_op.create_index("ix_report_runs_created", ["created_at"], unique=False)

    op.create_table(
        "commission_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('reading', 'ready', 'failed')", name=op.f("ck_commission_reports_status")
        ),
        sa.CheckConstraint('start <= "end"', name=op.f("ck_commission_reports_period")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["marketplace_accounts.id"],
            name=op.f("fk_commission_reports_account_id_marketplace_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_reports")),
        sa.UniqueConstraint(
            "account_id", "start", "end", name=op.f("uq_commission_reports_account_id")
        ),
    )
    op.create_table(
        "fbo_stock_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("warehouse_name", sa.String(length=255), nullable=False),
        sa.Column("available", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("incoming", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "available >= 0 AND reserved >= 0 AND incoming >= 0",
            name=op.f("ck_fbo_stock_days_counts"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["marketplace_accounts.id"],
            name=op.f("fk_fbo_stock_days_account_id_marketplace_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_fbo_stock_days_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fbo_stock_days")),
        sa.UniqueConstraint(
            "day", "account_id", "product_id", "warehouse_name", name=op.f("uq_fbo_stock_days_day")
        ),
    )
    with op.batch_alter_table("fbo_stock_days", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fbo_stock_days_day"), ["day"], unique=False)

    op.create_table(
        "sales",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("row_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_number", sa.String(length=100), nullable=False),
        sa.Column("scheme", sa.String(length=8), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("article", sa.String(length=100), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('order', 'sale', 'return', 'cancel')", name=op.f("ck_sales_kind")
        ),
        sa.CheckConstraint("scheme IN ('fbs', 'fbo')", name=op.f("ck_sales_scheme")),
        sa.CheckConstraint("quantity >= 0 AND amount >= 0", name=op.f("ck_sales_figures")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["marketplace_accounts.id"],
            name=op.f("fk_sales_account_id_marketplace_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_sales_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales")),
        sa.UniqueConstraint("account_id", "row_id", name=op.f("uq_sales_account_id")),
    )
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.create_index("ix_sales_at", ["at"], unique=False)
        batch_op.create_index("ix_sales_product_at", ["product_id", "at"], unique=False)

    op.create_table(
        "sales_reads",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("read_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("tried_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["marketplace_accounts.id"],
            name=op.f("fk_sales_reads_account_id_marketplace_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_sales_reads")),
    )
    op.create_table(
        "commission_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("row_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_number", sa.String(length=100), nullable=False),
        sa.Column("scheme", sa.String(length=8), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("article", sa.String(length=100), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("commission", sa.Integer(), nullable=False),
        sa.Column("logistics", sa.Integer(), nullable=False),
        sa.Column("other", sa.Integer(), nullable=False),
        sa.Column("payout", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.CheckConstraint(
            "kind IN ('sale', 'return', 'charge')", name=op.f("ck_commission_lines_kind")
        ),
        sa.CheckConstraint("scheme IN ('fbs', 'fbo')", name=op.f("ck_commission_lines_scheme")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_commission_lines_order_id_orders"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_commission_lines_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["commission_reports.id"],
            name=op.f("fk_commission_lines_report_id_commission_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_lines")),
        sa.UniqueConstraint("report_id", "row_id", name=op.f("uq_commission_lines_report_id")),
    )
    with op.batch_alter_table("commission_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commission_lines_order_id"), ["order_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_commission_lines_product_id"), ["product_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_commission_lines_report_id"), ["report_id"], unique=False
        )
    with op.batch_alter_table("stock_moves", schema=None) as batch_op:
        batch_op.create_index("ix_stock_moves_created_at", ["created_at"], unique=False)
    with op.batch_alter_table("commission_lines", schema=None) as batch_op:
        batch_op.create_index("ix_commission_lines_at", ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stock_moves", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_moves_created_at")
    with op.batch_alter_table("commission_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commission_lines_report_id"))
        batch_op.drop_index(batch_op.f("ix_commission_lines_product_id"))
        batch_op.drop_index(batch_op.f("ix_commission_lines_order_id"))

    op.drop_table("commission_lines")
    op.drop_table("sales_reads")
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_product_at")
        batch_op.drop_index("ix_sales_at")

    op.drop_table("sales")
    with op.batch_alter_table("fbo_stock_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fbo_stock_days_day"))

    op.drop_table("fbo_stock_days")
    op.drop_table("commission_reports")
    with op.batch_alter_table("report_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_report_runs_created")

    op.drop_table("report_runs")
