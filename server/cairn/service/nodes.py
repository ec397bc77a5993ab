"""Nodes: their own settings, what they inherit, and their interfaces and addresses."""

from ..db import addresses, changes, groups as db_groups, networks as db_networks, nodes as db_nodes, objects
from ..db.schema import node, node_interface, switch, tenancy
from . import fields as F, scope
from .errors import invalid, not_found
from .groups import _Lookup as GroupLookup
from .inherit import group_defaults, resolve_node
from .interfaces import NodeInterfaces
from .osimagetags import check_node_pin
from .refs import check_unique_interfaces, network_ids, to_columns
from .subnet import Subnet, from_key
from .named import claim, fetch
from .tx import reads, writes

INTERFACE = {"interface": F.IFNAME, "network": F.NAME, "ipaddress": F.IP}
FIELDS = {
    "group": F.NAME.not_null(),
    "interfaces": F.list_of(INTERFACE, required=("interface",)),
    "macaddr": F.MAC,
    "switch": F.NAME,
    "switchport": F.PORT,
    "service": F.BOOL,
    "setupbmc": F.BOOL,
    "status": F.SHORT,
    "comment": F.TEXT,
    "osimage": F.NAME,
    "osimagetag": F.SHORT,
    "prescript": F.TEXT,
    "postscript": F.TEXT,
    "partscript": F.TEXT,
    "netboot": F.BOOL,
    "bootmenu": F.BOOL,
    "localinstall": F.BOOL,
    "provision_interface": F.IFNAME,
    "provision_method": F.PROVISION_METHOD,
    "provision_fallback": F.PROVISION_METHOD,
    "tpm_uuid": F.SHORT,
    "tpm_pubkey": F.TEXT,
    "tpm_sha256": F.SHORT,
}
#: Shown in records, never written here: a node joins or leaves a tenancy through
#: the tenancy API (/tenant/IDENT/tenancies), which checks the tenant's rules.
READ_ONLY = ("tenancy",)
RENAME = "newhostname"
WRITE_FIELDS = {**FIELDS, RENAME: F.NAME}
#: What a tenant may change of its own nodes: how they boot and install. Their
#: identity (name, MAC address, TPM), group, interfaces and cabling are the
#: cluster's: changing those would also answer with names of what holds a MAC
#: address or an IP address, which may be another tenant's node.
TENANT_FIELDS = ("comment", "osimage", "osimagetag", "prescript", "partscript", "postscript",
                 "netboot", "bootmenu", "localinstall", "provision_interface",
                 "provision_method", "provision_fallback")
_REFERENCES = ("group", "interfaces", "switch", "osimage")
_COLUMNS = [f for f in FIELDS if f not in _REFERENCES]
# A clone is a new machine: it copies settings, not identity or state.
_NOT_CLONED = ("id", "uid", "name", "macaddr", "status", "tpm_uuid", "tpm_pubkey", "tpm_sha256")


class _Lookup:
    """Everything node records need besides the nodes' own rows, read with a constant
    number of queries: every group, network, switch and tenancy, and the names of the
    images. Kept per process (``lookup``): a boot storm asks for the records of
    thousands of nodes of a few groups."""

    def __init__(self, conn):
        groups = GroupLookup(conn)
        self.groups = {group_row.id: (group_row.name, group_defaults(groups.record(group_row)))
                       for group_row in db_groups.all_groups(conn)}
        self.osimages = groups.osimages
        self.switches = objects.names_by_id(conn, switch)
        self.tenancies = objects.names_by_id(conn, tenancy)
        self.networks = {nid: (network_row.name, Subnet(network_row))
                         for nid, network_row in db_networks.all_networks(conn).items()}
        #: {network name: prefix length}: a boot script writes an address with its prefix.
        self.prefixes = {name: subnet.net.prefixlen for name, subnet in self.networks.values()}

    def interfaces(self, rows):
        """{node id: [interface records]} from (node_id, interface, network_id, ip_key) rows."""
        by_node = {}
        for node_id, interface, network_id, ip_key in rows:
            name, subnet = self.networks[network_id]
            by_node.setdefault(node_id, []).append({
                "interface": interface, "network": name,
                "ipaddress": subnet.address(from_key(ip_key))})
        return by_node

    def record(self, row, interfaces):
        """``row`` is a node row as a dict (see db.nodes.nodes)."""
        group_name, defaults = self.groups[row["nodegroup_id"]]
        own = {name: row[name] for name in _COLUMNS}
        own["osimage"] = self.osimages.get(row["osimage_id"])
        record = resolve_node(own, defaults)
        record.update(group=group_name, interfaces=interfaces,
                      switch=self.switches.get(row["switch_id"]),
                      tenancy=self.tenancies.get(row["tenancy_id"]))
        return record


def lookup(conn):
    """The _Lookup of the database as ``conn`` sees it, kept per process (db.changes)."""
    return changes.kept(conn, _Lookup)


@reads
def list_all(tx):
    shared = lookup(tx.conn)
    interfaces = shared.interfaces(db_nodes.interface_addresses(
        tx.conn, where=scope.visible(tx, node, node_interface.c.node_id)))
    return {row["name"]: shared.record(row, interfaces.get(row["id"], []))
            for row in db_nodes.nodes(tx.conn, where=scope.visible(tx, node))}


@reads
def get(tx, name):
    return one(tx.conn, row_of(tx, name))


def row_of(tx, name):
    """The row (a dict, see db.nodes.nodes) of the node ``name`` in the request's scope."""
    if tx.own_node is not None and tx.own_node["name"] == name:
        return tx.own_node  # read in this snapshot by the check of the node's own token
    rows = db_nodes.nodes(tx.conn, name, where=scope.visible(tx, node))
    if not rows:
        raise not_found("node", name)
    return rows[0]


def one(conn, row):
    """The record of the node whose row (a dict, see db.nodes.nodes) is ``row``."""
    return one_with_prefixes(conn, row)[0]


def one_with_prefixes(conn, row):
    """The record of ``one``, and {network name: prefix length} of the networks: a boot
    script writes the node's address with its prefix."""
    shared = lookup(conn)
    interfaces = shared.interfaces(row["addresses"])
    return shared.record(row, interfaces.get(row["id"], [])), shared.prefixes


def _parse(tx, data):
    if isinstance(data, dict) and "tenancy" in data:
        raise invalid("tenancy", "is read-only here: nodes join a tenancy through /tenant/IDENT/tenancies")
    values = F.parse_object("", data, WRITE_FIELDS)
    scope.refuse_fields(tx, values, TENANT_FIELDS)
    items = values.pop("interfaces", None) or []
    check_unique_interfaces(items)
    if values.get("service", False) is None:
        values["service"] = False
    return values, items


def _check_mac(tx, macaddr, node_id=None):
    if macaddr is not None:
        holder = db_nodes.by_mac(tx.conn, macaddr)
        if holder is not None and holder["id"] != node_id:
            raise invalid("macaddr", f"{macaddr} is already the MAC address of node {holder['name']}")


def _place_interfaces(tx, node_id, plan, items, field="interfaces"):
    """Give the node the interfaces of ``plan`` ({interface: network id}) and ``items``.

    Interfaces that stay in their network keep their address; the rest get
    the address asked for, or the first free one.
    """
    ids = network_ids(tx.conn, items, field)
    wanted = {name: (field, network_id, None) for name, network_id in plan.items()}
    for i, item in enumerate(items):
        network_id = ids.get(item.get("network")) or plan.get(item["interface"])
        wanted[item["interface"]] = (f"{field}.{i}", network_id, item.get("ipaddress"))
    if not wanted:
        return
    node_ifs = NodeInterfaces(tx.conn, db_networks.all_networks(tx.conn), [node_id])
    current = node_ifs.current.get(node_id, {})
    node_ifs.lock([nid for dummy, nid, dummy in wanted.values() if nid] +
                  [row.network_id for row in current.values()])
    # Addresses asked for first, so that numbering the other interfaces cannot take them.
    for interface, (path, network_id, ip) in wanted.items():
        if ip is not None:
            node_ifs.reserve(path, node_id, interface, network_id, ip)
    for interface, (path, network_id, ip) in wanted.items():
        node_ifs.assign(path, node_id, interface, network_id, ip)


def _group_plan(tx, group_id):
    return {row.interface: row.network_id for row in db_groups.interfaces(tx.conn, group_id)}


@writes
def save(tx, name, data):
    """Create or update (and maybe rename) a node. Returns True when created.

    A new node, or one moved to another group, takes the group's interfaces:
    an interface already in the group's network keeps its address (the
    spec's rule for moves); the others are numbered in their new network.
    """
    values, items = _parse(tx, data)
    new_name = values.pop(RENAME, None)
    row = objects.by_name(tx.conn, node, name, for_update=True, where=scope.visible(tx, node))
    if row is None:
        # Another tenant's node answers as a missing one: neither can be created.
        scope.refuse_tenant(tx.principal, "create nodes")
        if "group" not in values:
            raise invalid("group", "is required to create a node")
    _check_mac(tx, values.get("macaddr"), row.id if row else None)
    to_columns(tx, values)
    if new_name and new_name != name:
        claim(tx, node, "node", new_name, RENAME, own=name)
        values["name"] = new_name
    plan = {}
    if row is None:
        claim(tx, node, "node", name, own=name)
        node_id = objects.create(tx.conn, node, {"name": name, "service": False, **values})
        plan = _group_plan(tx, values["nodegroup_id"])
    else:
        node_id = row.id
        objects.change(tx.conn, node, node_id, values)
        if values.get("nodegroup_id", row.nodegroup_id) != row.nodegroup_id:
            plan = _group_plan(tx, values["nodegroup_id"])
    check_node_pin(tx, node_id, values)
    _place_interfaces(tx, node_id, plan, items)
    return row is None


@writes
@scope.not_for_tenants("create nodes")
def clone(tx, name, data):
    values, items = _parse(tx, data)
    new_name = values.pop(RENAME, None)
    if not new_name:
        raise invalid(RENAME, "is required to clone")
    source = fetch(tx, node, "node", name)
    claim(tx, node, "node", new_name, RENAME)
    _check_mac(tx, values.get("macaddr"))
    copied = {c.name: getattr(source, c.name) for c in node.c if c.name not in _NOT_CLONED}
    node_id = objects.create(tx.conn, node, {**copied, **to_columns(tx, values), "name": new_name})
    check_node_pin(tx, node_id, values)
    plan = {row.interface: row.network_id for row in db_nodes.interfaces(tx.conn, [source.id])}
    _place_interfaces(tx, node_id, plan, items)
    return new_name


@writes
@scope.not_for_tenants("delete nodes")
def delete(tx, name):
    row = fetch(tx, node, "node", name, for_update=True)
    addresses.lower_floors_for_node(tx.conn, row.id)
    objects.remove(tx.conn, node, row.id)


@reads
def get_interfaces(tx, name, interface=None):
    row = fetch(tx, node, "node", name)
    rows = db_nodes.interface_addresses(tx.conn, [row.id], interface)
    items = lookup(tx.conn).interfaces(rows).get(row.id, [])
    if interface is not None and not items:
        raise not_found(f"interface of node {name}", interface)
    return items


@writes
@scope.not_for_tenants("change interfaces")
def save_interfaces(tx, name, data):
    values = F.parse_object("", data, {"interfaces": FIELDS["interfaces"]}, required=("interfaces",))
    check_unique_interfaces(values["interfaces"])
    _place_interfaces(tx, fetch(tx, node, "node", name, for_update=True).id, {}, values["interfaces"])


@writes
@scope.not_for_tenants("change interfaces")
def delete_interface(tx, name, interface):
    row = fetch(tx, node, "node", name, for_update=True)
    node_ifs = NodeInterfaces(tx.conn, db_networks.all_networks(tx.conn), [row.id])
    if not node_ifs.remove(row.id, interface):
        raise not_found(f"interface of node {name}", interface)
