"""an outbox command can be cancelled on the desk, with who did it

Revision ID: 0031
Revises: 0025
Create Date: 2026-12-06 06:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("cancelled_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_outbox_cancelled_by_id_users"), "users", ["cancelled_by_id"], ["id"]
        )
        batch.drop_constraint(op.f("ck_outbox_status"), type_="check")
        batch.create_check_constraint(
            op.f("ck_outbox_status"), "status IN ('pending', 'done', 'failed', 'cancelled')"
        )


def downgrade() -> None:
    op.execute("UPDATE outbox SET status = 'failed' WHERE status = 'cancelled'")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint(op.f("ck_outbox_status"), type_="check")
        batch.create_check_constraint(
            op.f("ck_outbox_status"), "status IN ('pending', 'done', 'failed')"
        )
        batch.drop_constraint(op.f("fk_outbox_cancelled_by_id_users"), type_="foreignkey")
        batch.drop_column("cancelled_by_id")
