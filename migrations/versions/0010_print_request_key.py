"""print jobs remember the one-time key of the request that made them

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 07:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('print_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_print_jobs_request_key'), ['request_key'])


def downgrade() -> None:
    with op.batch_alter_table('print_jobs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_print_jobs_request_key'), type_='unique')
        batch_op.drop_column('request_key')
