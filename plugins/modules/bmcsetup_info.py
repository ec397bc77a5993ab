#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: bmcsetup_info
short_description: Read the BMC setups of a Cairn cluster
description:
  - Returns one BMC setup (C(GET /config/bmcsetup/NAME)) or every BMC setup (C(GET /config/bmcsetup)).
    Passwords show as C(********).
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object.info
options:
  name:
    description: The BMC setup to read. Without it, every BMC setup.
    type: str
"""

EXAMPLES = r"""
- name: Every BMC setup
  cairn.cluster.bmcsetup_info:
  register: bmcsetup_records

- name: One BMC setup
  cairn.cluster.bmcsetup_info:
    name: dell
  register: bmcsetup_record
"""

RETURN = r"""
records:
  description: The records; empty when O(name) does not exist.
  returned: always
  type: list
  elements: dict
  sample:
    - {name: dell, userid: 2, username: root, password: "********", mgmtchannel: 1, netchannel: 1, unmanaged_bmc_users: skip, comment: null}
"""

from ansible_collections.cairn.cluster.plugins.module_utils.hardware import BMCSETUP
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_info_module


def main():
    run_info_module(BMCSETUP, dict(name=dict(type="str")))


if __name__ == "__main__":
    main()
