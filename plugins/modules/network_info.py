#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: network_info
short_description: Read the networks of a Cairn cluster
description:
  - Returns one network (C(GET /config/network/NAME)) or every network (C(GET /config/network)).
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object.info
  - cairn.cluster.object.info_name
"""

EXAMPLES = r"""
- name: Every network
  cairn.cluster.network_info:
  register: networks

- name: One network
  cairn.cluster.network_info:
    name: cluster
  register: cluster_network
"""

RETURN = r"""
records:
  description: The networks' records; empty when O(name) does not exist.
  returned: always
  type: list
  elements: dict
  sample:
    - name: cluster
      network: 10.141.0.0/16
      gateway: 10.141.255.254
      dhcp: false
"""

from ansible_collections.cairn.cluster.plugins.module_utils.kinds import NETWORK
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_info_module


def main():
    run_info_module(NETWORK, dict(name=dict(type="str")))


if __name__ == "__main__":
    main()
