"""Queries on the addresses taken in a network (node interfaces for now)."""

from sqlalchemy import case, func, select, update

from .schema import network, node, node_interface

_BATCH = 512


def lock_networks(conn, network_ids):
    """Lock the network rows, in id order, for the rest of the transaction;
    return their allocation floors ({id: alloc_floor}) as they are now.

    Two allocations in the same network then serialise here instead of both
    choosing the same free address. SQLite holds the database write lock
    already (BEGIN IMMEDIATE) and ignores FOR UPDATE.
    """
    ids = sorted(set(network_ids))
    if not ids:
        return {}
    return dict(conn.execute(select(network.c.id, network.c.alloc_floor)
                             .where(network.c.id.in_(ids))
                             .order_by(network.c.id).with_for_update()).all())


def taken_keys_from(conn, network_id, key):
    """Taken keys of ``network_id`` from ``key`` on, ascending, one batch."""
    return conn.execute(
        select(node_interface.c.ip_key)
        .where(node_interface.c.network_id == network_id, node_interface.c.ip_key >= key)
        .order_by(node_interface.c.ip_key).limit(_BATCH)).scalars().all(), _BATCH


def taken(conn, network_id):
    """Every (key, device name) taken in a network, ascending."""
    return conn.execute(
        select(node_interface.c.ip_key, node.c.name)
        .join(node, node.c.id == node_interface.c.node_id)
        .where(node_interface.c.network_id == network_id)
        .order_by(node_interface.c.ip_key)).all()


def lower_floor(conn, network_id, key):
    """Note that ``key`` became free: allocation must look there again.

    The row is updated unconditionally, the comparison made in SET: on
    PostgreSQL a WHERE on alloc_floor would be judged on the snapshot and
    skip the row without waiting for an allocation holding its lock, which
    then raises the floor past ``key`` and leaves a hole below it.
    """
    conn.execute(update(network).where(network.c.id == network_id).values(
        alloc_floor=case((network.c.alloc_floor > key, key), else_=network.c.alloc_floor)))


def lower_floors_for_node(conn, node_id):
    """Before a node's interfaces go: lower each network's floor to what they free."""
    for network_id, key in conn.execute(
            select(node_interface.c.network_id, func.min(node_interface.c.ip_key))
            .where(node_interface.c.node_id == node_id)
            .group_by(node_interface.c.network_id)
            .order_by(node_interface.c.network_id)).all():  # the lock order of lock_networks
        lower_floor(conn, network_id, key)


def raise_floor(conn, network_id, key):
    conn.execute(update(network).where(network.c.id == network_id).values(alloc_floor=key))


def holder(conn, network_id, key):
    """The node interface holding ``key`` in a network (id, name of its node), or None."""
    return conn.execute(
        select(node_interface.c.id, node.c.name)
        .join(node, node.c.id == node_interface.c.node_id)
        .where(node_interface.c.network_id == network_id, node_interface.c.ip_key == key)
    ).first()
