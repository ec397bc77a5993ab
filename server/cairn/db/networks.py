"""Queries about networks and who uses them."""

from sqlalchemy import func, select

from .schema import group, group_interface, network, node, node_interface


def all_networks(conn):
    return {row.id: row for row in conn.execute(select(network))}


def users(conn, network_id, limit=5):
    """Names of groups and nodes with an interface in the network, a few of each."""
    groups = conn.execute(
        select(group.c.name).join(group_interface, group_interface.c.nodegroup_id == group.c.id)
        .where(group_interface.c.network_id == network_id).distinct()
        .order_by(group.c.name).limit(limit)).scalars().all()
    nodes = conn.execute(
        select(node.c.name).join(node_interface, node_interface.c.node_id == node.c.id)
        .where(node_interface.c.network_id == network_id)
        .order_by(node.c.name).limit(limit)).scalars().all()
    return groups, nodes


def count_taken_between(conn, network_id, low_key, high_key):
    return conn.execute(
        select(func.count()).select_from(node_interface)
        .where(node_interface.c.network_id == network_id,
               node_interface.c.ip_key.between(low_key, high_key))).scalar_one()


def highest_key(conn, network_id):
    return conn.execute(select(func.max(node_interface.c.ip_key))
                        .where(node_interface.c.network_id == network_id)).scalar()
