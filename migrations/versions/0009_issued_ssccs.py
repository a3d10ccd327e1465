"""issued SSCCs: box identities we issue, each (prefix, serial) once

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 07:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('issued_ssccs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=18), nullable=False),
    sa.Column('company_prefix', sa.String(length=12), nullable=False),
    sa.Column('extension', sa.Integer(), nullable=False),
    sa.Column('serial', sa.BigInteger(), nullable=False),
    sa.Column('parcel_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('tote', sa.String(length=64), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('print_job_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('extension >= 0 AND extension <= 9', name=op.f('ck_issued_ssccs_extension_digit')),
    sa.CheckConstraint('serial >= 0', name=op.f('ck_issued_ssccs_serial_not_negative')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_issued_ssccs_issued_by_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_issued_ssccs_order_id_orders'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id'], name=op.f('fk_issued_ssccs_parcel_id_parcels'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['print_job_id'], ['print_jobs.id'], name=op.f('fk_issued_ssccs_print_job_id_print_jobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_ssccs')),
    sa.UniqueConstraint('code', name=op.f('uq_issued_ssccs_code')),
    sa.UniqueConstraint('company_prefix', 'serial', name=op.f('uq_issued_ssccs_company_prefix')),
    sa.UniqueConstraint('parcel_id', name=op.f('uq_issued_ssccs_parcel_id'))
    )
    with op.batch_alter_table('issued_ssccs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_ssccs_order_id'), ['order_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('issued_ssccs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_ssccs_order_id'))

    op.drop_table('issued_ssccs')
