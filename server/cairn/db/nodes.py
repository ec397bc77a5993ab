"""Queries about nodes and their interfaces."""

from sqlalchemy import bindparam, delete, insert, select, update

from . import changes
from .objects import narrowed
from .schema import node, node_interface

# Built once (see db.objects): what every boot and installer reads.
_NODES = select(node).order_by(node.c.name)
# One node's row with its interfaces' addresses (a row each, or one of NULLs) and the
# count of changes (see db.changes): what a boot reads first, in one statement.
_ADDRESS_COLUMNS = (node_interface.c.interface, node_interface.c.network_id, node_interface.c.ip_key)
_ONE = (select(node, *_ADDRESS_COLUMNS, changes.COUNT)
        .outerjoin(node_interface, node_interface.c.node_id == node.c.id)
        .order_by(node_interface.c.id))
_NAMED = _ONE.where(node.c.name == bindparam("name"))
_BY_MAC = _ONE.where(node.c.macaddr == bindparam("mac"))
_ADDRESSES = (select(node_interface.c.node_id, *_ADDRESS_COLUMNS)
              .order_by(node_interface.c.node_id, node_interface.c.id))


def nodes(conn, name=None, where=None):
    """Node rows as dicts: listing 10,000 nodes reads plain values, not Row attributes.
    ``where`` narrows them (a tenant's scope), unless it is None. The row of the node
    ``name`` also holds its ``interface_addresses`` under "addresses"."""
    if name is None:
        return _dicts(conn.execute(narrowed(_NODES, where)))
    row = _one(conn, narrowed(_NAMED, where), {"name": name})
    return [] if row is None else [row]


def _dicts(result):
    keys = list(result.keys())
    return [dict(zip(keys, row)) for row in result]


def _one(conn, query, parameters):
    """The row of the one node ``query`` (of _ONE) finds, as ``nodes`` gives it, or None."""
    rows = conn.execute(query, parameters).all()
    if not rows:
        return None
    width = len(node.columns)
    row = dict(zip(node.columns.keys(), rows[0][:width]))
    row["addresses"] = [(row["id"], *address[width:width + len(_ADDRESS_COLUMNS)])
                        for address in rows if address[width] is not None]
    changes.seen(conn, rows[0][-1])
    return row


def interfaces(conn, node_ids=None, interface=None):
    """Interface rows of the given nodes (all nodes when None), in the order they were added."""
    query = select(node_interface).order_by(node_interface.c.node_id, node_interface.c.id)
    return _filtered(conn, query, node_ids, interface).all()


def interface_addresses(conn, node_ids=None, interface=None, where=None):
    """(node_id, interface, network_id, ip_key) tuples, as interface records are built from."""
    return _filtered(conn, narrowed(_ADDRESSES, where), node_ids, interface).tuples().all()


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
    """The row of the node holding a MAC address (as ``nodes`` gives a named one), or None."""
    return _one(conn, _BY_MAC, {"mac": macaddr})
