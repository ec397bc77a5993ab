#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: otherdev
short_description: Create, change, rename or delete another device (PDU, UPS, ...) of a Cairn cluster
description:
  - Manages one other device (C(/config/otherdev/NAME)), such as a PDU or a UPS, with at most one
    address in a network.
  - Only the options the task sets are compared and written.
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object
  - cairn.cluster.object.addressed
options:
  newotherdevname:
    description:
      - Renames the device. When O(name) does not exist but O(newotherdevname) does, the device was
        renamed already and O(newotherdevname) is the one the task manages.
    type: str
"""

EXAMPLES = r"""
- name: A PDU at a fixed address
  cairn.cluster.otherdev:
    name: pdu01
    network: ipmi
    ipaddress: 10.148.255.10
    comment: Rack 1, feed A

- name: Delete it (its address is freed)
  cairn.cluster.otherdev:
    name: pdu01
    state: absent
"""

RETURN = r"""
record:
  description: The device after the task (predicted in check mode; empty when absent).
  returned: always
  type: dict
  sample: {name: pdu01, network: ipmi, ipaddress: 10.148.255.10, comment: "Rack 1, feed A"}
"""

from ansible_collections.cairn.cluster.plugins.module_utils.hardware import ADDRESS_OPTIONS, OTHERDEV
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_object_module


def main():
    run_object_module(OTHERDEV, dict(
        name=dict(type="str", required=True),
        **ADDRESS_OPTIONS,
        comment=dict(type="str"),
        newotherdevname=dict(type="str"),
    ))


if __name__ == "__main__":
    main()
