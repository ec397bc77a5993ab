#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: admin_info
short_description: Read the accounts of a Cairn server
description:
  - Returns one account (C(GET /admin/NAME), by name or uid) or every account (C(GET /admins),
    the superadmin's alone), tenants' users included. Passwords never appear.
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object.info
options:
  name:
    description: The account to read, by name or uid. Without it, every account.
    type: str
"""

EXAMPLES = r"""
- name: Every account
  cairn.cluster.admin_info:
  register: admin_records

- name: One account
  cairn.cluster.admin_info:
    name: jdoe
  register: admin_record
"""

RETURN = r"""
records:
  description: The accounts' records, sorted by name; empty when O(name) does not exist.
  returned: always
  type: list
  elements: dict
  sample:
    - {uid: d763705495c3423083ae35f0850da018, name: jdoe, description: "John Doe, HPC admin",
       roles: [role.readonly], keys: [], gui_settings: {}, superadmin: false, tenant: null}
"""

from ansible_collections.cairn.cluster.plugins.module_utils.accounts import ADMIN
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_info_module


def main():
    run_info_module(ADMIN, dict(name=dict(type="str")))


if __name__ == "__main__":
    main()
