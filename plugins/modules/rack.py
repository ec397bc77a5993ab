#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: rack
short_description: Create, change, rename or delete a rack of a Cairn cluster, with its devices
description:
  - Manages one rack (C(/config/rack/NAME)) and the devices placed in it.
  - Only the options the task sets are compared and written.
  - When the task sets O(devices), they are exactly the rack's devices afterwards. A listed device
    moves in (also out of another rack); a device the list leaves out leaves the rack and stays in
    the inventory, in no rack. Devices are compared by O(devices[].type) and O(devices[].name), on
    the suboptions the task sets, in any order.
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object
options:
  name:
    description: The rack's name (a DNS label; not C(inventory)).
    type: str
    required: true
  size:
    description: The rack's height in units, 1 to 60. Required to create a rack.
    type: int
  order:
    description: How a display numbers the units (V(ascending) from the bottom). It never moves a device.
    type: str
    choices: [ascending, descending]
  room:
    description: The room the rack stands in.
    type: str
  site:
    description: The site the rack stands at.
    type: str
  comment:
    description: A comment.
    type: str
  devices:
    description:
      - Every device in the rack. Nodes, switches and other devices must exist; a device without an
        inventory entry gets one.
      - V([]) empties the rack.
    type: list
    elements: dict
    suboptions:
      name:
        description: The device's name; for a node, switch or other device, the object's name.
        type: str
        required: true
      type:
        description: The device's type.
        type: str
        required: true
        choices: [node, switch, otherdev, controller, pdu, patchpanel, other]
      vendor:
        description: The vendor. Unset, the inventory entry keeps its vendor.
        type: str
      orientation:
        description: Which side of the rack the device faces. Unset, the entry keeps its orientation (V(front) for a new one).
        type: str
        choices: [front, back]
      height:
        description: The units the device takes, 1 to 60. Unset, the entry keeps its height (1 for a new one).
        type: int
      position:
        description: The lowest unit the device takes, counted from the bottom of the rack (unit 1).
        type: int
        required: true
  newrackname:
    description:
      - Renames the rack; its devices stay. When O(name) does not exist but O(newrackname) does, the
        rack was renamed already and O(newrackname) is the one the task manages.
    type: str
"""

EXAMPLES = r"""
- name: Rack 1 with a switch, a PDU and two nodes
  cairn.cluster.rack:
    name: rack001
    size: 42
    room: Basement
    site: Amsterdam
    devices:
      - {name: pdu01, type: otherdev, position: 1}
      - {name: node001, type: node, vendor: Dell, height: 2, position: 3}
      - {name: node002, type: node, vendor: Dell, height: 2, position: 5}
      - {name: switch01, type: switch, orientation: back, position: 42}

- name: Delete the rack (its devices stay in the inventory)
  cairn.cluster.rack:
    name: rack001
    state: absent
"""

RETURN = r"""
record:
  description: The rack after the task, with its devices (predicted in check mode; empty when absent).
  returned: always
  type: dict
  sample: {name: rack001, size: 42, order: ascending, room: Basement, site: Amsterdam, comment: null,
           devices: [{name: node001, type: node, vendor: Dell, orientation: front, height: 2, position: 3}]}
"""

from ansible_collections.cairn.cluster.plugins.module_utils.hardware import DEVICE_OPTIONS, RACK
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_object_module


def main():
    run_object_module(RACK, dict(
        name=dict(type="str", required=True),
        size=dict(type="int"),
        order=dict(type="str", choices=["ascending", "descending"]),
        room=dict(type="str"),
        site=dict(type="str"),
        comment=dict(type="str"),
        devices=dict(type="list", elements="dict", options=DEVICE_OPTIONS),
        newrackname=dict(type="str"),
    ))


if __name__ == "__main__":
    main()
