"""The DHCPv4 configuration, Kea and ISC dhcpd, from one context.

``context(conn, server, port)`` reads the database in three statements, however
many nodes there are. Choices:

- One subnet per IPv4 network with DHCP on (IPv6 networks are left out: this
  is DHCPv4). Its pool is the network's DHCP range, when set: unknown MACs get
  addresses from it. Routers: the gateway; DNS: ns_ip; domain name: the
  network's name, which is the DNS zone of its hosts (node001.cluster, as in
  the spec's boot example); NTP: the network's ntp_server, else the cluster's,
  and only when it is an IPv4 address (DHCP option 42 carries addresses, and
  the field is free text that must never reach a config).
- A reservation for every node with a MAC, for the address of its
  provisioning interface (its provision_interface, inherited, default BOOTIF)
  when that lies in a DHCP network, with the node's name as host name.
- Boot: ``server`` is the controller's address as the nodes reach it, and
  ``port`` its HTTP port. A client that says it is iPXE (user-class "iPXE",
  option 77) gets ``http://server:port/boot/search/mac/${net0/mac}``; the boot
  route applies the spec's table (known node, bootmenu, netboot -> short,
  normal or disk), so the DHCP config need not change when those flags do.
  Other clients chain-load iPXE over TFTP from next-server (``server``):
  UEFI x64 (option 93 = 7 or 9) snponly.efi, which drives the NIC through the
  firmware and so works on any NIC UEFI knows; everything else undionly.kpxe
  (BIOS PXE).

Free text (comments, scripts) is never read: every string in the context is
a DNS label, an address, a MAC or the boot URL built from checked parts.
"""

import ipaddress
import os

from ..db import cluster as db_cluster
from ..db import dhcp as db_dhcp
from ..service.inherit import NODE_INHERITS
from ..service.subnet import Subnet, from_key
from . import render
from .files import find_tool, install, run_check

BOOT_FILES = {"bios": "undionly.kpxe", "uefi": "snponly.efi"}
_DEFAULT_INTERFACE = NODE_INHERITS["provision_interface"][2]


def context(conn, server, port):
    """Everything both DHCP templates need; ``server`` an IPv4 address, ``port`` an int."""
    server = str(ipaddress.IPv4Address(server))
    cluster = db_cluster.get(conn)
    reservations = {}
    for network_id, ip_key, name, mac in db_dhcp.boot_reservations(conn, _DEFAULT_INTERFACE):
        reservations.setdefault(network_id, []).append((ip_key, name, mac))
    subnets = [_subnet(row, cluster, reservations.get(row.id, []))
               for row in db_dhcp.dhcp_networks(conn)
               if ipaddress.ip_network(row.network).version == 4]
    return {"subnets": subnets, "next_server": server, "boot_files": BOOT_FILES,
            "ipxe_url": f"http://{server}:{int(port)}/boot/search/mac/${{net0/mac}}"}


def _subnet(row, cluster, reservations):
    subnet = Subnet(row)
    ntp = _ipv4(row.ntp_server) or _ipv4(cluster.ntp_server if cluster else None)
    return {
        "id": row.id,
        "name": row.name,
        "cidr": str(subnet.net),
        "address": str(subnet.net.network_address),
        "netmask": str(subnet.net.netmask),
        "pool": [subnet.address(offset) for offset in subnet.dhcp_range] if subnet.dhcp_range else None,
        "router": row.gateway,
        "dns_server": row.ns_ip,
        "domain": row.name,
        "ntp_server": ntp,
        "reservations": [{"name": name, "mac": mac, "ip": subnet.address(from_key(key))}
                         for key, name, mac in reservations],
    }


def _ipv4(value):
    try:
        return str(ipaddress.IPv4Address(value))
    except ValueError:
        return None


#: The file of each DHCP daemon: its template and the argv of its real check.
TEMPLATES = {"kea": ("kea-dhcp4.json", "dhcp/kea-dhcp4.json.j2",
                     lambda path: [find_tool("kea-dhcp4"), "-t", path]),
             "isc": ("dhcpd.conf", "dhcp/dhcpd.conf.j2",
                     lambda path: [find_tool("dhcpd"), "-t", "-cf", path])}


def render_dhcp(conn, out_dir, server, port, interfaces=("*",), validate=True, daemons=tuple(TEMPLATES),
                kea_control_socket=None, kea_lease_file=None):
    """Render the files of ``daemons`` (kea-dhcp4.json, dhcpd.conf) into ``out_dir``, each
    checked by its real tool (unless ``validate`` is false) before it replaces the old
    one; their paths.

    ``interfaces`` are Kea's interfaces-config ("*": all; kea-dhcp4 -t refuses an
    interface that does not exist). dhcpd takes its interfaces on the command line.
    ``kea_control_socket`` and ``kea_lease_file``, when given, go into Kea's file (the
    server reloads Kea through that socket); without them the file leaves both out.
    """
    values = dict(context(conn, server, port), interfaces=list(interfaces),
                  kea_control_socket=kea_control_socket, kea_lease_file=kea_lease_file)
    paths = []
    for daemon in daemons:
        filename, template, argv = TEMPLATES[daemon]
        check = (lambda temp, argv=argv: run_check(argv(temp))) if validate else None
        paths.append(install(os.path.join(out_dir, filename), render(template, values), check))
    return paths
