"""Switches and other devices (PDUs, UPSes): named objects with at most one address.

A device's address is kept as a node interface's is, as (network_id, ip_key),
and taken under the same network row lock: db.addresses counts node
interfaces and devices alike, so neither can take what the other holds.
"""

import dataclasses
import re
import types

from ..db import addresses, networks as db_networks, objects
from ..db.schema import node, otherdev, switch
from . import fields as F, rows, scope
from .allocation import Allocator
from .credentials import shown
from .errors import invalid
from .named import fetch
from .subnet import Subnet, from_key
from .tx import reads, writes

_OID = re.compile(r"\.?[0-9]+(\.[0-9]+)+")


def _parse_oid(field, value):
    if not isinstance(value, str) or len(value) > 255 or not _OID.fullmatch(value):
        raise invalid(field, "must be a numeric SNMP OID, as in .1.3.6.1.2.1.17.7.1.2.2.1.2")
    return value


ADDRESS = {"network": F.NAME, "ipaddress": F.IP}


@dataclasses.dataclass(frozen=True)
class Kind:
    """One kind of device: its table, its own fields and how the spec spells them."""
    table: object
    columns: dict  # writable fields besides the address, each a column of the table
    rename: str
    aliases: dict
    plural: str  # what tenants are told they cannot change
    secrets: tuple = ()  # fields shown only to principals that may read secrets

    @property
    def name(self):
        return str(self.table.name)  # a plain str: orjson takes no subclass as a key

    @property
    def fields(self):
        return {**ADDRESS, **self.columns}

    @property
    def write_fields(self):
        return {**self.fields, self.rename: F.NAME}


SWITCH = Kind(switch, {"oid": F.Field(_parse_oid, {"type": "string", "maxLength": 255}),
                       "read": F.SHORT, "rw": F.SHORT, "comment": F.TEXT},
              rename="newswitchname",
              # The spec's listings say "comments", its full example the rest.
              aliases={"readcommunity": "read", "rwcommunity": "rw", "comments": "comment"},
              plural="switches", secrets=("rw",))
OTHERDEV = Kind(otherdev, {"comment": F.TEXT}, rename="newotherdevname",
                aliases={"comments": "comment"}, plural="other devices")


def _networks(conn):
    return {nid: (row.name, Subnet(row)) for nid, row in db_networks.all_networks(conn).items()}


def _record(tx, kind, row, networks):
    record = {"network": None, "ipaddress": None}
    if row.network_id is not None:
        name, subnet = networks[row.network_id]
        record.update(network=name, ipaddress=subnet.address(from_key(row.ip_key)))
    record.update((name, getattr(row, name)) for name in kind.columns)
    return shown(tx, record, kind.secrets)


def _parse(kind, data):
    """The column values of a request, and the address it asks for ({"network",
    "ipaddress"}: those it gives; an ipaddress of null counts as not given)."""
    values = F.parse_object("", data, kind.write_fields, aliases=kind.aliases)
    address = {field: values.pop(field) for field in ADDRESS if field in values}
    if address.get("ipaddress") is None:
        address.pop("ipaddress", None)
    return values, address


def _place(tx, kind, device_id, asked, before, like):
    """Give the device the address ``asked`` for.

    ``network`` puts the device in that network (null: in none), with the
    ``ipaddress`` given or else the first free address; an ``ipaddress``
    alone is taken in the network of ``like`` (the device itself, or the
    source of a clone). ``before`` is the device's row before this request,
    None for a new device: an address it keeps stays as it is.
    """
    old_network, old_key = (before.network_id, before.ip_key) if before else (None, None)
    networks = db_networks.all_networks(tx.conn)
    network_id = like.network_id if like else None
    if asked.get("network") is not None:
        network_id = next((nid for nid, row in networks.items() if row.name == asked["network"]), None)
        if network_id is None:
            raise invalid("network", f"network '{asked['network']}' does not exist")
    elif "network" in asked:
        network_id = None
    ip = asked.get("ipaddress")
    if network_id is None and ip is not None:
        raise invalid("network", "is required to give an ipaddress")
    if network_id == old_network and ip is None:
        return
    key = None
    if network_id is not None:
        alloc = Allocator(tx.conn, networks)
        alloc.lock([nid for nid in (network_id, old_network) if nid is not None])
        if ip is None:
            key = alloc.next_key("network", network_id)
        else:
            own = (kind.name, device_id) if network_id == old_network else None
            key = alloc.chosen_key("ipaddress", network_id, ip, own)
    if old_network is not None and (old_network, old_key) != (network_id, key):
        addresses.lower_floor(tx.conn, old_network, old_key)
    objects.change(tx.conn, kind.table, device_id, {"network_id": network_id, "ip_key": key})


def _journaled_as(kind):
    """Name a write after its kind too: the journal then says devices.save_switch."""
    def rename(fn):
        fn.__name__ = f"{fn.__name__}_{kind.name}"
        return fn
    return rename


def _service(kind):
    """The service functions of one kind of device, as api.crud expects them. Devices
    are the cluster's hardware: a tenant sees none (service.scope)."""
    journaled = _journaled_as(kind)
    refused = scope.not_for_tenants(f"change {kind.plural}")

    @reads
    def list_all(tx):
        networks = _networks(tx.conn)
        return {row.name: _record(tx, kind, row, networks)
                for row in objects.all_rows(tx.conn, kind.table, where=scope.visible(tx, kind.table))}

    @reads
    def get(tx, name):
        return _record(tx, kind, fetch(tx, kind.table, kind.name, name), _networks(tx.conn))

    @writes
    @refused
    @journaled
    def save(tx, name, data):
        """Create or update (and maybe rename) a device. Returns True when created."""
        values, address = _parse(kind, data)
        device_id, before = rows.save(tx, kind.table, kind.name, name, values, kind.rename)
        _place(tx, kind, device_id, address, before, before)
        return before is None

    @writes
    @refused
    @journaled
    def clone(tx, name, data):
        """A clone takes the address given, or else the first free one of the
        network given or of the source's network."""
        values, address = _parse(kind, data)
        device_id, source, new_name = rows.clone(tx, kind.table, kind.name, name, values, kind.rename,
                                                 not_copied=("network_id", "ip_key"))
        _place(tx, kind, device_id, address, None, source)
        return new_name

    @writes
    @refused
    @journaled
    def delete(tx, name):
        row = fetch(tx, kind.table, kind.name, name, for_update=True)
        if kind.table is switch:
            rows.refuse_while_used(tx, kind.name, name, row.id, node.c.switch_id, "nodes")
        if row.network_id is not None:
            addresses.lower_floor(tx.conn, row.network_id, row.ip_key)
        objects.remove(tx.conn, kind.table, row.id)

    return types.SimpleNamespace(kind=kind, list_all=list_all, get=get, save=save, clone=clone,
                                 delete=delete)


switches = _service(SWITCH)
otherdevs = _service(OTHERDEV)
