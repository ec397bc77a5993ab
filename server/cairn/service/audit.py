"""What a write leaves in the journal: who, what, when, and the change with secrets masked."""

import json
import time

from ..db import journal as db_journal

MASK = "********"
#: Keys whose values never reach the journal: passwords, secrets' content,
#: SNMP write communities.
SENSITIVE = frozenset({"password", "content", "rw", "rwcommunity", "admin_password"})


def masked(value):
    """``value`` with the values of every sensitive key replaced by MASK, at any depth."""
    if isinstance(value, dict):
        return {key: MASK if key in SENSITIVE and item is not None else masked(item)
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [masked(item) for item in value]
    return value


def record_write(tx, function, args, kwargs):
    """Journal a write made by a principal (or by none: a machine binding its MAC address
    at boot): ``function`` ("nodes.save"), the object it names (its first argument) and
    the rest of its arguments as the payload."""
    name = args[0] if args and isinstance(args[0], str) else None
    rest = list(args[1:] if name is not None else args)
    if kwargs:
        rest.append(kwargs)
    payload = json.dumps(masked(rest[0] if len(rest) == 1 else rest), default=str) if rest else None
    principal = tx.principal
    db_journal.record(
        tx.conn, created=int(time.time() * 1000),
        principal=principal.name if principal else None, principal_uid=principal.uid if principal else None,
        function=function, object=name, payload=payload, masteronly=False, sendby=tx.settings.controller_name)
