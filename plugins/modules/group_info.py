#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: group_info
short_description: Read the groups of a Cairn cluster
description:
  - Returns one group (C(GET /config/group/NAME)) or every group (C(GET /config/group)).
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object.info
  - cairn.cluster.object.info_name
"""

EXAMPLES = r"""
- name: Every group
  cairn.cluster.group_info:
  register: groups

- name: The interfaces of the compute group
  cairn.cluster.group_info:
    name: compute
  register: compute

- name: Show them
  ansible.builtin.debug:
    msg: "{{ compute.records[0].interfaces | map(attribute='interface') }}"
"""

RETURN = r"""
records:
  description: The records; empty when O(name) does not exist.
  returned: always
  type: list
  elements: dict
  sample:
    - name: compute
      interfaces: [{interface: BOOTIF, network: cluster}, {interface: BMC, network: ipmi}]
      osimage: compute
      bmcsetupname: dell
      _osimage_source: group
"""

from ansible_collections.cairn.cluster.plugins.module_utils.kinds import GROUP
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_info_module


def main():
    run_info_module(GROUP, dict(name=dict(type="str")))


if __name__ == "__main__":
    main()
