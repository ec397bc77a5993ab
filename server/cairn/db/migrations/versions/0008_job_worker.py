"""a job records the server process that runs it: a worker that dies takes its jobs with it

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 17:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('job', sa.Column('worker', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_column('worker')
