"""МойСклад: accounting accounts, resumable import runs, items linked to products

Revision ID: 0024
Revises: 0021
Create Date: 2026-12-06 04:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounting_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=False),
        sa.Column("credentials_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("problem", sa.String(length=16), nullable=True),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.CheckConstraint("kind IN ('moysklad')", name=op.f("ck_accounting_accounts_kind")),
        sa.CheckConstraint(
            "problem IN ('auth', 'unavailable', 'refused')",
            name=op.f("ck_accounting_accounts_problem"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounting_accounts")),
    )
    op.create_table(
        "accounting_syncs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("next_offset", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("applied", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('assortment')", name=op.f("ck_accounting_syncs_kind")),
        sa.CheckConstraint(
            "status IN ('running', 'done', 'failed')", name=op.f("ck_accounting_syncs_status")
        ),
        sa.CheckConstraint(
            "next_offset >= 0", name=op.f("ck_accounting_syncs_offset_not_negative")
        ),
        sa.CheckConstraint(
            "total IS NULL OR total >= 0", name=op.f("ck_accounting_syncs_total_not_negative")
        ),
        sa.CheckConstraint(
            "applied >= 0 AND attempts >= 0", name=op.f("ck_accounting_syncs_counts_not_negative")
        ),
        sa.CheckConstraint(
            "(status = 'running') = (finished_at IS NULL)",
            name=op.f("ck_accounting_syncs_finished_when_not_running"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounting_accounts.id"],
            name=op.f("fk_accounting_syncs_account_id_accounting_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounting_syncs")),
    )
    op.create_index(
        "uq_accounting_syncs_running",
        "accounting_syncs",
        ["account_id", "kind"],
        unique=True,
        sqlite_where=sa.text("status = 'running'"),
        postgresql_where=sa.text("status = 'running'"),
    )
    op.create_table(
        "accounting_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("buy_price_kopecks", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "buy_price_kopecks IS NULL OR buy_price_kopecks >= 0",
            name=op.f("ck_accounting_items_buy_price"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounting_accounts.id"],
            name=op.f("fk_accounting_items_account_id_accounting_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_accounting_items_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounting_items")),
        sa.UniqueConstraint(
            "account_id", "external_id", name=op.f("uq_accounting_items_account_id")
        ),
    )
    op.create_index(
        op.f("ix_accounting_items_product_id"), "accounting_items", ["product_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_accounting_items_product_id"), table_name="accounting_items")
    op.drop_table("accounting_items")
    op.drop_index("uq_accounting_syncs_running", table_name="accounting_syncs")
    op.drop_table("accounting_syncs")
    op.drop_table("accounting_accounts")
