"""names of networks, nodes, switches and other devices are unique without case

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 09:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

TABLES = ('network', 'node', 'switch', 'otherdev')


def upgrade():
    conn = op.get_bind()
    for table in TABLES:
        folded = sa.func.lower(sa.table(table, sa.column('name')).c.name)
        clashes = conn.execute(sa.select(folded).group_by(folded)
                               .having(sa.func.count() > 1)).scalars().all()
        if clashes:
            # Which one to keep is the admin's choice, not the migration's; checked
            # before any index is made, so the database stays as it was.
            raise RuntimeError(f"{table} names differ only in case: {', '.join(sorted(clashes))}; "
                               f"rename all but one of each, then migrate again")
    for table in TABLES:
        op.create_index(f'uq_{table}_name_folded', table, [sa.text('lower(name)')], unique=True)


def downgrade():
    for table in TABLES:
        op.drop_index(f'uq_{table}_name_folded', table_name=table)
