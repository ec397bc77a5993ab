#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: node
short_description: Create, change, rename or delete a node of a Cairn cluster
description:
  - Manages one node (C(/config/node/NAME)) of a Cairn server, with its group, MAC address,
    interfaces and addresses, and how it boots. Only the options the task sets are compared and written.
  - A new node takes its group's interfaces, each with the first free address of its network.
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object
  - cairn.cluster.object.interfaces
  - cairn.cluster.provisioning
options:
  name:
    description: The node's host name (a DNS label).
    type: str
    required: true
  group:
    description: The node's group. Required to create a node.
    type: str
  macaddr:
    description: The MAC address it boots from, in any common spelling (C(52-54-00-AA-BB-01)); stored as C(52:54:00:aa:bb:01).
    type: str
  interfaces:
    description:
      - Interfaces to add to the node, or to change. Compared by O(interfaces[].interface), on the keys given.
      - The node's other interfaces stay, unless O(purge_interfaces) is set.
    type: list
    elements: dict
    suboptions:
      interface:
        description: The interface name, for example C(BOOTIF).
        type: str
        required: true
      network:
        description: The interface's network. Required for an interface the group does not have; another network moves it (with a new address).
        type: str
      ipaddress:
        description: The address to take; it must be free. Unset, a new interface takes the first free one and an existing one keeps its own.
        type: str
  switch:
    description: The switch the node is cabled to.
    type: str
  switchport:
    description: The port of O(switch).
    type: int
  service:
    description: Whether the node is a service node.
    type: bool
  setupbmc:
    description: Whether to set up the node's BMC. Unset, the C(bmcsetup) of its group.
    type: bool
  status:
    description: The node's status text.
    type: str
  tpm_uuid:
    description: The UUID of the node's TPM.
    type: str
  tpm_pubkey:
    description: The public key of the node's TPM.
    type: str
  tpm_sha256:
    description: The SHA-256 of the node's TPM.
    type: str
  newhostname:
    description:
      - Renames the node to this name. When O(name) does not exist but O(newhostname) does,
        the node was renamed already and O(newhostname) is the node the task manages.
    type: str
"""

EXAMPLES = r"""
- name: A node of the compute group, booting from its MAC address
  cairn.cluster.node:
    name: node001
    group: compute
    macaddr: "52:54:00:00:00:01"

- name: A chosen address on the provisioning network, and an extra interface
  cairn.cluster.node:
    name: node001
    interfaces:
      - {interface: BOOTIF, ipaddress: 10.141.0.101}
      - {interface: ib0, network: infiniband}

- name: Install to the local disk, then boot from it
  cairn.cluster.node:
    name: node001
    localinstall: true
    netboot: false

- name: Rename a node
  cairn.cluster.node:
    name: node001
    newhostname: cn001

- name: Delete a node (its addresses are freed)
  cairn.cluster.node:
    name: node099
    state: absent
"""

RETURN = r"""
record:
  description:
    - The node's record after the change (predicted in check mode); empty when it is absent.
    - C(_<field>_source) says where an inherited value comes from (C(node), C(group), C(cluster) or C(default)).
  returned: always
  type: dict
  sample:
    name: node001
    group: compute
    macaddr: "52:54:00:00:00:01"
    interfaces: [{interface: BOOTIF, network: cluster, ipaddress: 10.141.0.1}]
    netboot: true
    _netboot_source: default
"""

from ansible_collections.cairn.cluster.plugins.module_utils.kinds import NODE, PROVISIONING_OPTIONS
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_object_module


def main():
    run_object_module(NODE, dict(
        name=dict(type="str", required=True),
        group=dict(type="str"),
        macaddr=dict(type="str"),
        interfaces=dict(type="list", elements="dict", options=dict(
            interface=dict(type="str", required=True),
            network=dict(type="str"),
            ipaddress=dict(type="str"),
        )),
        switch=dict(type="str"),
        switchport=dict(type="int"),
        service=dict(type="bool"),
        setupbmc=dict(type="bool"),
        status=dict(type="str"),
        **PROVISIONING_OPTIONS,
        tpm_uuid=dict(type="str"),
        tpm_pubkey=dict(type="str"),
        tpm_sha256=dict(type="str"),
        newhostname=dict(type="str"),
    ))


if __name__ == "__main__":
    main()
