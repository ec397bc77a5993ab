#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: admin
short_description: Create, change, rename or delete an account of a Cairn server
description:
  - Manages one account (C(/admins), C(/admin/NAME)), the people and scripts that log in to the
    server. Only the superadmin manages accounts; any account may change its own
    O(description), O(admin_password), O(keys) and O(gui_settings).
  - Only the options the task sets are compared and written (C(PATCH /admin/NAME)).
  - The account's password is O(admin_password), because O(password) is the login to the Cairn
    server, which C(module_defaults) may set for every module of the collection.
  - A tenant's users are made with their tenant (M(cairn.cluster.tenant)); this module changes them afterwards.
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object
options:
  name:
    description: The account's name, a user name of the operating system (a letter, then letters, digits, C(.), C(_) or C(-)).
    type: str
    required: true
  description:
    description: A description, such as the person's name.
    type: str
  roles:
    description:
      - The account's roles, such as V(role.fulladmin), V(role.readonly), V(role.poweroperator) or
        V(role.secretsreader). They replace the account's roles; compared in any order.
    type: list
    elements: str
  keys:
    description: The account's SSH public keys (C(TYPE BASE64 [COMMENT])). They replace the account's keys.
    type: list
    elements: str
  gui_settings:
    description: Settings for GUIs, any object. It replaces the account's settings.
    type: dict
  admin_password:
    description:
      - The account's password (the API's field C(password)), 8 to 1024 characters. Without it, the
        server generates one when it creates the account, returned once in RV(generated_passwords).
      - The server never shows a password. With O(update_password=always) the module logs in with
        it (C(POST /token)) to tell whether it changed.
    type: str
  update_password:
    description:
      - V(always) sets O(admin_password) when the account does not log in with it.
      - V(on_create) sets it only when the module creates the account.
    type: str
    choices: [always, on_create]
    default: always
  newname:
    description:
      - Renames the account (only the superadmin may). When O(name) does not exist but O(newname)
        does, the account was renamed already and O(newname) is the one the task manages.
    type: str
"""

EXAMPLES = r"""
- name: A read-only admin with an SSH key
  cairn.cluster.admin:
    name: jdoe
    description: John Doe, HPC admin
    roles: [role.readonly]
    keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... jd@laptop"]
    admin_password: "{{ vault_jdoe_password }}"

- name: A script's account with a generated password
  cairn.cluster.admin:
    name: power-script
    roles: [role.poweroperator]
  register: script_account
  no_log: true

- name: Delete an account
  cairn.cluster.admin:
    name: jdoe
    state: absent
"""

RETURN = r"""
record:
  description: The account after the task (predicted in check mode; empty when absent). Passwords never appear.
  returned: always
  type: dict
  sample: {uid: d763705495c3423083ae35f0850da018, name: jdoe, description: "John Doe, HPC admin",
           roles: [role.readonly], keys: [], gui_settings: {}, superadmin: false, tenant: null}
generated_passwords:
  description:
    - The password the server generated, by account name, when the module created the account
      without O(admin_password). The only time it is shown; use C(no_log) on the task.
  returned: when the module created the account
  type: dict
  sample: {power-script: kq3J8fW0cX1bN6s-vT2yLg9e}
"""

from ansible_collections.cairn.cluster.plugins.module_utils.accounts import ADMIN, run_account_module


def main():
    run_account_module(ADMIN, dict(
        name=dict(type="str", required=True),
        description=dict(type="str"),
        roles=dict(type="list", elements="str"),
        keys=dict(type="list", elements="str", no_log=False),
        gui_settings=dict(type="dict"),
        admin_password=dict(type="str"),
        update_password=dict(type="str", default="always", choices=["always", "on_create"], no_log=False),
        newname=dict(type="str"),
    ))


if __name__ == "__main__":
    main()
