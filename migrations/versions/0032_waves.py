"""waves (#13 item 2): pick work handed out at once by rules (who, when, which rules); pick
tasks and carts point at their wave; a wave's cart not yet started can be cancelled; the
live shift reads a picker's scans of the day by (user_id, created_at)

Revision ID: 0032
Revises: 0034
Create Date: 2026-12-08 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0034"
branch_labels = None
depends_on = None

OLD_BATCH_STATUSES = "status IN ('open', 'in_progress', 'done')"
BATCH_STATUSES = "status IN ('open', 'in_progress', 'done', 'cancelled')"


def upgrade() -> None:
    op.create_table(
        "waves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('open', 'cancelled')", name=op.f("ck_waves_status")),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_waves_warehouse_id_warehouses")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_waves_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["cancelled_by_id"], ["users.id"], name=op.f("fk_waves_cancelled_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waves")),
    )
    op.create_index(op.f("ix_waves_status"), "waves", ["status"], unique=False)
    with op.batch_alter_table("pick_batches") as batch:
        batch.add_column(sa.Column("wave_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_pick_batches_wave_id"), ["wave_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_pick_batches_wave_id_waves"), "waves", ["wave_id"], ["id"]
        )
        batch.drop_constraint(op.f("ck_pick_batches_status"), type_="check")
        batch.create_check_constraint(op.f("ck_pick_batches_status"), BATCH_STATUSES)
    with op.batch_alter_table("pick_tasks") as batch:
        batch.add_column(sa.Column("wave_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_pick_tasks_wave_id"), ["wave_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_pick_tasks_wave_id_waves"), "waves", ["wave_id"], ["id"]
        )
    op.create_index("ix_scan_events_user_time", "scan_events", ["user_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_scan_events_user_time", table_name="scan_events")
    with op.batch_alter_table("pick_tasks") as batch:
        batch.drop_constraint(batch.f("fk_pick_tasks_wave_id_waves"), type_="foreignkey")
        batch.drop_index(batch.f("ix_pick_tasks_wave_id"))
        batch.drop_column("wave_id")
    # a cancelled cart holds no order any more (its orders went back to the queue)
    op.execute("UPDATE pick_batches SET status = 'done' WHERE status = 'cancelled'")
    with op.batch_alter_table("pick_batches") as batch:
        batch.drop_constraint(op.f("ck_pick_batches_status"), type_="check")
        batch.create_check_constraint(op.f("ck_pick_batches_status"), OLD_BATCH_STATUSES)
        batch.drop_constraint(batch.f("fk_pick_batches_wave_id_waves"), type_="foreignkey")
        batch.drop_index(batch.f("ix_pick_batches_wave_id"))
        batch.drop_column("wave_id")
    op.drop_index(op.f("ix_waves_status"), table_name="waves")
    op.drop_table("waves")
