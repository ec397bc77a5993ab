#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: rack_info
short_description: Read the racks of a Cairn cluster
description:
  - Returns one rack (C(GET /config/rack/NAME)) or every rack (C(GET /config/rack)).
    Each rack lists its devices.
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object.info
options:
  name:
    description: The rack to read. Without it, every rack.
    type: str
"""

EXAMPLES = r"""
- name: Every rack
  cairn.cluster.rack_info:
  register: rack_records

- name: One rack
  cairn.cluster.rack_info:
    name: rack001
  register: rack_record
"""

RETURN = r"""
records:
  description: The records; empty when O(name) does not exist.
  returned: always
  type: list
  elements: dict
  sample:
    - name: rack001
      size: 42
      order: ascending
      room: null
      site: null
      comment: null
      devices: [{name: node001, type: node, vendor: null, orientation: front, height: 1, position: 3}]
"""

from ansible_collections.cairn.cluster.plugins.module_utils.hardware import RACK
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_info_module


def main():
    run_info_module(RACK, dict(name=dict(type="str")))


if __name__ == "__main__":
    main()
