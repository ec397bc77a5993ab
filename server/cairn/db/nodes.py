"""Queries about nodes and their interfaces."""

from sqlalchemy import delete, insert, select, update

from .objects import narrowed
from .schema import node, node_interface


def nodes(conn, name=None, where=None):
    """Node rows as dicts: listing 10,000 nodes reads plain values, not Row attributes.
    ``where`` narrows them (a tenant's scope), unless it is None."""
    query = narrowed(select(node), where).order_by(node.c.name)
    if name is not None:
        query = query.where(node.c.name == name)
    result = conn.execute(query)
    keys = list(result.keys())
    return [dict(zip(keys, row)) for row in result]


def interfaces(conn, node_ids=None, interface=None):
    """Interface rows of the given nodes (all nodes when None), in the order they were added."""
    query = select(node_interface).order_by(node_interface.c.node_id, node_interface.c.id)
    return _filtered(conn, query, node_ids, interface).all()


def interface_addresses(conn, node_ids=None, interface=None, where=None):
    """(node_id, interface, network_id, ip_key) tuples, as interface records are built from."""
    query = (select(node_interface.c.node_id, node_interface.c.interface,
                    node_interface.c.network_id, node_interface.c.ip_key)
             .order_by(node_interface.c.node_id, node_interface.c.id))
    return _filtered(conn, narrowed(query, where), node_ids, interface).tuples().all()


def _filtered(conn, query, node_ids, interface):
    if node_ids is not None:
        query = query.where(node_interface.c.node_id.in_(list(node_ids)))
    if interface is not None:
        query = query.where(node_interface.c.interface == interface)
    return conn.execute(query)


def add_interface(conn, node_id, interface, network_id, ip_key):
    conn.execute(insert(node_interface).values(
        node_id=node_id, interface=interface, network_id=network_id, ip_key=ip_key))


def move_interface(conn, interface_id, network_id, ip_key):
    conn.execute(update(node_interface).where(node_interface.c.id == interface_id)
                 .values(network_id=network_id, ip_key=ip_key))


def delete_interface(conn, interface_id):
    conn.execute(delete(node_interface).where(node_interface.c.id == interface_id))


def by_mac(conn, macaddr):
    """The node holding a MAC address (id, name, nodegroup_id), or None."""
    return conn.execute(select(node.c.id, node.c.name, node.c.nodegroup_id)
                        .where(node.c.macaddr == macaddr)).first()
