"""Networks: the address plans that node interfaces and devices take their addresses from."""

import ipaddress
import types

from ..db import addresses, networks as db_networks, objects
from ..db.schema import network
from . import fields as F, scope
from .allocation import first_free
from .errors import NotFound, invalid
from .subnet import Subnet, from_key, to_key
from .named import claim, fetch
from .tx import reads, writes

FIELDS = {
    "network": F.CIDR,
    "gateway": F.IP,
    "ns_hostname": F.HOSTNAME,
    "ns_ip": F.IP,
    "ntp_server": F.SHORT,
    "comment": F.TEXT,
    "dhcp": F.BOOL.not_null(),
    "dhcp_range_begin": F.IP,
    "dhcp_range_end": F.IP,
}
RENAME = "newnetname"
WRITE_FIELDS = {**FIELDS, RENAME: F.NAME}
# The spec's clone example spells three fields differently; both are accepted.
ALIASES = {"dhcp_enable": "dhcp", "dhcp_begin": "dhcp_range_begin", "dhcp_end": "dhcp_range_end"}
_ADDRESS_FIELDS = ("network", "gateway", "ns_ip", "dhcp", "dhcp_range_begin", "dhcp_range_end")
# A network's addresses are refused to tenants: in a shared network, which are
# taken (and by whom), and which is free next, tell of other tenants' nodes.
_ADDRESSES = "read the addresses of networks"


def record(row):
    return {"name": row.name, **{name: getattr(row, name) for name in FIELDS}}


def parse(data):
    return F.parse_object("", data, WRITE_FIELDS, aliases=ALIASES)


@reads
def list_all(tx):
    return {row.name: record(row)
            for row in objects.all_rows(tx.conn, network, where=scope.visible(tx, network))}


@reads
def get(tx, name):
    return record(fetch(tx, network, "network", name))


def _validate(tx, values, row_id=None):
    """Check a whole network as it would be saved; raise a 400 naming the field."""
    if values.get("network") is None:
        raise invalid("network", "is required")
    net = ipaddress.ip_network(values["network"])
    for field in ("gateway", "ns_ip", "dhcp_range_begin", "dhcp_range_end"):
        ip = values.get(field)
        if ip is not None and ipaddress.ip_address(ip) not in net:
            raise invalid(field, f"{ip} is not in network {net}")
    begin, end = values.get("dhcp_range_begin"), values.get("dhcp_range_end")
    if values.get("dhcp"):
        if begin is None or end is None:
            raise invalid("dhcp_range_begin" if begin is None else "dhcp_range_end",
                          "is required when dhcp is true")
    if begin is not None and end is not None and ipaddress.ip_address(begin) > ipaddress.ip_address(end):
        raise invalid("dhcp_range_end", f"{end} comes before dhcp_range_begin {begin}")
    for other in objects.all_rows(tx.conn, network):
        if other.id != row_id and ipaddress.ip_network(other.network).overlaps(net):
            raise invalid("network", f"{net} overlaps network '{other.name}' ({other.network})")


def _check_taken_addresses_fit(tx, row, values):
    """A changed address plan must still hold every address already handed out."""
    subnet = Subnet(types.SimpleNamespace(**{f: values.get(f) for f in _ADDRESS_FIELDS}))
    highest = addresses.highest_key(tx.conn, row.id)
    if highest is not None and from_key(highest) > subnet.last:
        raise invalid("network", f"{values['network']} is too small for the addresses "
                                 f"taken in '{row.name}' (offset {from_key(highest)})")
    for field in ("gateway", "ns_ip"):
        offset = subnet.offset(values[field]) if values.get(field) else None
        if offset is not None:
            holder = addresses.holder(tx.conn, row.id, to_key(offset))
            if holder is not None:
                raise invalid(field, f"{values[field]} is taken by {holder.name}")
    if subnet.dhcp_range:
        low, high = subnet.dhcp_range
        if addresses.count_taken_between(tx.conn, row.id, to_key(low), to_key(high)):
            raise invalid("dhcp_range_begin", "the DHCP range holds addresses already "
                                              "taken by nodes or devices")


@writes
@scope.not_for_tenants("change networks")
def save(tx, name, data):
    """Create or update (and maybe rename) a network. Returns True when created."""
    changes = parse(data)
    new_name = changes.pop(RENAME, None)
    row = objects.by_name(tx.conn, network, name, for_update=True)
    current = record(row) if row else {"dhcp": False}
    values = {**current, **changes}
    values.pop("name", None)
    _validate(tx, values, row.id if row else None)
    if row is None:
        claim(tx, network, "network", name, own=name)
        if new_name:
            claim(tx, network, "network", new_name, RENAME)
        objects.create(tx.conn, network, {"name": new_name or name, **values})
        return True
    if any(values[f] != current[f] for f in _ADDRESS_FIELDS):
        _check_taken_addresses_fit(tx, row, values)
        # Reserved addresses moved: the floor of the allocation no longer holds.
        changes["alloc_floor"] = None
    if new_name and new_name != name:
        claim(tx, network, "network", new_name, RENAME, own=name)
        changes["name"] = new_name
    objects.change(tx.conn, network, row.id, changes)
    return False


@writes
@scope.not_for_tenants("change networks")
def clone(tx, name, data):
    changes = parse(data)
    new_name = changes.pop(RENAME, None)
    if not new_name:
        raise invalid(RENAME, "is required to clone")
    source = fetch(tx, network, "network", name)
    claim(tx, network, "network", new_name, RENAME)
    values = {**record(source), **changes}
    values.pop("name")
    _validate(tx, values)
    objects.create(tx.conn, network, {"name": new_name, **values})
    return new_name


@writes
@scope.not_for_tenants("change networks")
def delete(tx, name):
    row = fetch(tx, network, "network", name, for_update=True)
    users = [f"{kind} {user}" for kind, names in db_networks.users(tx.conn, row.id) for user in names]
    if users:
        raise invalid("network", f"network '{name}' is in use by {', '.join(users)}")
    objects.remove(tx.conn, network, row.id)


def _reserved_owner(subnet, row, offset):
    """Who holds a reserved address, as the device name of the spec's _list."""
    if offset == 0:
        return "network"
    if offset == subnet.last + 1 and subnet.net.version == 4:
        return "broadcast"
    if row.ns_ip and offset == subnet.offset(row.ns_ip):
        return (row.ns_hostname or "controller").split(".")[0]
    if row.gateway and offset == subnet.offset(row.gateway):
        return "gateway"
    if subnet.is_reserved(offset):
        return "dhcp"
    return None


@reads
@scope.not_for_tenants(_ADDRESSES)
def address_status(tx, name, ip):
    """Free or taken (and by whom); a NotFound when the address lies outside."""
    row = fetch(tx, network, "network", name)
    subnet = Subnet(row)
    offset = subnet.offset(F.parse_ip("ipaddress", ip))
    if offset is None:
        raise NotFound(f"{ip} is not in network '{name}' ({row.network})")
    owner = _reserved_owner(subnet, row, offset)
    if owner is None:
        holder = addresses.holder(tx.conn, row.id, to_key(offset))
        owner = holder.name if holder else None
    answer = {"status": "taken" if owner else "free"}
    if owner:
        answer["device"] = owner
    return subnet.address(offset), answer


@reads
@scope.not_for_tenants(_ADDRESSES)
def taken_addresses(tx, name):
    """Every taken address with its device: the name server, the gateway, node
    interfaces (named by their node), switches and other devices."""
    row = fetch(tx, network, "network", name)
    subnet = Subnet(row)
    taken = [(subnet.offset(ip), _reserved_owner(subnet, row, subnet.offset(ip)))
             for ip in dict.fromkeys((row.ns_ip, row.gateway)) if ip]
    taken += [(from_key(key), device) for key, device in addresses.taken(tx.conn, row.id)]
    return [{"ipaddress": subnet.address(offset), "device": device}
            for offset, device in sorted(taken)]


@reads
@scope.not_for_tenants(_ADDRESSES)
def next_free_address(tx, name):
    row = fetch(tx, network, "network", name)
    offset = first_free(tx.conn, row.id, Subnet(row), row.alloc_floor)
    if offset is None:
        raise invalid("network", f"network '{name}' has no free address left")
    return Subnet(row).address(offset)
