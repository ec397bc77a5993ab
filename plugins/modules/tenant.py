#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: tenant
short_description: Create, suspend, resume or delete a tenant of a Cairn cluster
description:
  - Manages one tenant (C(POST /tenants), C(/tenant/NAME)), a customer that leases part of the
    cluster through its tenancies (M(cairn.cluster.tenancy)). Only the superadmin manages tenants.
  - The API creates a tenant whole. Afterwards only its O(status) changes; a task that sets another
    O(description) fails. O(users) are the accounts made with the tenant; M(cairn.cluster.admin)
    changes them afterwards.
  - V(absent) schedules the deletion (C(DELETE /tenant/NAME)); the tenant is purged when the
    server's deletion window ends. A tenant scheduled for deletion counts as absent, and V(present)
    takes the deletion back (resume) while the window lasts.
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object
options:
  name:
    description: The tenant's name, a DNS label that starts with a letter.
    type: str
    required: true
  description:
    description: A description, set when the tenant is created.
    type: str
  users:
    description:
      - The tenant's accounts, made when the tenant is created. Without users, the server makes one
        tenant admin, C(NAME-admin).
      - A user without a password gets a generated one, returned once in RV(generated_passwords).
    type: list
    elements: dict
    suboptions:
      name:
        description: The account's name; account names are unique across the whole server.
        type: str
        required: true
      password:
        description: The account's password, 8 to 1024 characters.
        type: str
      roles:
        description: V(role.tenantadmin) (the default) or V(role.tenantuser).
        type: list
        elements: str
  status:
    description:
      - V(suspended) refuses the tenant's tokens and its users' logins; V(active) accepts them again.
      - Unset, the status stays as it is.
    type: str
    choices: [active, suspended]
"""

EXAMPLES = r"""
- name: A tenant with its admin
  cairn.cluster.tenant:
    name: HelloKitty
    description: The Hello Kitty research group
    users:
      - {name: katniss, password: "{{ vault_katniss_password }}"}
      - {name: peeta, roles: [role.tenantuser]}
  register: hellokitty
  no_log: true

- name: Suspend it
  cairn.cluster.tenant:
    name: HelloKitty
    status: suspended

- name: Schedule its deletion
  cairn.cluster.tenant:
    name: HelloKitty
    state: absent
"""

RETURN = r"""
record:
  description: The tenant after the task, with its users' names (predicted in check mode; empty when absent).
  returned: always
  type: dict
  sample: {uid: 341b9947f6e644b78f6d88f5d7f898f4, name: HelloKitty, description: null, status: active,
           purge_at: null, tenancies: [], users: [katniss, peeta]}
generated_passwords:
  description: The passwords the server generated, by account name, when the module created the tenant. The only time they are shown.
  returned: when the module created the tenant
  type: dict
  sample: {peeta: Vq3hX9bN6s-vT2yLg9ekq3J}
"""

from ansible_collections.cairn.cluster.plugins.module_utils.accounts import TENANT, run_account_module


def main():
    run_account_module(TENANT, dict(
        name=dict(type="str", required=True),
        description=dict(type="str"),
        users=dict(type="list", elements="dict", options=dict(
            name=dict(type="str", required=True),
            password=dict(type="str", no_log=True),
            roles=dict(type="list", elements="str"),
        )),
        status=dict(type="str", choices=["active", "suspended"]),
    ))


if __name__ == "__main__":
    main()
