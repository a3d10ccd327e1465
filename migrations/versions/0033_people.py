"""people (#13 item 6): packer and loader roles, further ТСД roles (user_roles), a session
version per person (the desk ends sessions), what the desk did to a person (staff_events),
and indexes for a person's history by who and when

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-08 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

TSD = "'picker', 'packer', 'loader'"
ROLES = f"{TSD}, 'supervisor', 'admin'"
STAFF_EVENTS = (
    "'sessions_ended', 'pin_reset', 'password_reset', 'deactivated', "
    "'created', 'edited', 'roles_changed', 'activated'"
)
HISTORY_INDEXES = (
    ("scan_events", "ix_scan_events_user_history", ["user_id", "created_at"]),
    ("stock_moves", "ix_stock_moves_user_history", ["user_id", "created_at"]),
    ("print_jobs", "ix_print_jobs_requested_by_history", ["requested_by_id", "created_at"]),
    ("handover_events", "ix_handover_events_user_history", ["user_id", "at"]),
    ("pick_tasks", "ix_pick_tasks_picker_history", ["picker_id", "finished_at"]),
)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("session_version", sa.Integer(), server_default="0", nullable=False)
        )
        batch.drop_constraint(op.f("ck_users_role"), type_="check")
        batch.drop_constraint(op.f("ck_users_picker_has_badge"), type_="check")
        batch.drop_constraint(op.f("ck_users_desk_user_has_login"), type_="check")
        batch.create_check_constraint(op.f("ck_users_role"), f"role IN ({ROLES})")
        batch.create_check_constraint(
            op.f("ck_users_tsd_user_has_badge"), f"role NOT IN ({TSD}) OR badge IS NOT NULL"
        )
        batch.create_check_constraint(
            op.f("ck_users_desk_user_has_login"), f"role IN ({TSD}) OR login IS NOT NULL"
        )
    op.create_table(
        "user_roles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.CheckConstraint(f"role IN ({TSD})", name=op.f("ck_user_roles_tsd_role")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_roles_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_roles")),
    )
    op.create_table(
        "staff_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=200), server_default="", nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"kind IN ({STAFF_EVENTS})", name=op.f("ck_staff_events_kind")),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_staff_events_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_staff_events_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_events")),
    )
    op.create_index("ix_staff_events_user_history", "staff_events", ["user_id", "id"])
    for table, name, columns in HISTORY_INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for table, name, _columns in HISTORY_INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_index("ix_staff_events_user_history", table_name="staff_events")
    op.drop_table("staff_events")
    op.drop_table("user_roles")
    # packers and loaders have no role before this revision: they become pickers
    op.execute(f"UPDATE users SET role = 'picker' WHERE role IN ({TSD})")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("ck_users_desk_user_has_login"), type_="check")
        batch.drop_constraint(op.f("ck_users_tsd_user_has_badge"), type_="check")
        batch.drop_constraint(op.f("ck_users_role"), type_="check")
        batch.create_check_constraint(
            op.f("ck_users_role"), "role IN ('picker', 'supervisor', 'admin')"
        )
        batch.create_check_constraint(
            op.f("ck_users_picker_has_badge"), "role != 'picker' OR badge IS NOT NULL"
        )
        batch.create_check_constraint(
            op.f("ck_users_desk_user_has_login"), "role = 'picker' OR login IS NOT NULL"
        )
        batch.drop_column("session_version")
