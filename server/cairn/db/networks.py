"""Queries about networks and who uses them."""

from sqlalchemy import select

from .schema import group, group_interface, network, node, node_interface, otherdev, switch


def all_networks(conn):
    """{id: row} of every network."""
    return {row.id: row for row in conn.execute(select(network))}


def users(conn, network_id, limit=5):
    """[(kind, names)] of the groups, nodes, switches and other devices in the
    network, a few names of each kind."""
    queries = {
        "group": select(group.c.name).join(group_interface, group_interface.c.nodegroup_id == group.c.id)
        .where(group_interface.c.network_id == network_id).distinct(),
        "node": select(node.c.name).join(node_interface, node_interface.c.node_id == node.c.id)
        .where(node_interface.c.network_id == network_id),
        "switch": select(switch.c.name).where(switch.c.network_id == network_id),
        "otherdev": select(otherdev.c.name).where(otherdev.c.network_id == network_id),
    }
    return [(kind, conn.execute(query.order_by(query.selected_columns[0]).limit(limit)).scalars().all())
            for kind, query in queries.items()]
