"""tenancy

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 04:01:39.237599
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'tenant',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uid', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=63), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('purge_at', sa.BigInteger(), nullable=True),
        sa.Column('token_generation', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('last_modified', sa.BigInteger(), nullable=True),
        sa.Column('last_modified_on', sa.String(length=255), nullable=True),
        sa.Column('last_modified_by', sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tenant')),
        sa.UniqueConstraint('name', name=op.f('uq_tenant_name')),
        sa.UniqueConstraint('uid', name=op.f('uq_tenant_uid'))
    )
    op.create_table(
        'tenancy',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=63), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=True),
        sa.Column('system', sa.Boolean(), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('created', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_tenancy_tenant_id_tenant'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tenancy')),
        sa.UniqueConstraint('name', name=op.f('uq_tenancy_name'))
    )
    with op.batch_alter_table('tenancy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tenancy_tenant_id'), ['tenant_id'], unique=False)

    with op.batch_alter_table('admin', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tenant_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('keys', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('gui_settings', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('last_modified_on', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('last_modified_by', sa.String(length=255), nullable=True))
        # Existing admins start at generation 0.
        batch_op.add_column(sa.Column('token_generation', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.create_index(batch_op.f('ix_admin_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_admin_tenant_id_tenant'), 'tenant', ['tenant_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('node', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tenancy_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_node_tenancy_id'), ['tenancy_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_node_tenancy_id_tenancy'), 'tenancy', ['tenancy_id'], ['id'], ondelete='RESTRICT')

    with op.batch_alter_table('journal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('principal_uid', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_journal_principal_uid'), ['principal_uid'], unique=False)


def downgrade():
    with op.batch_alter_table('journal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_principal_uid'))
        batch_op.drop_column('principal_uid')

    with op.batch_alter_table('node', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_node_tenancy_id_tenancy'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_node_tenancy_id'))
        batch_op.drop_column('tenancy_id')

    with op.batch_alter_table('admin', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_admin_tenant_id_tenant'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_admin_tenant_id'))
        batch_op.drop_column('token_generation')
        batch_op.drop_column('last_modified_by')
        batch_op.drop_column('last_modified_on')
        batch_op.drop_column('gui_settings')
        batch_op.drop_column('keys')
        batch_op.drop_column('tenant_id')

    with op.batch_alter_table('tenancy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tenancy_tenant_id'))

    op.drop_table('tenancy')
    op.drop_table('tenant')
