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


def claim(tx, table, kind, name, field="name", own=None):
    """Check that ``name`` is a valid name no other ``kind`` has (400 or 409); host names
    (nodes, networks, switches, other devices) are compared without case.

    ``own``: the name the object has (a rename may change just its case), or the
    name it is being created under: a row of exactly that name appeared since the
    creation looked for it, and the insert's IntegrityError makes @writes retry,
    which finds it and updates it as if it had been there before.
    """
    F.parse_label(field, name)
    holder = objects.holder_of_name(tx.conn, table, name)
    if holder is not None and holder != own:
        raise Conflict(f"{kind} '{holder}' already exists", field=field)
    return name
