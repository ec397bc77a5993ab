"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 01:48:40.737828
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'admin',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uid', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=63), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('password_hash', sa.String(length=255), nullable=True),
        sa.Column('roles', sa.Text(), nullable=False),
        sa.Column('superadmin', sa.Boolean(), nullable=False),
        sa.Column('last_modified', sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admin')),
        sa.UniqueConstraint('name', name=op.f('uq_admin_name')),
        sa.UniqueConstraint('uid', name=op.f('uq_admin_uid'))
    )
    op.create_table(
        'bmcsetup',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bmcsetup')),
        sa.UniqueConstraint('name', name=op.f('uq_bmcsetup_name'))
    )
    op.create_table(
        'cluster',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=63), nullable=False),
        sa.Column('domain', sa.String(length=253), nullable=True),
        sa.Column('ntp_server', sa.String(length=255), nullable=True),
        sa.Column('technical_contacts', sa.Text(), nullable=True),
        sa.Column('provision_method', sa.String(length=32), nullable=False),
        sa.Column('provision_fallback', sa.String(length=32), nullable=False),
        sa.Column('debug', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cluster'))
    )
    op.create_table(
        'controller',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('ipaddr', sa.String(length=45), nullable=True),
        sa.Column('serverport', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('started_at', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_controller')),
        sa.UniqueConstraint('name', name=op.f('uq_controller_name'))
    )
    op.create_table(
        'network',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=63), nullable=False),
        sa.Column('network', sa.String(length=49), nullable=False),
        sa.Column('gateway', sa.String(length=45), nullable=True),
        sa.Column('ns_hostname', sa.String(length=253), nullable=True),
        sa.Column('ns_ip', sa.String(length=45), nullable=True),
        sa.Column('ntp_server', sa.String(length=255), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('dhcp', sa.Boolean(), nullable=False),
        sa.Column('dhcp_range_begin', sa.String(length=45), nullable=True),
        sa.Column('dhcp_range_end', sa.String(length=45), nullable=True),
        sa.Column('alloc_floor', sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_network')),
        sa.UniqueConstraint('name', name=op.f('uq_network_name'))
    )
    op.create_table(
        'osimage',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_osimage')),
        sa.UniqueConstraint('name', name=op.f('uq_osimage_name'))
    )
    op.create_table(
        'switch',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_switch')),
        sa.UniqueConstraint('name', name=op.f('uq_switch_name'))
    )
    op.create_table(
        'nodegroup',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=63), nullable=False),
        sa.Column('domain', sa.String(length=253), nullable=True),
        sa.Column('bmcsetup', sa.Boolean(), nullable=True),
        sa.Column('bmcsetup_id', sa.Integer(), nullable=True),
        sa.Column('osimage_id', sa.Integer(), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('osimagetag', sa.String(length=63), nullable=True),
        sa.Column('prescript', sa.Text(), nullable=True),
        sa.Column('partscript', sa.Text(), nullable=True),
        sa.Column('postscript', sa.Text(), nullable=True),
        sa.Column('netboot', sa.Boolean(), nullable=True),
        sa.Column('localinstall', sa.Boolean(), nullable=True),
        sa.Column('bootmenu', sa.Boolean(), nullable=True),
        sa.Column('provision_interface', sa.String(length=63), nullable=True),
        sa.Column('provision_method', sa.String(length=32), nullable=True),
        sa.Column('provision_fallback', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(['bmcsetup_id'], ['bmcsetup.id'], name=op.f('fk_nodegroup_bmcsetup_id_bmcsetup'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['osimage_id'], ['osimage.id'], name=op.f('fk_nodegroup_osimage_id_osimage'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_nodegroup')),
        sa.UniqueConstraint('name', name=op.f('uq_nodegroup_name'))
    )
    with op.batch_alter_table('nodegroup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nodegroup_bmcsetup_id'), ['bmcsetup_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nodegroup_osimage_id'), ['osimage_id'], unique=False)

    op.create_table(
        'group_interface',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('nodegroup_id', sa.Integer(), nullable=False),
        sa.Column('interface', sa.String(length=63), nullable=False),
        sa.Column('network_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_group_interface_network_id_network'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['nodegroup_id'], ['nodegroup.id'], name=op.f('fk_group_interface_nodegroup_id_nodegroup'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_group_interface')),
        sa.UniqueConstraint('nodegroup_id', 'interface', name=op.f('uq_group_interface_nodegroup_id'))
    )
    with op.batch_alter_table('group_interface', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_interface_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_interface_nodegroup_id'), ['nodegroup_id'], unique=False)

    op.create_table(
        'node',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=63), nullable=False),
        sa.Column('nodegroup_id', sa.Integer(), nullable=False),
        sa.Column('macaddr', sa.String(length=17), nullable=True),
        sa.Column('switch_id', sa.Integer(), nullable=True),
        sa.Column('switchport', sa.Integer(), nullable=True),
        sa.Column('service', sa.Boolean(), nullable=False),
        sa.Column('setupbmc', sa.Boolean(), nullable=True),
        sa.Column('status', sa.String(length=255), nullable=True),
        sa.Column('osimage_id', sa.Integer(), nullable=True),
        sa.Column('tpm_uuid', sa.String(length=255), nullable=True),
        sa.Column('tpm_pubkey', sa.Text(), nullable=True),
        sa.Column('tpm_sha256', sa.String(length=64), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('osimagetag', sa.String(length=63), nullable=True),
        sa.Column('prescript', sa.Text(), nullable=True),
        sa.Column('partscript', sa.Text(), nullable=True),
        sa.Column('postscript', sa.Text(), nullable=True),
        sa.Column('netboot', sa.Boolean(), nullable=True),
        sa.Column('localinstall', sa.Boolean(), nullable=True),
        sa.Column('bootmenu', sa.Boolean(), nullable=True),
        sa.Column('provision_interface', sa.String(length=63), nullable=True),
        sa.Column('provision_method', sa.String(length=32), nullable=True),
        sa.Column('provision_fallback', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(['nodegroup_id'], ['nodegroup.id'], name=op.f('fk_node_nodegroup_id_nodegroup'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['osimage_id'], ['osimage.id'], name=op.f('fk_node_osimage_id_osimage'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['switch_id'], ['switch.id'], name=op.f('fk_node_switch_id_switch'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_node')),
        sa.UniqueConstraint('macaddr', name=op.f('uq_node_macaddr')),
        sa.UniqueConstraint('name', name=op.f('uq_node_name'))
    )
    with op.batch_alter_table('node', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_node_nodegroup_id'), ['nodegroup_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_node_osimage_id'), ['osimage_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_node_switch_id'), ['switch_id'], unique=False)

    op.create_table(
        'node_interface',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('node_id', sa.Integer(), nullable=False),
        sa.Column('interface', sa.String(length=63), nullable=False),
        sa.Column('network_id', sa.Integer(), nullable=False),
        sa.Column('ip_key', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_node_interface_network_id_network'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['node_id'], ['node.id'], name=op.f('fk_node_interface_node_id_node'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_node_interface')),
        sa.UniqueConstraint('network_id', 'ip_key', name=op.f('uq_node_interface_network_id')),
        sa.UniqueConstraint('node_id', 'interface', name=op.f('uq_node_interface_node_id'))
    )
    with op.batch_alter_table('node_interface', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_node_interface_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_node_interface_node_id'), ['node_id'], unique=False)


def downgrade():
    with op.batch_alter_table('node_interface', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_node_interface_node_id'))
        batch_op.drop_index(batch_op.f('ix_node_interface_network_id'))

    op.drop_table('node_interface')
    with op.batch_alter_table('node', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_node_switch_id'))
        batch_op.drop_index(batch_op.f('ix_node_osimage_id'))
        batch_op.drop_index(batch_op.f('ix_node_nodegroup_id'))

    op.drop_table('node')
    with op.batch_alter_table('group_interface', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_interface_nodegroup_id'))
        batch_op.drop_index(batch_op.f('ix_group_interface_network_id'))

    op.drop_table('group_interface')
    with op.batch_alter_table('nodegroup', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nodegroup_osimage_id'))
        batch_op.drop_index(batch_op.f('ix_nodegroup_bmcsetup_id'))

    op.drop_table('nodegroup')
    op.drop_table('switch')
    op.drop_table('osimage')
    op.drop_table('network')
    op.drop_table('controller')
    op.drop_table('cluster')
    op.drop_table('bmcsetup')
    op.drop_table('admin')
