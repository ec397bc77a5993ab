"""every node gets a uid that no later node shares: provisioning tokens name it

SQLite gives a new row the highest id plus one, so the last node deleted and the
next one created share an id; a node's provisioning token named the id, and so
would have let the new node of the same name in. The column is nullable at the
database level because making it NOT NULL would rebuild the node table on SQLite,
and dropping the old table would cascade to the nodes' interfaces; every row gets
a uid here, and schema.py gives every new one its own.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 10:00:00
"""

import uuid

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('node', sa.Column('uid', sa.String(length=32), nullable=True))
    op.create_index('ix_node_uid', 'node', ['uid'], unique=True)
    conn = op.get_bind()
    node = sa.table('node', sa.column('id', sa.Integer), sa.column('uid', sa.String))
    for (node_id,) in conn.execute(sa.select(node.c.id)).all():
        conn.execute(node.update().where(node.c.id == node_id).values(uid=uuid.uuid4().hex))


def downgrade():
    op.drop_index('ix_node_uid', table_name='node')
    with op.batch_alter_table('node', schema=None) as batch_op:
        batch_op.drop_column('uid')
