"""Objects that are one row each (BMC setups, switches, other devices): save, clone, delete.

Groups and nodes carry interfaces and members along and have their own
versions of these; the objects here have nothing more than their columns.
"""

from ..db import objects
from .errors import invalid
from .named import claim, fetch


def save(tx, table, kind, name, values, rename):
    """Create the object ``name`` with ``values``, or update it (``values[rename]``
    renames it). Returns its id and its row before (None when it is new)."""
    new_name = values.pop(rename, None)
    row = objects.by_name(tx.conn, table, name, for_update=True)
    if new_name and new_name != name:
        claim(tx, table, kind, new_name, rename, own=name)
        values["name"] = new_name
    if row is None:
        claim(tx, table, kind, name, own=name)
        return objects.create(tx.conn, table, {"name": name, **values}), None
    objects.change(tx.conn, table, row.id, values)
    return row.id, row


def clone(tx, table, kind, name, values, rename, not_copied=()):
    """Copy the object ``name`` under ``values[rename]``, changed by the other ``values``.
    Returns the new id, the source row and the new name."""
    new_name = values.pop(rename, None)
    if not new_name:
        raise invalid(rename, "is required to clone")
    source = fetch(tx, table, kind, name)
    claim(tx, table, kind, new_name, rename)
    skipped = {"id", "name", *not_copied}
    copied = {column.name: getattr(source, column.name) for column in table.c if column.name not in skipped}
    return objects.create(tx.conn, table, {**copied, **values, "name": new_name}), source, new_name


def refuse_while_used(tx, kind, name, row_id, column, users):
    """A 400 naming ``kind`` and a few of the ``users`` ("groups") while rows point
    at the object through ``column``."""
    names = objects.names_where(tx.conn, column.table, column, row_id, limit=6)
    if names:
        more = " and more" if len(names) > 5 else ""
        raise invalid(kind, f"{kind} '{name}' is in use by {users}: {', '.join(names[:5])}{more}")
