"""Queries about nodes and their interfaces."""

from sqlalchemy import bindparam, delete, insert, select, update

from .objects import narrowed
from .schema import node, node_interface

# Built once (see db.objects): what every boot and installer reads.
_NODES = select(node).order_by(node.c.name)
_NAMED = _NODES.where(node.c.name == bindparam("name"))
_BY_MAC = _NODES.where(node.c.macaddr == bindparam("mac"))
_ADDRESSES = (select(node_interface.c.node_id, node_interface.c.interface,
                     node_interface.c.network_id, node_interface.c.ip_key)
              .order_by(node_interface.c.node_id, node_interface.c.id))
_ADDRESSES_OF = _ADDRESSES.where(node_interface.c.node_id == bindparam("node_id"))


def nodes(conn, name=None, where=None):
    """Node rows as dicts: listing 10,000 nodes reads plain values, not Row attributes.
    ``where`` narrows them (a tenant's scope), unless it is None."""
    if name is None:
        return _dicts(conn.execute(narrowed(_NODES, where)))
    return _dicts(conn.execute(narrowed(_NAMED, where), {"name": name}))


def _dicts(result):
    keys = list(result.keys())
    return [dict(zip(keys, row)) for row in result]


def interfaces(conn, node_ids=None, interface=None):
    """Interface rows of the given nodes (all nodes when None), in the order they were added."""
    query = select(node_interface).order_by(node_interface.c.node_id, node_interface.c.id)
    return _filtered(conn, query, node_ids, interface).all()


def interface_addresses(conn, node_ids=None, interface=None, where=None):
    """(node_id, interface, network_id, ip_key) tuples, as interface records are built from."""
    return _filtered(conn, narrowed(_ADDRESSES, where), node_ids, interface).tuples().all()


def addresses_of(conn, node_id):
    """``interface_addresses`` of one node: what its record (and its boot) reads."""
    return conn.execute(_ADDRESSES_OF, {"node_id": node_id}).tuples().all()


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
    """The row (a dict, as ``nodes``) of the node holding a MAC address, or None."""
    rows = _dicts(conn.execute(_BY_MAC, {"mac": macaddr}))
    return rows[0] if rows else None
