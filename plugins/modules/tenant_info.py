#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: tenant_info
short_description: Read the tenants of a Cairn cluster
description:
  - Returns one tenant (C(GET /tenant/NAME), by name or uid, with its users' names) or every
    tenant (C(GET /tenants)), also those scheduled for deletion (C(status) V(deleting)). Only
    the superadmin reads tenants.
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object.info
options:
  name:
    description: The tenant to read, by name or uid. Without it, every tenant.
    type: str
"""

EXAMPLES = r"""
- name: Every tenant
  cairn.cluster.tenant_info:
  register: tenant_records
"""

RETURN = r"""
records:
  description: The tenants' records, sorted by name; empty when O(name) does not exist.
  returned: always
  type: list
  elements: dict
  sample:
    - {uid: 341b9947f6e644b78f6d88f5d7f898f4, name: HelloKitty, description: null, status: active,
       purge_at: null, tenancies: [hk-batch], users: [katniss, peeta]}
"""

from ansible_collections.cairn.cluster.plugins.module_utils.accounts import TENANT
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_info_module


def main():
    run_info_module(TENANT, dict(name=dict(type="str")))


if __name__ == "__main__":
    main()
