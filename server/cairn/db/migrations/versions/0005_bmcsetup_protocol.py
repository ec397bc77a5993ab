"""a BMC setup says how its BMCs are spoken to: protocol ipmi (every existing one) or redfish

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('bmcsetup', sa.Column('protocol', sa.String(length=16), nullable=False,
                                        server_default='ipmi'))


def downgrade():
    with op.batch_alter_table('bmcsetup', schema=None) as batch_op:
        batch_op.drop_column('protocol')
