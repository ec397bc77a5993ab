"""The journal: read the audit trail of a controller, or store entries sent to it.

Entries posted by luna2-style controllers are stored as they come, never
replayed: Cairn's controllers share their state through the database.
"""

import time

from ..db import journal as db_journal, schema
from . import fields as F, scope
from .errors import invalid, not_found
from .tx import reads, writes


def _flag(field, value):
    """masteronly as luna2 sends it: "0"/"1", 0/1 or a boolean."""
    if value in (True, 1, "1", "true"):
        return True
    if value in (False, 0, "0", "false"):
        return False
    raise invalid(field, 'must be true, false, "1" or "0"')


def _epoch(field, value):
    """created: seconds since the epoch, as a number or a string of one."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise invalid(field, "must be seconds since the epoch") from None
    if not 0 <= seconds < 2 ** 40:
        raise invalid(field, "must be seconds since the epoch")
    return int(seconds * 1000)


ENTRY = {
    "function": F.SHORT.not_null(),
    "object": F.SHORT,
    "param": F.TEXT,
    "payload": F.TEXT,
    "masteronly": F.Field(_flag, {"oneOf": [{"type": "boolean"}, {"type": "string"}, {"type": "integer"}]}),
    "misc": F.TEXT,
    "sendfor": F.SHORT,
    "sendby": F.SHORT,
    "created": F.Field(_epoch, {"oneOf": [{"type": "string"}, {"type": "number"}]}),
}


def _record(row):
    return {
        "id": row.id,
        "function": row.function,
        "object": row.object,
        "param": row.param,
        "payload": row.payload,
        "masteronly": "1" if row.masteronly else "0",
        "misc": row.misc,
        "sendfor": row.sendfor,
        "sendby": row.sendby,
        "created": str(row.created // 1000),
        "principal": row.principal,
    }


@reads
def entries(tx, controller, since=None, limit=None):
    """A controller's entries; a tenant's principals see only the entries of writes they
    made (by the principal's uid: a tenant's name may be an admin's too)."""
    if not db_journal.controller_exists(tx.conn, controller):
        raise not_found("controller", controller)
    since_ms = None if since is None else since * 1000
    return [_record(row) for row in db_journal.entries(tx.conn, controller, since_ms, limit,
                                                       where=scope.visible(tx, schema.journal))]


@writes(journal=False)  # the entries are the record
@scope.not_for_tenants("post journal entries")
def store(tx, items):
    """Store posted entries; returns how many."""
    if not isinstance(items, list):
        raise invalid("journal", "must be a JSON array of entries")
    now = int(time.time() * 1000)
    parsed = [F.parse_object(f"journal.{i}", item, ENTRY, required=("function",))
              for i, item in enumerate(items)]
    for values in parsed:
        db_journal.record(tx.conn, **{
            "created": now, "masteronly": False, "sendby": tx.settings.controller_name,
            **{k: v for k, v in values.items() if v is not None},
            "principal": tx.principal.name, "principal_uid": tx.principal.uid})
    return len(parsed)
