# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a node's BMC should be set up with, read from the Cairn server: the user and
channels of its group's BMC setup, and the LAN settings of its BMC interface.

The same sources as the installer's in-band setup (the server's service/install.py):
the node's interface named BMC gives the address, its network the netmask and the
gateway; the group's ``bmcsetupname`` names the setup. Channels left unset are channel 1,
``unmanaged_bmc_users`` left unset is ``skip``. The NTP server is the BMC network's
``ntp_server``, else the cluster's (None: NTP is left alone).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import quote

from ansible_collections.cairn.cluster.plugins.module_utils.api import CairnError

BMC_INTERFACE = "BMC"
DEFAULT_CHANNEL = 1
DEFAULT_UNMANAGED = "skip"
DEFAULT_PROTOCOL = "ipmi"
#: The permission a token needs to read a BMC setup's password.
SECRETS_READ = "secrets.read"


class Profile:
    """The settings one node's BMC should have."""

    def __init__(self, node, bmcsetup, setup, address, network, gateway, ntp_server):
        self.node = node
        self.bmcsetup = bmcsetup
        self.userid = setup["userid"]
        self.username = setup["username"]
        self.password = setup["password"]
        self.mgmtchannel = _channel(setup.get("mgmtchannel"))
        self.netchannel = _channel(setup.get("netchannel"))
        self.unmanaged = setup.get("unmanaged_bmc_users") or DEFAULT_UNMANAGED
        #: How the server's /control speaks to the BMC: "ipmi" or "redfish".
        self.protocol = setup.get("protocol") or DEFAULT_PROTOCOL
        #: The BMC's own address on its network, its netmask, and the gateway (None: left alone).
        self.address = address
        self.netmask = str(network.netmask)
        self.prefix = network.prefixlen
        self.gateway = gateway
        #: The NTP server the BMC should use (None: none known, NTP left alone).
        self.ntp_server = ntp_server

    @property
    def channels(self):
        """The channels the user gets access to: the management and the LAN channel."""
        return sorted({self.mgmtchannel, self.netchannel})

    def __repr__(self):
        return f"Profile(node={self.node!r}, bmcsetup={self.bmcsetup!r}, userid={self.userid!r})"


def read_profile(client, node):
    """The Profile of ``node``'s BMC; a CairnError (naming the field) when the server
    has none: no such node, no BMC interface, no BMC setup or an incomplete one."""
    record = _record(client, "node", node)
    interface = next((item for item in record.get("interfaces") or [] if item.get("interface") == BMC_INTERFACE),
                     None)
    if interface is None or not interface.get("ipaddress"):
        raise CairnError(f"node {node} has no interface named {BMC_INTERFACE} with an address", field="node")
    setup_name = _record(client, "group", record["group"]).get("bmcsetupname")
    if not setup_name:
        raise CairnError(f"group {record['group']} of node {node} names no bmcsetup (its bmcsetupname)",
                         field="node")
    setup = _record(client, "bmcsetup", setup_name)
    if "password" not in setup:
        raise CairnError(f"this token may not read the password of bmcsetup {setup_name}: it needs the "
                         f"permission {SECRETS_READ}", field="token")
    missing = [field for field in ("userid", "username", "password") if setup.get(field) in (None, "")]
    if missing:
        raise CairnError(f"bmcsetup {setup_name} sets no {' and no '.join(missing)}", field="node")
    net_record = _record(client, "network", interface["network"])
    network = ipaddress.ip_network(net_record["network"])
    if network.version != 4:
        raise CairnError(f"network {interface['network']} of the {BMC_INTERFACE} interface of node {node} "
                         "is not IPv4", field="node")
    ntp_server = net_record.get("ntp_server") or client.get("/config/cluster")["config"]["cluster"].get("ntp_server")
    return Profile(node, setup_name, setup, interface["ipaddress"], network, net_record.get("gateway"),
                   ntp_server or None)


def _record(client, kind, name):
    answer = client.get(f"/config/{kind}/{quote(name, safe='')}")
    return answer["config"][kind][name]


def _channel(value):
    return DEFAULT_CHANNEL if value is None else value
