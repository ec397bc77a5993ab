"""Tenancies: the sets of nodes tenants own, and the system's Quarantine.

A node belongs to the cluster or to at most one tenancy. Deleting a tenancy,
or purging its tenant, moves its nodes to Quarantine: a tenancy the system
creates on demand, owned by no tenant, which no one can delete. A node waits
there, out of every tenant's reach, until a new tenancy takes it.
"""

import hostlist

from ..db import objects, tenants as db_tenants
from ..db.schema import tenancy, tenant
from . import fields as F
from .errors import Conflict, invalid, not_found
from .named import claim
from .tx import reads, writes

QUARANTINE = "Quarantine"


def _expand(field, value):
    if not isinstance(value, str):
        raise invalid(field, "must be a string")
    try:
        return hostlist.expand_hostlist(value)
    except hostlist.BadHostlist as exc:
        raise invalid(field, f"'{value}' is not a valid hostlist ({exc})") from None


def _node_names(field, value):
    if not isinstance(value, list):
        raise invalid(field, "must be a JSON array of node names")
    return [F.parse_label(f"{field}.{i}", name) for i, name in enumerate(value)]


FIELDS = {
    "name": F.NAME,
    "description": F.TEXT,
    "hostlist": F.Field(_expand, {"type": "string", "example": "node[001-004]"},
                        "nodes as a hostlist (python-hostlist syntax)"),
    "nodes": F.Field(_node_names, {"type": "array", "items": {"type": "string"}},
                     "node names"),
}


def find_tenant(tx, ident, for_update=False):
    """The tenant whose uid or name is ``ident``, or a 404."""
    row = db_tenants.by_uid_or_name(tx.conn, ident, for_update)
    if row is None:
        raise not_found("tenant", ident)
    return row


def _records(conn, rows):
    held = db_tenants.node_names(conn, [row.id for row in rows])
    owners = objects.names_by_id(conn, tenant)
    return [{"name": row.name, "tenant": owners.get(row.tenant_id), "system": row.system,
             "description": row.description, "created": row.created, "nodes": held[row.id],
             "hostlist": hostlist.collect_hostlist(held[row.id])} for row in rows]


@reads
def get(tx, name):
    row = objects.by_name(tx.conn, tenancy, name)
    if row is None:
        raise not_found("tenancy", name)
    return _records(tx.conn, [row])[0]


@reads
def list_for(tx, ident, details=False):
    """The names of the tenant's tenancies, or with ``details`` their records."""
    rows = db_tenants.tenancies_of(tx.conn, find_tenant(tx, ident).id)
    return _records(tx.conn, rows) if details else [row.name for row in rows]


def _tenancy_name(body_name, header):
    """The name from the body or the Tenancy header; both may give it if they agree."""
    if header is None:
        if body_name is None:
            raise invalid("name", "is required, in the body or in a Tenancy header")
        return body_name
    header = F.parse_label("Tenancy", header)
    if body_name is not None and body_name != header:
        raise invalid("name", f"the body names tenancy '{body_name}', the Tenancy header '{header}'")
    return header


def _wanted_nodes(values):
    """{node name: the request field that names it}, in request order."""
    wanted = {}
    for name in values.get("hostlist") or ():
        wanted.setdefault(name, "hostlist")
    for i, name in enumerate(values.get("nodes") or ()):
        wanted.setdefault(name, f"nodes.{i}")
    if not wanted:
        raise invalid("nodes", "a tenancy needs nodes: give a hostlist, a list of nodes, or both")
    return wanted


@writes
def create(tx, ident, data, header=None):
    """Create a tenancy of the tenant ``ident`` holding the nodes the body names; nodes
    in Quarantine may be taken, nodes of another tenancy not. Returns (name, number of
    nodes, how many of them came from Quarantine)."""
    values = F.parse_object("", data, FIELDS)
    name = _tenancy_name(values.get("name"), header)
    wanted = _wanted_nodes(values)
    owner = find_tenant(tx, ident, for_update=True)
    if owner.status == "deleting":
        raise Conflict(f"tenant '{owner.name}' is scheduled for deletion: resume it first")
    if name.casefold() == QUARANTINE.casefold():
        raise Conflict(f"the tenancy name '{name}' is reserved for the system", field="name")
    claim(tx, tenancy, "tenancy", name)
    rows = {row.name: row for row in db_tenants.nodes_named(tx.conn, wanted)}
    for node, field in wanted.items():
        if node not in rows:
            raise invalid(field, f"node '{node}' does not exist")
    quarantine = db_tenants.quarantine(tx.conn)
    quarantined = quarantine.id if quarantine else None
    for node, field in wanted.items():
        if rows[node].tenancy_id not in (None, quarantined):
            holder = objects.names_by_id(tx.conn, tenancy)[rows[node].tenancy_id]
            raise Conflict(f"node '{node}' already belongs to tenancy '{holder}'", field=field)
    tenancy_id = objects.create(tx.conn, tenancy, {
        "name": name, "tenant_id": owner.id, "system": False,
        "description": values.get("description"), "created": tx.now()})
    db_tenants.assign_nodes(tx.conn, [row.id for row in rows.values()], tenancy_id)
    objects.change(tx.conn, tenant, owner.id, tx.stamp())
    taken = sum(1 for row in rows.values() if row.tenancy_id is not None)
    return name, len(rows), taken


def _quarantine_id(tx):
    """The id of the Quarantine tenancy, created when it does not exist yet."""
    row = db_tenants.quarantine(tx.conn, for_update=True)
    if row is not None:
        return row.id
    return objects.create(tx.conn, tenancy, {
        "name": QUARANTINE, "tenant_id": None, "system": True, "created": tx.now(),
        "description": "nodes of deleted tenancies and purged tenants"})


def release(tx, tenancy_ids):
    """Move the nodes of the tenancies to Quarantine and delete the tenancies; how many
    nodes moved."""
    if not tenancy_ids:
        return 0
    moved = db_tenants.move_nodes(tx.conn, tenancy_ids, _quarantine_id(tx))
    db_tenants.remove_tenancies(tx.conn, tenancy_ids)
    return moved


@writes
def delete(tx, ident, name):
    """Delete the tenant's tenancy ``name``, its nodes going to Quarantine; how many moved."""
    owner = find_tenant(tx, ident, for_update=True)
    row = objects.by_name(tx.conn, tenancy, name, for_update=True)
    if row is None or row.tenant_id != owner.id:
        raise not_found(f"tenancy of tenant '{owner.name}'", name)
    moved = release(tx, [row.id])
    objects.change(tx.conn, tenant, owner.id, tx.stamp())
    return moved
