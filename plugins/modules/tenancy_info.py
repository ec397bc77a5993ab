#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: tenancy_info
short_description: Read the tenancies of a Cairn cluster
description:
  - Returns one tenancy (C(GET /tenancy/NAME), C(Quarantine) included) or every tenancy of a
    tenant (C(GET /tenant/TENANT/tenancies?show_details=true)). Only the superadmin reads tenancies.
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object.info
options:
  name:
    description: The tenancy to read. At least one of O(name) and O(tenant) is required.
    type: str
  tenant:
    description: The tenant whose tenancies to read, by name or uid. With O(name), the tenancy must be this tenant's.
    type: str
"""

EXAMPLES = r"""
- name: The nodes in Quarantine
  cairn.cluster.tenancy_info:
    name: Quarantine
  register: quarantine

- name: Every tenancy of a tenant
  cairn.cluster.tenancy_info:
    tenant: HelloKitty
  register: tenancy_records
"""

RETURN = r"""
records:
  description: The tenancies' records; empty when O(name) does not exist.
  returned: always
  type: list
  elements: dict
  sample:
    - {name: hk-batch, tenant: HelloKitty, system: false, description: null, created: 1764000000,
       nodes: [node001, node002, node003, node004], hostlist: "node[001-004]"}
"""

from ansible_collections.cairn.cluster.plugins.module_utils.accounts import TENANCY
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_info_module


def main():
    run_info_module(TENANCY, dict(name=dict(type="str"), tenant=dict(type="str")),
                    required_one_of=[("name", "tenant")])


if __name__ == "__main__":
    main()
