"""Queries about tenants, their tenancies and accounts, and the nodes tenancies hold."""

from sqlalchemy import delete, select, update

from .schema import admin, node, tenancy, tenant

# Names per IN (...) list: SQLite takes at most 32,766 parameters a statement, and a
# hostlist expands to as many as 100,000 names.
_BATCH = 10_000


def _batches(items):
    items = list(items)
    for start in range(0, len(items), _BATCH):
        yield items[start:start + _BATCH]


def _one(conn, condition, for_update=False):
    query = select(tenant).where(condition)
    if for_update:
        query = query.with_for_update()
    return conn.execute(query).first()


def by_id(conn, tenant_id, for_update=False):
    return _one(conn, tenant.c.id == tenant_id, for_update)


def by_uid(conn, uid):
    return _one(conn, tenant.c.uid == uid)


def by_uid_or_name(conn, ident, for_update=False):
    """The tenant whose uid is ``ident``, else the one named ``ident``."""
    return (_one(conn, tenant.c.uid == ident, for_update)
            or _one(conn, tenant.c.name == ident, for_update))


def due_for_purge(conn, now):
    """Ids of the tenants scheduled for deletion whose window ended by ``now``."""
    return conn.execute(select(tenant.c.id).where(tenant.c.status == "deleting",
                                                  tenant.c.purge_at <= now)
                        .order_by(tenant.c.id)).scalars().all()


def tenancy_names(conn):
    """{tenant id: [names of its tenancies]}, sorted by name."""
    owned = {}
    for tenant_id, name in conn.execute(select(tenancy.c.tenant_id, tenancy.c.name)
                                        .where(tenancy.c.tenant_id.is_not(None))
                                        .order_by(tenancy.c.name)):
        owned.setdefault(tenant_id, []).append(name)
    return owned


def tenancies_of(conn, tenant_id):
    return conn.execute(select(tenancy).where(tenancy.c.tenant_id == tenant_id)
                        .order_by(tenancy.c.name)).all()


def quarantine(conn, for_update=False):
    """The system's tenancy (there is at most one), or None."""
    query = select(tenancy).where(tenancy.c.system.is_(True))
    if for_update:
        query = query.with_for_update()
    return conn.execute(query).first()


def node_names(conn, tenancy_ids):
    """{tenancy id: [names of its nodes]}, sorted by name."""
    held = {tenancy_id: [] for tenancy_id in tenancy_ids}
    for ids in _batches(tenancy_ids):
        for tenancy_id, name in conn.execute(select(node.c.tenancy_id, node.c.name)
                                             .where(node.c.tenancy_id.in_(ids))
                                             .order_by(node.c.name)):
            held[tenancy_id].append(name)
    return held


def nodes_named(conn, names):
    """(id, name, tenancy_id) of the nodes named in ``names`` that exist, locked for update:
    a concurrent request cannot hand the same node to another tenancy."""
    rows = []
    for batch in _batches(set(names)):
        rows.extend(conn.execute(select(node.c.id, node.c.name, node.c.tenancy_id)
                                 .where(node.c.name.in_(batch)).with_for_update()))
    return rows


def assign_nodes(conn, node_ids, tenancy_id):
    for ids in _batches(node_ids):
        conn.execute(update(node).where(node.c.id.in_(ids)).values(tenancy_id=tenancy_id))


def move_nodes(conn, from_tenancy_ids, to_tenancy_id):
    """Move every node of the tenancies ``from_tenancy_ids`` to another; how many moved."""
    moved = 0
    for ids in _batches(from_tenancy_ids):
        moved += conn.execute(update(node).where(node.c.tenancy_id.in_(ids))
                              .values(tenancy_id=to_tenancy_id)).rowcount
    return moved


def remove_tenancies(conn, tenancy_ids):
    for ids in _batches(tenancy_ids):
        conn.execute(delete(tenancy).where(tenancy.c.id.in_(ids)))


def remove_accounts(conn, tenant_id):
    """Delete the tenant's user accounts."""
    conn.execute(delete(admin).where(admin.c.tenant_id == tenant_id))
