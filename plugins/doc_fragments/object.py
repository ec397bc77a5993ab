# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What module_utils/object.py gives every object module: its attributes, O(state) and
O(purge_interfaces). ``cairn.cluster.object`` for a named object,
``cairn.cluster.object.singleton`` for one without a name (the cluster),
``cairn.cluster.object.info`` for an C(_info) module (with ``cairn.cluster.object.info_name``
for its O(name) when it reads objects by name), and ``cairn.cluster.object.interfaces``
beside ``cairn.cluster.object`` for an object with interfaces."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
attributes:
  check_mode:
    description: Predicts C(changed), the diff and the record without writing anything.
    support: full
  diff_mode:
    description: Returns the record before and after the change; secret fields show C(********).
    support: full

options:
  state:
    description:
      - V(present) creates the object, or changes the fields the task sets that differ from
        its record. Fields the task leaves out stay as they are.
      - V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
notes:
  - A field that the object inherits (its record's C(_<field>_source) names another level)
    counts as unset, so setting it to the inherited value makes the object set it itself.
"""

    SINGLETON = r"""
attributes:
  check_mode:
    description: Predicts C(changed), the diff and the record without writing anything.
    support: full
  diff_mode:
    description: Returns the record before and after the change; secret fields show C(********).
    support: full
"""

    INTERFACES = r"""
options:
  purge_interfaces:
    description:
      - Remove the object's interfaces that O(interfaces) does not list.
      - By default the interfaces listed are added or changed, and the others stay.
    type: bool
    default: false
"""

    ADDRESSED = r"""
options:
  name:
    description: The device's name (a DNS label).
    type: str
    required: true
  network:
    description:
      - The network of the device's address. Without O(ipaddress), the device takes the first free
        address of the network (one it has there already stays).
    type: str
  ipaddress:
    description: The device's address, in O(network) (or in its current network). It must be free and not reserved.
    type: str
  comment:
    description: A comment.
    type: str
"""

    INFO = r"""
attributes:
  check_mode:
    description: Reads only, so it runs the same in check mode.
    support: full
  diff_mode:
    description: Changes nothing, so there is no diff.
    support: none
"""

    INFO_NAME = r"""
options:
  name:
    description: The name of the one object to read. Without it, every object of the kind.
    type: str
"""
