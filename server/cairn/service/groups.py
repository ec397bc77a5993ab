"""Groups: the shared settings and interface list of their member nodes."""

from ..db import groups as db_groups, networks as db_networks, objects
from ..db.schema import bmcsetup, group, node, osimage
from . import fields as F, scope
from .cluster import settings as cluster_settings
from .errors import invalid, not_found
from .inherit import resolve_group
from .interfaces import NodeInterfaces
from .osimagetags import check_group_pin
from .refs import check_unique_interfaces, network_ids, to_columns
from .named import claim, fetch
from .tx import reads, writes

INTERFACE = {"interface": F.IFNAME, "network": F.NAME}
FIELDS = {
    "bmcsetup": F.BOOL,
    "bmcsetupname": F.NAME,
    "domain": F.HOSTNAME,
    "osimage": F.NAME,
    "osimagetag": F.SHORT,
    "prescript": F.TEXT,
    "partscript": F.TEXT,
    "postscript": F.TEXT,
    "netboot": F.BOOL,
    "localinstall": F.BOOL,
    "bootmenu": F.BOOL,
    "provision_interface": F.IFNAME,
    "provision_method": F.PROVISION_METHOD,
    "provision_fallback": F.PROVISION_METHOD,
    "comment": F.TEXT,
    "interfaces": F.list_of(INTERFACE, required=("interface", "network")),
}
RENAME = "newgroupname"
WRITE_FIELDS = {**FIELDS, RENAME: F.NAME}
_COLUMNS = [f for f in FIELDS if f not in ("interfaces", "osimage", "bmcsetupname")]


class _Lookup:
    """Everything group records need, read with a constant number of queries: for every
    group, or for ``row``'s alone."""

    def __init__(self, conn, row=None):
        def referenced(column):
            return None if row is None else {getattr(row, column)}
        self.cluster = cluster_settings(conn)
        self.osimages = objects.names_by_id(conn, osimage, referenced("osimage_id"))
        self.bmcsetups = objects.names_by_id(conn, bmcsetup, referenced("bmcsetup_id"))
        self.interfaces = {}
        for interface in db_groups.interfaces(conn, None if row is None else row.id):
            self.interfaces.setdefault(interface.nodegroup_id, []).append(
                {"interface": interface.interface, "network": interface.network})

    def own(self, row):
        own = {name: getattr(row, name) for name in _COLUMNS}
        own["osimage"] = self.osimages.get(row.osimage_id)
        own["bmcsetupname"] = self.bmcsetups.get(row.bmcsetup_id)
        return own

    def record(self, row):
        resolved = resolve_group(self.own(row), self.cluster)
        resolved["interfaces"] = self.interfaces.get(row.id, [])
        resolved["_override"] = False
        return resolved


@reads
def list_all(tx):
    lookup = _Lookup(tx.conn)
    return {row.name: lookup.record(row)
            for row in db_groups.all_groups(tx.conn, where=scope.visible(tx, group))}


@reads
def get(tx, name):
    row = fetch(tx, group, "group", name)
    return _Lookup(tx.conn, row).record(row)


@reads
def members(tx, name):
    row = fetch(tx, group, "group", name)
    return objects.names_where(tx.conn, node, node.c.nodegroup_id, row.id,
                               where=scope.visible(tx, node))


def _set_interfaces(tx, group_id, items, field="interfaces"):
    """Add or move the group's interfaces, and the same interfaces of its members.

    Members take the group's interface list: a new interface gets an address
    in its network on every member; one moved to another network is
    renumbered there, as a member would be on joining the group.
    """
    check_unique_interfaces(items, field)
    ids = network_ids(tx.conn, items, field)
    changed = [(i, item["interface"], ids[item["network"]]) for i, item in enumerate(items)
               if db_groups.set_interface(tx.conn, group_id, item["interface"], ids[item["network"]])]
    members = db_groups.member_ids(tx.conn, group_id)
    if not changed or not members:
        return
    node_ifs = NodeInterfaces(tx.conn, db_networks.all_networks(tx.conn), members)
    node_ifs.lock(network_id for dummy, dummy, network_id in changed)
    for i, interface, network_id in changed:
        for node_id in members:
            node_ifs.assign(f"{field}.{i}", node_id, interface, network_id)


@writes
@scope.not_for_tenants("change groups")
def save(tx, name, data):
    """Create or update (and maybe rename) a group. Returns True when created."""
    values = F.parse_object("", data, WRITE_FIELDS)
    new_name = values.pop(RENAME, None)
    items = values.pop("interfaces", None)
    to_columns(tx, values)
    row = objects.by_name(tx.conn, group, name, for_update=True)
    if new_name and new_name != name:
        claim(tx, group, "group", new_name, RENAME)
        values["name"] = new_name
    if row is None:
        F.parse_label("name", name)
        group_id = objects.create(tx.conn, group, {"name": name, **values})
    else:
        group_id = row.id
        objects.change(tx.conn, group, group_id, values)
    check_group_pin(tx, group_id, values)
    if items:
        _set_interfaces(tx, group_id, items)
    return row is None


@writes
@scope.not_for_tenants("change groups")
def clone(tx, name, data):
    values = F.parse_object("", data, WRITE_FIELDS)
    new_name = values.pop(RENAME, None)
    if not new_name:
        raise invalid(RENAME, "is required to clone")
    source = fetch(tx, group, "group", name)
    claim(tx, group, "group", new_name, RENAME)
    items = values.pop("interfaces", None) or []
    check_unique_interfaces(items)
    copied = {column.name: getattr(source, column.name) for column in group.c if column.name != "id"}
    group_id = objects.create(tx.conn, group, {**copied, **to_columns(tx, values), "name": new_name})
    check_group_pin(tx, group_id, values)
    merged = {r.interface: {"interface": r.interface, "network": r.network}
              for r in db_groups.interfaces(tx.conn, source.id)}
    merged.update((item["interface"], item) for item in items)
    if merged:
        _set_interfaces(tx, group_id, list(merged.values()))
    return new_name


@writes
@scope.not_for_tenants("change groups")
def delete(tx, name):
    row = fetch(tx, group, "group", name, for_update=True)
    users = objects.names_where(tx.conn, node, node.c.nodegroup_id, row.id, limit=6)
    if users:
        more = " and more" if len(users) > 5 else ""
        raise invalid("group", f"group '{name}' has member nodes: {', '.join(users[:5])}{more}")
    objects.remove(tx.conn, group, row.id)


@reads
def get_interfaces(tx, name, interface=None):
    row = fetch(tx, group, "group", name)
    items = [{"interface": r.interface, "network": r.network}
             for r in db_groups.interfaces(tx.conn, row.id)
             if interface is None or r.interface == interface]
    if interface is not None and not items:
        raise not_found(f"interface of group {name}", interface)
    return items


@writes
@scope.not_for_tenants("change groups")
def save_interfaces(tx, name, data):
    values = F.parse_object("", data, {"interfaces": FIELDS["interfaces"]}, required=("interfaces",))
    _set_interfaces(tx, fetch(tx, group, "group", name, for_update=True).id, values["interfaces"])


@writes
@scope.not_for_tenants("change groups")
def delete_interface(tx, name, interface):
    """Remove the interface from the group and from those members that have it there."""
    row = fetch(tx, group, "group", name, for_update=True)
    network_id = db_groups.delete_interface(tx.conn, row.id, interface)
    if network_id is None:
        raise not_found(f"interface of group {name}", interface)
    members = db_groups.member_ids(tx.conn, row.id)
    node_ifs = NodeInterfaces(tx.conn, db_networks.all_networks(tx.conn), members)
    for node_id in members:
        existing = node_ifs.current.get(node_id, {}).get(interface)
        if existing is not None and existing.network_id == network_id:
            node_ifs.remove(node_id, interface)
