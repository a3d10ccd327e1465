"""printer registry: codes, stations, transports; print job requester, reprints, events

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 06:22:27.671475
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('queued', 'sending', 'sent', 'printed', 'failed')"
NEW_STATUSES = "status IN ('queued', 'sending', 'sent', 'printed', 'unknown', 'failed')"


def upgrade() -> None:
    op.create_table('print_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('printer_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.String(length=500), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['print_jobs.id'], name=op.f('fk_print_events_job_id_print_jobs')),
    sa.ForeignKeyConstraint(['printer_id'], ['printers.id'], name=op.f('fk_print_events_printer_id_printers')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_print_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_print_events'))
    )
    with op.batch_alter_table('print_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_print_events_job_id'), ['job_id'], unique=False)

    with op.batch_alter_table('print_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requested_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reprint_of_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('next_check_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_print_jobs_printer_id'), ['printer_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_print_jobs_reprint_of_id_print_jobs'), 'print_jobs', ['reprint_of_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_print_jobs_requested_by_id_users'), 'users', ['requested_by_id'], ['id'])
        batch_op.drop_constraint(op.f('ck_print_jobs_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_print_jobs_status'), NEW_STATUSES)

    # existing printers get a code from their id; the columns are filled before NOT NULL
    with op.batch_alter_table('printers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('transport', sa.String(length=8), server_default='tcp', nullable=False))
        batch_op.add_column(sa.Column('queue', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('label_width_mm', sa.Integer(), server_default='58', nullable=False))
        batch_op.add_column(sa.Column('label_height_mm', sa.Integer(), server_default='40', nullable=False))
        batch_op.add_column(sa.Column('station', sa.String(length=64), server_default='', nullable=False))
        batch_op.add_column(sa.Column('zone', sa.String(length=64), server_default='', nullable=False))
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('last_formats_in_buffer', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_labels_remaining', sa.Integer(), nullable=True))
    op.execute("UPDATE printers SET code = 'PRN-' || CAST(id AS VARCHAR(20)) WHERE code IS NULL")
    with op.batch_alter_table('printers', schema=None) as batch_op:
        batch_op.alter_column('code', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(batch_op.f('ix_printers_station'), ['station'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_printers_code'), ['code'])
        batch_op.create_check_constraint(op.f('ck_printers_transport'), "transport IN ('tcp', 'cups')")
        batch_op.create_check_constraint(op.f('ck_printers_port_range'), 'port > 0 AND port < 65536')
        batch_op.create_check_constraint(op.f('ck_printers_dpi'), 'dpi IN (203, 300, 600)')
        batch_op.create_check_constraint(
            op.f('ck_printers_label_size'), 'label_width_mm > 0 AND label_height_mm > 0'
        )


def downgrade() -> None:
    with op.batch_alter_table('printers', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_printers_label_size'), type_='check')
        batch_op.drop_constraint(op.f('ck_printers_dpi'), type_='check')
        batch_op.drop_constraint(op.f('ck_printers_port_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_printers_transport'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_printers_code'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_printers_station'))
        batch_op.drop_column('last_labels_remaining')
        batch_op.drop_column('last_formats_in_buffer')
        batch_op.drop_column('active')
        batch_op.drop_column('zone')
        batch_op.drop_column('station')
        batch_op.drop_column('label_height_mm')
        batch_op.drop_column('label_width_mm')
        batch_op.drop_column('queue')
        batch_op.drop_column('transport')
        batch_op.drop_column('code')

    op.execute("UPDATE print_jobs SET status = 'failed' WHERE status = 'unknown'")
    with op.batch_alter_table('print_jobs', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_print_jobs_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_print_jobs_status'), OLD_STATUSES)
        batch_op.drop_constraint(batch_op.f('fk_print_jobs_requested_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_print_jobs_reprint_of_id_print_jobs'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_print_jobs_printer_id'))
        batch_op.drop_column('next_check_at')
        batch_op.drop_column('reprint_of_id')
        batch_op.drop_column('requested_by_id')

    with op.batch_alter_table('print_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_print_events_job_id'))

    op.drop_table('print_events')
