#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: node_info
short_description: Read the nodes of a Cairn cluster
description:
  - Returns one node (C(GET /config/node/NAME)) or every node (C(GET /config/node)).
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object.info
  - cairn.cluster.object.info_name
"""

EXAMPLES = r"""
- name: Every node
  cairn.cluster.node_info:
  register: nodes

- name: One node's provisioning address
  cairn.cluster.node_info:
    name: node001
  register: node001

- name: The names of the nodes in the compute group
  ansible.builtin.debug:
    msg: "{{ nodes.records | selectattr('group', 'equalto', 'compute') | map(attribute='name') }}"
"""

RETURN = r"""
records:
  description: The records; empty when O(name) does not exist.
  returned: always
  type: list
  elements: dict
  sample:
    - name: node001
      group: compute
      macaddr: "52:54:00:00:00:01"
      interfaces: [{interface: BOOTIF, network: cluster, ipaddress: 10.141.0.1}]
      netboot: true
      _netboot_source: default
"""

from ansible_collections.cairn.cluster.plugins.module_utils.kinds import NODE
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_info_module


def main():
    run_info_module(NODE, dict(name=dict(type="str")))


if __name__ == "__main__":
    main()
