#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: switch_info
short_description: Read the switches of a Cairn cluster
description:
  - Returns one switch (C(GET /config/switch/NAME)) or every switch (C(GET /config/switch)).
    The write community (C(rw)) shows as C(********).
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object.info
options:
  name:
    description: The switch to read. Without it, every switch.
    type: str
"""

EXAMPLES = r"""
- name: Every switch
  cairn.cluster.switch_info:
  register: switch_records

- name: One switch
  cairn.cluster.switch_info:
    name: switch01
  register: switch_record
"""

RETURN = r"""
records:
  description: The records; empty when O(name) does not exist.
  returned: always
  type: list
  elements: dict
  sample:
    - {name: switch01, network: cluster, ipaddress: 10.141.253.1, oid: .1.3.6.1.2.1.17.7.1.2.2.1.2, read: public, rw: "********", comment: null}
"""

from ansible_collections.cairn.cluster.plugins.module_utils.hardware import SWITCH
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_info_module


def main():
    run_info_module(SWITCH, dict(name=dict(type="str")))


if __name__ == "__main__":
    main()
