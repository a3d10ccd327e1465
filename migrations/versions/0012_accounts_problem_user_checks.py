"""a cabinet remembers why its last call failed; users: pickers have badges, desk users logins

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 21:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('marketplace_accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('problem', sa.String(length=16), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_marketplace_accounts_problem'), "problem IN ('auth', 'unavailable', 'refused')"
        )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f('ck_users_picker_has_badge'), "role != 'picker' OR badge IS NOT NULL"
        )
        batch_op.create_check_constraint(
            op.f('ck_users_desk_user_has_login'), "role = 'picker' OR login IS NOT NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_desk_user_has_login'), type_='check')
        batch_op.drop_constraint(op.f('ck_users_picker_has_badge'), type_='check')
    with op.batch_alter_table('marketplace_accounts', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_marketplace_accounts_problem'), type_='check')
        batch_op.drop_column('problem')
