"""a tote holds one order while it is being picked (partial unique index)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 22:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

IN_PROGRESS = "status = 'in_progress' AND tote IS NOT NULL"


def upgrade() -> None:
    op.create_index(
        'uq_pick_tasks_tote_in_progress',
        'pick_tasks',
        ['tote'],
        unique=True,
        sqlite_where=sa.text(IN_PROGRESS),
        postgresql_where=sa.text(IN_PROGRESS),
    )


def downgrade() -> None:
    op.drop_index('uq_pick_tasks_tote_in_progress', table_name='pick_tasks')
