"""FBO stock (#13 item 4): what each marketplace's own report says our products have in
its warehouses (fbo_stock), and each account's last read (fbo_reads)

Revision ID: 0040
Revises: 0033
Create Date: 2026-12-06 11:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0040"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fbo_stock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("warehouse_name", sa.String(length=255), nullable=False),
        sa.Column("available", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("incoming", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "available >= 0 AND reserved >= 0 AND incoming >= 0",
            name=op.f("ck_fbo_stock_counts"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["marketplace_accounts.id"],
            name=op.f("fk_fbo_stock_account_id_marketplace_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_fbo_stock_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fbo_stock")),
        sa.UniqueConstraint(
            "account_id",
            "product_id",
            "warehouse_name",
            name=op.f("uq_fbo_stock_account_id"),
        ),
    )
    op.create_index(op.f("ix_fbo_stock_product_id"), "fbo_stock", ["product_id"])
    op.create_table(
        "fbo_reads",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("unlinked", sa.Integer(), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["marketplace_accounts.id"],
            name=op.f("fk_fbo_reads_account_id_marketplace_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_fbo_reads")),
    )


def downgrade() -> None:
    op.drop_table("fbo_reads")
    op.drop_index(op.f("ix_fbo_stock_product_id"), table_name="fbo_stock")
    op.drop_table("fbo_stock")
