"""printers have a kind: label printers (Zebra) and document printers (A4 through CUPS)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 04:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('printers', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('kind', sa.String(length=16), server_default='label', nullable=False)
        )
        batch_op.create_check_constraint(op.f('ck_printers_kind'), "kind IN ('label', 'document')")
        batch_op.create_check_constraint(
            op.f('ck_printers_document_through_cups'), "kind = 'label' OR transport = 'cups'"
        )


def downgrade() -> None:
    op.execute("DELETE FROM print_events WHERE job_id IN (SELECT id FROM print_jobs WHERE "
               "printer_id IN (SELECT id FROM printers WHERE kind = 'document'))")
    op.execute("DELETE FROM print_jobs WHERE printer_id IN "
               "(SELECT id FROM printers WHERE kind = 'document')")
    op.execute("UPDATE print_events SET printer_id = NULL WHERE printer_id IN "
               "(SELECT id FROM printers WHERE kind = 'document')")
    op.execute("DELETE FROM printers WHERE kind = 'document'")
    with op.batch_alter_table('printers', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_printers_document_through_cups'), type_='check')
        batch_op.drop_constraint(op.f('ck_printers_kind'), type_='check')
        batch_op.drop_column('kind')
