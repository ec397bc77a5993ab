"""Queries about nodes and their interfaces."""

from sqlalchemy import delete, insert, select, update

from .schema import node, node_interface


def nodes(conn, name=None):
    query = select(node).order_by(node.c.name)
    if name is not None:
        query = query.where(node.c.name == name)
    return conn.execute(query).all()


def interfaces(conn, node_ids=None, interface=None):
    """Interface rows of the given nodes (all nodes when None), in the order they were added."""
    query = select(node_interface).order_by(node_interface.c.node_id, node_interface.c.id)
    if node_ids is not None:
        query = query.where(node_interface.c.node_id.in_(list(node_ids)))
    if interface is not None:
        query = query.where(node_interface.c.interface == interface)
    return conn.execute(query).all()


def add_interface(conn, node_id, interface, network_id, ip_key):
    conn.execute(insert(node_interface).values(
        node_id=node_id, interface=interface, network_id=network_id, ip_key=ip_key))


def move_interface(conn, interface_id, network_id, ip_key):
    conn.execute(update(node_interface).where(node_interface.c.id == interface_id)
                 .values(network_id=network_id, ip_key=ip_key))


def delete_interface(conn, interface_id):
    conn.execute(delete(node_interface).where(node_interface.c.id == interface_id))


def by_mac(conn, macaddr):
    return conn.execute(select(node.c.id, node.c.name).where(node.c.macaddr == macaddr)).first()
