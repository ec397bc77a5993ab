# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: nodes
short_description: The nodes of a Cairn server as an Ansible inventory
description:
  - Every node the token may see becomes a host. A tenant's token sees only the tenant's own nodes
    (the server scopes the listing).
  - Hosts are grouped by cluster group, OS image, rack, tenancy and status (O(group_by)), into groups
    named C(<kind>_<value>) with every character Ansible does not allow in a group name replaced by C(_),
    for example C(group_compute), C(osimage_rocky_9), C(rack_rack001), C(tenancy_ta), C(status_installed).
  - Host variables (prefixed with O(vars_prefix)) describe each node's interfaces, addresses, MAC address and
    BMC address; C(ansible_host) is the address of the node's provisioning interface (O(ansible_host_interface)).
    Passwords and secrets are never read.
  - The server is read with one request per kind of object, whatever the number of nodes; C(GET /config/node)
    (whose records name each node's tenancy), and only when O(group_by) needs it
    C(GET /config/rack/inventory/configured) (racks).
  - The configuration file's name must end in C(.cairn.yml).
author: Cairn developers (@cairn-hpc)
requirements:
  - python-hostlist (on the controller), only for O(hosts)
extends_documentation_fragment:
  - cairn.cluster.api.plugins
  - constructed
  - inventory_cache
options:
  plugin:
    description: The name of this plugin; the file is read by it only with this value.
    required: true
    type: str
    choices: [cairn.cluster.nodes]
  hosts:
    description:
      - Only the nodes this hostlist names become hosts, for example V(node[001-010],gpu[01-04]) (the hostlist
        syntax of the server's own C(hostlist) fields, python-hostlist's). Names that are not nodes are ignored.
      - All the nodes the token sees when not set.
    type: str
  group_by:
    description:
      - The kinds of groups to make. V(group) is the node's cluster group, V(osimage) its OS image (its own or its
        group's), V(rack) the rack it is placed in, V(tenancy) its tenancy, V(status) its status.
      - V(rack) costs one request more; leave it out to save it.
    type: list
    elements: str
    choices: [group, osimage, rack, tenancy, status]
    default: [group, osimage, rack, tenancy, status]
  ansible_host_interface:
    description:
      - The interface whose address becomes C(ansible_host).
      - When not set, each node's own C(provision_interface) (by default C(BOOTIF)).
      - An empty string sets no C(ansible_host), so that hosts are reached by their name.
      - A node without an address on that interface gets no C(ansible_host).
    type: str
  vars_prefix:
    description:
      - What the name of every host variable the plugin sets starts with (except C(ansible_host)).
    type: str
    default: cairn_
"""

EXAMPLES = r"""
# inventory/cluster.cairn.yml; the server and token from CAIRN_URL and CAIRN_TOKEN
plugin: cairn.cluster.nodes

# A tenant's view of part of the cluster, reached by the addresses of the ib0 interfaces
plugin: cairn.cluster.nodes
url: https://controller:7050
token: "{{ lookup('ansible.builtin.env', 'TENANT_TOKEN') }}"
hosts: node[001-128]
ansible_host_interface: ib0
group_by: [group, status]

# Grouped by rack row, a variable from the BMC address, and cached for an hour
plugin: cairn.cluster.nodes
compose:
  ipmi_address: cairn_bmc_address
keyed_groups:
  - key: cairn_rack[:5] if cairn_rack else 'none'
    prefix: row
groups:
  needs_install: cairn_status != 'installed'
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/cairn-inventory
cache_timeout: 3600
"""

from ansible.errors import AnsibleParserError
from ansible.inventory.group import to_safe_group_name
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.display import Display

from ansible_collections.cairn.cluster.plugins.module_utils.api import API_ARGUMENT_SPEC, CairnClient, CairnError

try:
    import hostlist
except ImportError:
    hostlist = None

display = Display()

#: The node record fields that become host variables, as the server names them.
#: Scripts and TPM data are left out: large, and of no use to a play.
NODE_FIELDS = ("group", "osimage", "osimagetag", "status", "macaddr", "interfaces", "provision_interface",
               "switch", "switchport", "netboot", "localinstall", "bootmenu", "setupbmc", "service", "comment",
               "tenancy")
#: The interface whose address is the node's BMC (the server's service/install.py).
BMC_INTERFACE = "BMC"


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = "cairn.cluster.nodes"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(".cairn.yml")

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        wanted = self._wanted_names()
        try:
            sources = self._sources(path, cache)
        except CairnError as error:
            raise AnsibleParserError(f"{self.NAME}: {error}") from None
        self._populate(sources, wanted)

    def _wanted_names(self):
        """The set of names O(hosts) expands to, or None for every node."""
        expression = self.get_option("hosts")
        if not expression:
            return None
        if hostlist is None:
            raise AnsibleParserError(f"{self.NAME}: the option hosts needs python-hostlist on the controller "
                                     "(pip install python-hostlist)")
        try:
            return set(hostlist.expand_hostlist(expression))
        except hostlist.BadHostlist as error:
            raise AnsibleParserError(f"{self.NAME}: hosts: {expression!r} is not a hostlist: {error}") from None

    # -- reading the server, through the cache -------------------------------------------------

    def _sources(self, path, cache):
        """{"nodes": {name: fields}, "rack": {name: (rack, position)}}: the latter only when
        group_by names it. From the cache when it is on, holds them all and was not flushed
        (``cache`` false); else from the server, and then cached."""
        needed = {"rack"}.intersection(self.get_option("group_by"))
        key = self.get_cache_key(path)
        use_cache = self.get_option("cache")
        if use_cache and cache:
            cached = self._cache.get(key)
            if cached is not None and needed <= set(cached):
                return cached
        client = CairnClient.from_params({name: self.get_option(name) for name in API_ARGUMENT_SPEC})
        sources = {"nodes": _node_fields(client.get("/config/node")["config"]["node"])}
        if "rack" in needed:
            sources["rack"] = _rack_places(client)
        if use_cache:
            self._cache[key] = sources
        return sources

    # -- hosts, variables and groups ------------------------------------------------------------

    def _populate(self, sources, wanted):
        prefix = self.get_option("vars_prefix")
        host_interface = self.get_option("ansible_host_interface")
        group_by = self.get_option("group_by")
        compose, groups, keyed_groups = (self.get_option(name) for name in ("compose", "groups", "keyed_groups"))
        strict = self.get_option("strict")
        racks = sources.get("rack")
        made_groups = {}
        for name, fields in sources["nodes"].items():
            if wanted is not None and name not in wanted:
                continue
            node = dict(fields)
            if racks is not None:
                node["rack"], node["rack_position"] = racks.get(name, (None, None))
            host_vars = {prefix + field: value for field, value in node.items()}
            address = node["addresses"].get(node["provision_interface"] if host_interface is None else host_interface)
            if address:
                host_vars["ansible_host"] = address
            self.inventory.add_host(name)
            for variable, value in host_vars.items():
                self.inventory.set_variable(name, variable, value)
            self._add_to_groups(name, node, group_by, made_groups)
            self._set_composite_vars(compose, host_vars, name, strict=strict)
            self._add_host_to_composed_groups(groups, host_vars, name, strict=strict)
            self._add_host_to_keyed_groups(keyed_groups, host_vars, name, strict=strict)

    def _add_to_groups(self, name, node, group_by, made_groups):
        """Host ``name`` into a group per kind of group_by that the node has a value for;
        ``made_groups`` ({(kind, value): group name}) saves sanitising a name twice."""
        for kind in group_by:
            if node.get(kind) is not None:
                label = (kind, node[kind])
                if label not in made_groups:
                    made_groups[label] = self.inventory.add_group(
                        to_safe_group_name(f"{kind}_{node[kind]}", force=True, silent=True))
                self.inventory.add_child(made_groups[label], name)


def _node_fields(records):
    """{name: the host variables of the node, unprefixed} from GET /config/node's records."""
    nodes = {}
    for name, record in records.items():
        fields = {field: record.get(field) for field in NODE_FIELDS}
        fields["addresses"] = {i["interface"]: i["ipaddress"] for i in record["interfaces"]}
        fields["bmc_address"] = fields["addresses"].get(BMC_INTERFACE)
        nodes[name] = fields
    return nodes


def _rack_places(client):
    """{node: (rack, position)} of the nodes placed in a rack (a tenant sees no racks)."""
    entries = client.get("/config/rack/inventory/configured")["config"]["rack"]["inventory"]
    return {entry["name"]: (entry["rack"], entry["position"]) for entry in entries if entry["type"] == "node"}
