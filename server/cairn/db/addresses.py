"""Queries on the addresses taken in a network: by node interfaces, switches and
other devices.

The three tables keep an address alike, as (network_id, ip_key) under a
unique index; the queries read them together as one UNION ALL, one indexed
SELECT a table, so a query's count never depends on how many holders there are.
"""

from sqlalchemy import bindparam, case, func, literal, select, union_all, update

from .schema import network, node, node_interface, otherdev, switch

_BATCH = 512
_HOLDERS = (node_interface, switch, otherdev)


def _held(where):
    """(kind, id, ip_key, name) of the addresses for which ``where(table)`` holds.

    kind and id are the table and row holding the address; name is what a
    network's _list shows: the device's own name, or a node interface's node's.
    """
    def holders(table, name):
        return select(literal(table.name).label("kind"), table.c.id, table.c.ip_key,
                      name.label("name")).where(*where(table))
    interfaces = holders(node_interface, node.c.name).join(
        node, node.c.id == node_interface.c.node_id)
    return union_all(interfaces, holders(switch, switch.c.name),
                     holders(otherdev, otherdev.c.name)).subquery()


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


def _taken_keys_from():
    """Taken keys of a network from a key on, ascending, one batch.

    Each table gives its own first batch (an index range scan that stops
    there), and the first batch of the union lies among those.
    """
    batches = [select(table.c.ip_key)
               .where(table.c.network_id == _NETWORK, table.c.ip_key >= _KEY)
               .order_by(table.c.ip_key).limit(_BATCH).subquery() for table in _HOLDERS]
    keys = union_all(*(select(batch.c.ip_key) for batch in batches)).subquery()
    return select(keys.c.ip_key).order_by(keys.c.ip_key).limit(_BATCH)


# Allocation runs these for every interface it numbers: built once, with
# parameters, they cost no statement construction per call.
_NETWORK, _KEY = bindparam("network_id"), bindparam("key")
_TAKEN_KEYS_FROM = _taken_keys_from()
_HOLDER = select(_held(lambda table: [table.c.network_id == _NETWORK, table.c.ip_key == _KEY]))


def taken_keys_from(conn, network_id, key):
    """Taken keys of ``network_id`` from ``key`` on, ascending, one batch."""
    return conn.execute(_TAKEN_KEYS_FROM, {"network_id": network_id, "key": key}).scalars().all(), _BATCH


def taken(conn, network_id):
    """Every (key, holder name) taken in a network, ascending."""
    held = _held(lambda table: [table.c.network_id == network_id])
    return conn.execute(select(held.c.ip_key, held.c.name).order_by(held.c.ip_key)).all()


def count_taken_between(conn, network_id, low_key, high_key):
    counts = union_all(*(select(func.count().label("n")).where(
        table.c.network_id == network_id, table.c.ip_key.between(low_key, high_key))
        for table in _HOLDERS)).subquery()
    return conn.execute(select(func.sum(counts.c.n))).scalar_one()


def highest_key(conn, network_id):
    highest = union_all(*(select(func.max(table.c.ip_key).label("key"))
                          .where(table.c.network_id == network_id)
                          for table in _HOLDERS)).subquery()
    return conn.execute(select(func.max(highest.c.key))).scalar()


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
    """What holds ``key`` in a network (kind, id, ip_key, name), or None."""
    return conn.execute(_HOLDER, {"network_id": network_id, "key": key}).first()
