#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: network
short_description: Create, change, rename or delete a network of a Cairn cluster
description:
  - Manages one network (C(/config/network/NAME)) of a Cairn server. Only the options the task
    sets are compared and written.
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object
options:
  name:
    description: The network's name (a DNS label).
    type: str
    required: true
  network:
    description: The network in CIDR notation, for example C(10.141.0.0/16). Required to create a network.
    type: str
  gateway:
    description: The gateway, inside the network.
    type: str
  ns_ip:
    description: The name server's address (the controller).
    type: str
  ns_hostname:
    description: The name server's host name.
    type: str
  ntp_server:
    description: The NTP server handed to the nodes.
    type: str
  dhcp:
    description: Whether the network has a dynamic DHCP range (then O(dhcp_range_begin) and O(dhcp_range_end) are required).
    type: bool
  dhcp_range_begin:
    description: The first address of the DHCP range.
    type: str
  dhcp_range_end:
    description: The last address of the DHCP range.
    type: str
  comment:
    description: A comment.
    type: str
  newnetname:
    description:
      - Renames the network to this name. When O(name) does not exist but O(newnetname) does,
        the network was renamed already and O(newnetname) is the network the task manages.
    type: str
"""

EXAMPLES = r"""
- name: The provisioning network, with a DHCP range
  cairn.cluster.network:
    name: cluster
    network: 10.141.0.0/16
    gateway: 10.141.255.254
    ns_ip: 10.141.255.254
    ns_hostname: controller.cluster
    dhcp: true
    dhcp_range_begin: 10.141.200.0
    dhcp_range_end: 10.141.200.255

- name: Rename a network
  cairn.cluster.network:
    name: ipmi
    newnetname: bmc

- name: Delete a network no group or node uses
  cairn.cluster.network:
    name: old
    state: absent
"""

RETURN = r"""
record:
  description: The network's record after the change (predicted in check mode); empty when it is absent.
  returned: always
  type: dict
  sample:
    name: cluster
    network: 10.141.0.0/16
    gateway: 10.141.255.254
    ns_ip: 10.141.255.254
    ns_hostname: controller.cluster
    ntp_server: null
    dhcp: false
    dhcp_range_begin: null
    dhcp_range_end: null
    comment: null
"""

from ansible_collections.cairn.cluster.plugins.module_utils.kinds import NETWORK
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_object_module


def main():
    run_object_module(NETWORK, dict(
        name=dict(type="str", required=True),
        network=dict(type="str"),
        gateway=dict(type="str"),
        ns_ip=dict(type="str"),
        ns_hostname=dict(type="str"),
        ntp_server=dict(type="str"),
        dhcp=dict(type="bool"),
        dhcp_range_begin=dict(type="str"),
        dhcp_range_end=dict(type="str"),
        comment=dict(type="str"),
        newnetname=dict(type="str"),
    ))


if __name__ == "__main__":
    main()
