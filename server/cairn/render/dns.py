"""BIND zones (forward and reverse) and a named.conf include, from one context.

``context(conn)`` reads the database in four statements, however many nodes
there are. Choices:

- One forward zone per network, named after the network, as in the spec
  (network "cluster" has the name server "controller.cluster"; a node boots as
  "node001.cluster"). In it every node interface, switch and other device of
  the network is an A or AAAA record under its own name (a node's interfaces
  sit in different networks, hence zones: node001.cluster, node001.ipmi; a
  node with two interfaces in one network has two addresses under its name),
  and so is every registered controller whose address lies in the network.
- The name server of a network's zones: with ns_ip set, the host named by the
  first label of ns_hostname (default "controller") in the network's zone,
  with that address, as the network's address listing names it; without
  ns_ip, ns_hostname when it lies outside the zone (it needs no address here),
  else "localhost." (the controller serving the zone itself: an in-zone name
  server without an address would make BIND refuse the zone).
- Reverse zones are whole labels: IPv4 zones of /8, /16 or /24 and IPv6
  zones on nibble boundaries. A network splits into the zones of its prefix
  rounded up to the next boundary (a /20 is sixteen /24 zones, a /12 sixteen
  /16 zones, an IPv6 /66 four /68 zones). An IPv4 network longer than /24
  shares the zone of its /24 with the other networks in it: the controller is
  the cluster's resolver and answers for the whole /24 directly, where RFC 2317
  zones ("0/26.2.0.192.in-addr.arpa") would need CNAMEs in a parent /24 zone
  that the cluster does not own. Every address named forward has its PTR.
- The SOA serial is the number of journal entries (db.dns.journal_length):
  every API write adds one in its own transaction, so every controller
  computes the same serial from the same database and it grows with every
  change. Kept within 32 bits (RFC 1982 arithmetic survives the wrap).
  Controllers registering at start are not journaled: a changed controller
  address shows at the next journaled write's serial.

Free text (comments) is never read: every string in the context is a DNS
label, a DNS name checked by the API, or an address formatted here.
"""

import ipaddress
import os
import re
import tempfile

from ..db import cluster as db_cluster
from ..db import dns as db_dns
from ..db import networks as db_networks
from ..service.subnet import Subnet, from_key
from . import render
from .files import find_tool, install, run_check

TTL = 3600
SOA_TIMERS = {"refresh": 3600, "retry": 900, "expire": 604800, "minimum": 3600}
_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_SOA_SERIAL = re.compile(r"^(@ IN SOA \S+ hostmaster )[0-9]+ ", re.MULTILINE)  # as dns/zone.j2 writes it


def context(conn):
    """The zones, each with its name servers and (owner, type, value) records, sorted."""
    networks = sorted(db_networks.all_networks(conn).values(), key=lambda row: row.name)
    named = {}
    for network_id, ip_key, name in db_dns.named_addresses(conn):
        named.setdefault(network_id, []).append((name, ip_key))
    # A controller's name and address come from its own settings, not through the
    # API: only a name that is a DNS label and an address that parses are used.
    controllers = [(row.name.split(".")[0], _address(row.ipaddr)) for row in db_cluster.controllers(conn)
                   if _LABEL.fullmatch(row.name.split(".")[0]) and _address(row.ipaddr)]
    zones = {}
    for row in networks:
        _add_network(zones, row, named.get(row.id, []), controllers)
    return {"soa_serial": db_dns.journal_length(conn) % (1 << 32), "ttl": TTL, "soa": SOA_TIMERS,
            "zones": [{"name": name, "file": f"{name}.zone", "ns": sorted(zone["ns"]),
                       "records": sorted(zone["records"])}
                      for name, zone in sorted(zones.items())]}


def _zone(zones, name):
    return zones.setdefault(name, {"ns": set(), "records": set()})


def _add_network(zones, row, named, controllers):
    """The forward zone of a network and its share of the reverse zones."""
    subnet = Subnet(row)
    hosts = [(name, subnet.address(from_key(key))) for name, key in named]
    hosts += [(label, ip) for label, ip in controllers if subnet.offset(ip) is not None]
    name_server = _name_server(row)
    if row.ns_ip:
        hosts.append((name_server.split(".")[0], row.ns_ip))
    reverse_length = _reverse_prefix(subnet.net)
    reverse_zones = [_reverse_split(zone_net.network_address, reverse_length)[1]
                     for zone_net in _covering(subnet.net, reverse_length)]
    for zone in [row.name, *reverse_zones]:
        _zone(zones, zone)["ns"].add(f"{name_server}.")
    forward = zones[row.name]
    for name, ip in hosts:
        address = ipaddress.ip_address(ip)
        forward["records"].add((name, "A" if address.version == 4 else "AAAA", str(address)))
        owner, zone = _reverse_split(address, reverse_length)
        _zone(zones, zone)["records"].add((owner, "PTR", f"{name}.{row.name}."))


def _name_server(row):
    """The fully qualified name (no final dot) of the network's name server (see above)."""
    if row.ns_ip:
        return f"{(row.ns_hostname or 'controller').split('.')[0]}.{row.name}"
    inside = row.ns_hostname and f".{row.ns_hostname}".lower().endswith(f".{row.name}".lower())
    return row.ns_hostname if row.ns_hostname and not inside else "localhost"


def _address(text):
    try:
        return str(ipaddress.ip_address(text or ""))
    except ValueError:
        return None


def _reverse_prefix(net):
    """The prefix length of the reverse zones of ``net``: a whole number of labels."""
    if net.version == 4:
        return min(24, max(8, -(-net.prefixlen // 8) * 8))
    return max(4, -(-net.prefixlen // 4) * 4)


def _covering(net, prefix):
    """The networks of length ``prefix`` that together cover ``net``."""
    return net.subnets(new_prefix=prefix) if prefix >= net.prefixlen else [net.supernet(new_prefix=prefix)]


def _reverse_split(address, prefix):
    """(owner, zone) of an address's PTR in the reverse zone of length ``prefix``."""
    labels = address.reverse_pointer.split(".")
    host_labels = (address.max_prefixlen - prefix) // (8 if address.version == 4 else 4)
    return ".".join(labels[:host_labels]) or "@", ".".join(labels[host_labels:])


def render_dns(conn, out_dir, validate=True):
    """Write every zone file and named.conf.cairn (the include with their zone
    statements) into ``out_dir``, each checked by named-checkzone, the include by
    named-checkconf -z, before it replaces the old one; their paths, include last.

    The zones go first: the include only names zones whose files are in place.
    Files of zones that are gone stay on disk, unused.
    """
    out_dir = os.path.abspath(out_dir)
    if re.search(r'["\\\n]', out_dir):
        raise ValueError(f"the DNS directory {out_dir!r} cannot be written into named.conf")
    values = dict(context(conn), out_dir=out_dir)
    paths = []
    for zone in values["zones"]:
        path = os.path.join(out_dir, zone["file"])
        text = render("dns/zone.j2", dict(values, zone=zone))
        if _same_records(path, text):
            paths.append(path)  # see _same_records
            continue
        check = (lambda temp, name=zone["name"]: run_check(
            [find_tool("named-checkzone"), name, temp])) if validate else None
        paths.append(install(path, text, check))
    include = render("dns/named.conf.j2", values)
    paths.append(install(os.path.join(out_dir, "named.conf.cairn"), include,
                         _check_include if validate else None))
    return paths


def _same_records(path, text):
    """Whether the zone file at ``path`` differs from ``text`` in its SOA serial alone.

    Every journaled write raises the serial, most of them touch no zone (or one
    of many): such a zone keeps its file, its older serial and its check, and
    BIND has nothing to reload. A zone whose records changed gets the new,
    higher serial.
    """
    try:
        with open(path, encoding="utf-8", newline="") as current:
            old = current.read()
    except (OSError, UnicodeDecodeError):
        return False
    return _SOA_SERIAL.sub(r"\1", old) == _SOA_SERIAL.sub(r"\1", text)


def _check_include(temp):
    """named-checkconf -z on a configuration that includes only ``temp``."""
    with tempfile.TemporaryDirectory() as scratch:
        wrapper = os.path.join(scratch, "named.conf")
        with open(wrapper, "w", encoding="utf-8") as out:
            out.write(f'options {{ directory "{scratch}"; }};\ninclude "{temp}";\n')
        run_check([find_tool("named-checkconf"), "-z", wrapper])
