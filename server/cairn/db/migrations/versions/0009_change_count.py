"""the count of changes to what every node's record shares: server processes keep those records

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 19:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'change_count',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shared', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_change_count')),
    )
    op.bulk_insert(table, [{'id': 1, 'shared': 0}])


def downgrade():
    op.drop_table('change_count')
