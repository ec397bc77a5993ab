#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: group
short_description: Create, change, rename or delete a group of nodes of a Cairn cluster
description:
  - Manages one group (C(/config/group/NAME)) of a Cairn server, with its interfaces and the
    provisioning settings its nodes inherit. Only the options the task sets are compared and written.
  - The member nodes follow the group's interfaces. An interface the group gains gets an
    address on every member; one moved to another network is renumbered there.
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object
  - cairn.cluster.object.interfaces
  - cairn.cluster.provisioning
options:
  name:
    description: The group's name (a DNS label).
    type: str
    required: true
  interfaces:
    description:
      - Interfaces to add to the group, or to move to another network. Compared by O(interfaces[].interface).
      - The group's other interfaces stay, unless O(purge_interfaces) is set.
    type: list
    elements: dict
    suboptions:
      interface:
        description: The interface name, for example C(BOOTIF) or C(BMC).
        type: str
        required: true
      network:
        description: The network the interface is in.
        type: str
        required: true
  bmcsetup:
    description: Whether the nodes' BMCs are set up (with O(bmcsetupname)).
    type: bool
  bmcsetupname:
    description: The BMC setup the nodes use (it must exist).
    type: str
  domain:
    description: The DNS domain of the group's nodes.
    type: str
  newgroupname:
    description:
      - Renames the group to this name. When O(name) does not exist but O(newgroupname) does,
        the group was renamed already and O(newgroupname) is the group the task manages.
    type: str
"""

EXAMPLES = r"""
- name: A group of compute nodes on the provisioning and BMC networks
  cairn.cluster.group:
    name: compute
    interfaces:
      - {interface: BOOTIF, network: cluster}
      - {interface: BMC, network: ipmi}
    osimage: compute
    bmcsetup: true
    bmcsetupname: dell

- name: Exactly these interfaces (drop the others from the group and its nodes)
  cairn.cluster.group:
    name: compute
    interfaces:
      - {interface: BOOTIF, network: cluster}
    purge_interfaces: true

- name: Rename a group
  cairn.cluster.group:
    name: compute
    newgroupname: cpu
"""

RETURN = r"""
record:
  description:
    - The group's record after the change (predicted in check mode); empty when it is absent.
    - C(_<field>_source) says where an inherited value comes from (C(group), C(cluster) or C(default)).
  returned: always
  type: dict
  sample:
    name: compute
    interfaces: [{interface: BOOTIF, network: cluster}]
    osimage: compute
    netboot: true
    _netboot_source: default
"""

from ansible_collections.cairn.cluster.plugins.module_utils.kinds import GROUP, PROVISIONING_OPTIONS
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_object_module


def main():
    run_object_module(GROUP, dict(
        name=dict(type="str", required=True),
        interfaces=dict(type="list", elements="dict", options=dict(
            interface=dict(type="str", required=True),
            network=dict(type="str", required=True),
        )),
        bmcsetup=dict(type="bool"),
        bmcsetupname=dict(type="str"),
        domain=dict(type="str"),
        **PROVISIONING_OPTIONS,
        newgroupname=dict(type="str"),
    ))


if __name__ == "__main__":
    main()
