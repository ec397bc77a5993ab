"""Node monitoring: the state the installer reports, kept in the node's status.

The node table has one status column (255 characters): it holds the state, a
word such as "installer.ok", then a space and the message, if any. A status an
admin set through /config/node reads back the same way: its first word is the state.
A node's provisioning token reads and reports its own node's state only.
"""

import re

from ..db import objects
from ..db.schema import node
from . import fields as F, provisioning, scope
from .errors import invalid
from .named import fetch
from .tx import reads, writes

_STATE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_STATUS_MAX = 255


def _parse_state(field, value):
    if not isinstance(value, str) or not _STATE.fullmatch(value):
        raise invalid(field, "must be a word of letters, digits, '.', '_' and '-' "
                             "(at most 64 characters), such as installer.ok")
    return value


def _parse_message(field, value):
    F._str(field, value, _STATUS_MAX)
    if not value.isprintable():
        raise invalid(field, "must be one line of printable characters")
    return value


FIELDS = {
    "state": F.Field(_parse_state, {"type": "string", "pattern": _STATE.pattern,
                                    "example": "installer.ok"}, nullable=False),
    "status": F.Field(_parse_message, {"type": "string", "maxLength": _STATUS_MAX,
                                       "example": "Luna installer: No errors"}),
}


@reads
def get(tx, name):
    """{"state", "status"}: None for what the node never reported."""
    provisioning.refuse_other_node(tx.principal, name)
    state, dummy, message = (fetch(tx, node, "node", name).status or "").partition(" ")
    return {"state": state or None, "status": message or None}


@writes
@scope.not_for_tenants("report the status of nodes")
def report(tx, name, data):
    provisioning.refuse_other_node(tx.principal, name)
    values = F.parse_object("", data, FIELDS, required=("state",))
    status = " ".join(filter(None, (values["state"], values.get("status"))))
    if len(status) > _STATUS_MAX:
        raise invalid("status", f"state and status together exceed {_STATUS_MAX - 1} characters")
    objects.change(tx.conn, node, fetch(tx, node, "node", name, for_update=True).id,
                   {"status": status})
