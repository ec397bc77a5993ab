"""What every named object shares: finding it by name, and claiming a new name."""

from ..db import objects
from . import fields as F, scope
from .errors import Conflict, not_found


def fetch(tx, table, kind, name, for_update=False):
    """The row named ``name``, or a 404: also when the principal may not see it (see
    service.scope), which answers exactly as a missing one."""
    row = objects.by_name(tx.conn, table, name, for_update=for_update,
                          where=scope.visible(tx, table))
    if row is None:
        raise not_found(kind, name)
    return row


def claim(tx, table, kind, name, field="name"):
    """Check that ``name`` is a valid name no other ``kind`` has (400 or 409)."""
    F.parse_label(field, name)
    if objects.by_name(tx.conn, table, name) is not None:
        raise Conflict(f"{kind} '{name}' already exists", field=field)
    return name
