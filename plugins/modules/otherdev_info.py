#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: otherdev_info
short_description: Read the other devices (PDUs, UPSes, ...) of a Cairn cluster
description:
  - Returns one other device (C(GET /config/otherdev/NAME)) or every other device (C(GET /config/otherdev)).
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object.info
options:
  name:
    description: The other device to read. Without it, every other device.
    type: str
"""

EXAMPLES = r"""
- name: Every other device
  cairn.cluster.otherdev_info:
  register: otherdev_records

- name: One other device
  cairn.cluster.otherdev_info:
    name: pdu01
  register: otherdev_record
"""

RETURN = r"""
records:
  description: The records; empty when O(name) does not exist.
  returned: always
  type: list
  elements: dict
  sample:
    - {name: pdu01, network: cluster, ipaddress: 10.141.253.10, comment: null}
"""

from ansible_collections.cairn.cluster.plugins.module_utils.hardware import OTHERDEV
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_info_module


def main():
    run_info_module(OTHERDEV, dict(name=dict(type="str")))


if __name__ == "__main__":
    main()
