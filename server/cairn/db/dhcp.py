"""Queries the DHCP configuration is rendered from."""

from sqlalchemy import and_, func, literal, select

from .schema import group, network, node, node_interface


def dhcp_networks(conn):
    """The networks with DHCP on, by name."""
    return conn.execute(select(network).where(network.c.dhcp.is_(True))
                        .order_by(network.c.name)).all()


def boot_reservations(conn, default_interface):
    """(network_id, ip_key, node name, macaddr) of every node with a MAC, for the address
    of its provisioning interface in a network with DHCP on.

    The MAC belongs to the interface named by the node's provision_interface, or its
    group's, or ``default_interface``: one statement for all nodes.
    """
    provisioning = func.coalesce(node.c.provision_interface, group.c.provision_interface,
                                 literal(default_interface))
    return conn.execute(
        select(node_interface.c.network_id, node_interface.c.ip_key, node.c.name, node.c.macaddr)
        .join(node, node.c.id == node_interface.c.node_id)
        .join(group, group.c.id == node.c.nodegroup_id)
        .join(network, and_(network.c.id == node_interface.c.network_id, network.c.dhcp.is_(True)))
        .where(node.c.macaddr.is_not(None), node_interface.c.interface == provisioning)
        .order_by(node.c.name)).all()
