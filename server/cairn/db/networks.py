"""Queries about networks and who uses them."""

from sqlalchemy import bindparam, select

from .schema import group, group_interface, network, node, node_interface, otherdev, switch

# Built once (see db.objects): a node's record reads its networks.
_NETWORKS = select(network)
_NAMED_BY_ID = _NETWORKS.where(network.c.id.in_(bindparam("ids", expanding=True)))


def all_networks(conn, ids=None):
    """{id: row} of every network, or of those ``ids`` names."""
    if ids is None:
        return {row.id: row for row in conn.execute(_NETWORKS)}
    if not ids:
        return {}
    return {row.id: row for row in conn.execute(_NAMED_BY_ID, {"ids": list(set(ids))})}


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
