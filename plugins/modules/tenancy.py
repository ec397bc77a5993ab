#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: tenancy
short_description: Create or delete a tenancy (a tenant's nodes) of a Cairn cluster
description:
  - Manages one tenancy of a tenant (C(POST /tenant/TENANT/tenancies), C(GET /tenancy/NAME)), the
    set of nodes the tenant leases. Only the superadmin manages tenancies.
  - The API creates and deletes tenancies, and cannot change one. A task whose nodes or
    description differ from an existing tenancy's fails, naming the option; delete the tenancy
    and create it again.
  - V(absent) deletes the tenancy; its nodes move to the system's tenancy C(Quarantine).
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object
options:
  name:
    description: The tenancy's name, a DNS label, unique across all tenants.
    type: str
    required: true
  tenant:
    description: The tenant that owns the tenancy, by name or uid.
    type: str
    required: true
  hostlist:
    description: Nodes as a hostlist, such as C(node[001-004,010]). The tenancy gets these and O(nodes).
    type: str
  nodes:
    description: Nodes by name. Every node must exist and be in no other tenancy (or in C(Quarantine)).
    type: list
    elements: str
  description:
    description: A description.
    type: str
"""

EXAMPLES = r"""
- name: Four nodes for the tenant
  cairn.cluster.tenancy:
    name: hk-batch
    tenant: HelloKitty
    hostlist: node[001-004]

- name: Give them back (the nodes go to Quarantine)
  cairn.cluster.tenancy:
    name: hk-batch
    tenant: HelloKitty
    state: absent
"""

RETURN = r"""
record:
  description: The tenancy after the task (predicted in check mode; empty when absent).
  returned: always
  type: dict
  sample: {name: hk-batch, tenant: HelloKitty, system: false, description: null, created: 1764000000,
           nodes: [node001, node002, node003, node004], hostlist: "node[001-004]"}
"""

from ansible_collections.cairn.cluster.plugins.module_utils.accounts import TENANCY
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_object_module


def main():
    run_object_module(TENANCY, dict(
        name=dict(type="str", required=True),
        tenant=dict(type="str", required=True),
        hostlist=dict(type="str"),
        nodes=dict(type="list", elements="str"),
        description=dict(type="str"),
    ), required_if=[("state", "present", ("hostlist", "nodes"), True)])


if __name__ == "__main__":
    main()
