"""Queries about racks and the inventory entries placed in them."""

from sqlalchemy import and_, func, or_, select, update

from .objects import narrowed
from .schema import node, otherdev, rack, rack_device, switch

#: Inventory types whose entries point at an object by id (renames follow).
REFERENCED = {"node": node, "switch": switch, "otherdev": otherdev}


def _ref_column(kind):
    """The column of rack_device that points at an object of ``kind`` ("node" -> node_id)."""
    return rack_device.c[f"{kind}_id"]


# An entry's name: the current name of the object it points at, or its own.
_NAME = func.coalesce(*(table.c.name for table in REFERENCED.values()), rack_device.c.name)


def _entries():
    """Entries with their name and the name of their rack."""
    query = select(*(c for c in rack_device.c if c.name != "name"), _NAME.label("name"),
                   rack.c.name.label("rack")).outerjoin(rack, rack.c.id == rack_device.c.rack_id)
    for kind, table in REFERENCED.items():
        query = query.outerjoin(table, table.c.id == _ref_column(kind))
    return query


def entries(conn, rack_ids=None, placed=None, where=None):
    """Inventory entries: of the given racks, or placed (True) or not (False), or all;
    sorted by type and name. ``where`` narrows them."""
    query = narrowed(_entries(), where)
    if rack_ids is not None:
        query = query.where(rack_device.c.rack_id.in_(list(rack_ids)))
    if placed is not None:
        query = query.where(rack_device.c.rack_id.is_not(None) if placed
                            else rack_device.c.rack_id.is_(None))
    return conn.execute(query.order_by(rack_device.c.type, _NAME)).all()


def entries_for(conn, keys, for_update=False):
    """The entries of ``keys``, (type, object id) or (type, name), as {key: row}."""
    if not keys:
        return {}
    wanted = {}
    for kind, ref in keys:
        wanted.setdefault(kind, set()).add(ref)
    conditions = [_ref_column(kind).in_(refs) if kind in REFERENCED
                  else and_(rack_device.c.type == kind, rack_device.c.name.in_(refs))
                  for kind, refs in wanted.items()]
    query = _entries().where(or_(*conditions))
    if for_update:
        query = query.with_for_update(of=rack_device)  # not the outer-joined tables
    return {_key_of(row): row for row in conn.execute(query)}


def _key_of(row):
    """An entry's identity: (type, object id) for referenced types, (type, name) for others."""
    if row.type in REFERENCED:
        return row.type, getattr(row, f"{row.type}_id")
    return row.type, row.name


def key_columns(key):
    """The columns that store ``key`` in a new entry."""
    kind, ref = key
    if kind in REFERENCED:
        return {"type": kind, f"{kind}_id": ref}
    return {"type": kind, "name": ref}


def lock_racks(conn, rack_ids):
    """Lock rack rows, in id order so that two writers cannot wait on each other."""
    if rack_ids:
        conn.execute(select(rack.c.id).where(rack.c.id.in_(sorted(rack_ids)))
                     .order_by(rack.c.id).with_for_update()).all()


def unplace(conn, rack_id, keep=()):
    """Take every entry out of the rack, except the entries with ids in ``keep``."""
    conn.execute(update(rack_device)
                 .where(rack_device.c.rack_id == rack_id, rack_device.c.id.not_in(list(keep)))
                 .values(rack_id=None, position=None))


def racks(conn, rack_ids):
    return conn.execute(select(rack).where(rack.c.id.in_(list(rack_ids)))).all()
