"""Names in requests that point at other objects, resolved to ids or a 400."""

from ..db import objects
from ..db.schema import bmcsetup, group, network, osimage, switch
from . import scope
from .errors import invalid

#: request field -> (table, column holding the id, what to call it)
REFS = {
    "group": (group, "nodegroup_id", "group"),
    "osimage": (osimage, "osimage_id", "osimage"),
    "switch": (switch, "switch_id", "switch"),
    "bmcsetupname": (bmcsetup, "bmcsetup_id", "bmcsetup"),
    "network": (network, "network_id", "network"),
}


def to_columns(tx, values):
    """Replace each reference by name in ``values`` with its id column, in place. What
    the principal may not see (see service.scope) does not exist for it."""
    for field, (table, column, kind) in REFS.items():
        if field in values:
            name = values.pop(field)
            if name is None:
                values[column] = None
                continue
            row = objects.by_name(tx.conn, table, name, where=scope.visible(tx, table))
            if row is None:
                raise invalid(field, f"{kind} '{name}' does not exist")
            values[column] = row.id
    return values


def network_ids(conn, items, field="interfaces"):
    """{network name: id} for the networks named in interface items; 400 for unknown ones."""
    wanted = {item["network"] for item in items if item.get("network")}
    found = objects.ids_by_name(conn, network, wanted)
    for i, item in enumerate(items):
        if item.get("network") and item["network"] not in found:
            raise invalid(f"{field}.{i}.network", f"network '{item['network']}' does not exist")
    return found


def check_unique_interfaces(items, field="interfaces"):
    seen = set()
    for i, item in enumerate(items):
        if item["interface"] in seen:
            raise invalid(f"{field}.{i}.interface", f"'{item['interface']}' is given twice")
        seen.add(item["interface"])
