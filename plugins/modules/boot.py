#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: boot
short_description: Set how the nodes of a hostlist boot (network, menu, local install)
description:
  - Sets O(netboot), O(bootmenu) and O(localinstall) on every node of O(hostlist), such as
    C(node[001-064]). These are the node fields that choose the iPXE script a node gets (the
    node's kernel, the menu, or the local disk).
  - The module reads every node in one request, and writes only the nodes whose own value differs.
    A value a node inherits from its group counts as unset, so the task makes the node set it
    itself.
  - Every node of the hostlist must exist; otherwise the task fails, naming them, before it writes
    anything.
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
attributes:
  check_mode:
    description: Predicts C(changed), the diff and RV(nodes) without writing anything.
    support: full
  diff_mode:
    description: Returns the flags of the nodes that change, before and after.
    support: full
options:
  hostlist:
    description:
      - The nodes, as a hostlist, such as C(node[001-064]) or C(gpu[01-04,08],login1). Brackets
        hold numbers and ranges; a range keeps the zero padding of its first number.
    type: str
    required: true
  netboot:
    description: Boot from the network (V(true)) or from the local disk (V(false)).
    type: bool
  bootmenu:
    description: Show the iPXE menu, with the node's kernel as the default, before booting over the network.
    type: bool
  localinstall:
    description: Install the image to the local disk and boot it from there.
    type: bool
"""

EXAMPLES = r"""
- name: Boot a rack of nodes from their local disks
  cairn.cluster.boot:
    hostlist: node[001-064]
    netboot: false

- name: Back to the network, with the menu
  cairn.cluster.boot:
    hostlist: node[001-064]
    netboot: true
    bootmenu: true
"""

RETURN = r"""
nodes:
  description: The nodes the task changed (would change, in check mode), sorted.
  returned: always
  type: list
  elements: str
  sample: [node001, node002]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cairn.cluster.plugins.module_utils.api import API_ARGUMENT_SPEC, CairnClient, CairnError
from ansible_collections.cairn.cluster.plugins.module_utils.hostlist import HostlistError, expand_hostlist
from ansible_collections.cairn.cluster.plugins.module_utils.kinds import NODE
from ansible_collections.cairn.cluster.plugins.module_utils.object import fail

FLAGS = ("netboot", "bootmenu", "localinstall")

#: How many unknown nodes a failure names.
SHOWN_UNKNOWN = 10


def changes_by_node(module, client):
    """{node: {flag: value}} of the nodes whose own flags differ from the task's."""
    try:
        names = expand_hostlist(module.params["hostlist"])
    except HostlistError as bad:
        module.fail_json(msg=str(bad), field="hostlist")
    records = {record["name"]: record for record in NODE.read_all(client)}
    unknown = [name for name in names if name not in records]
    if unknown:
        shown = ", ".join(unknown[:SHOWN_UNKNOWN]) + (", ..." if len(unknown) > SHOWN_UNKNOWN else "")
        module.fail_json(msg=f"{len(unknown)} nodes of the hostlist do not exist: {shown}", field="hostlist")
    wanted = {flag: module.params[flag] for flag in FLAGS if module.params[flag] is not None}
    changes = {}
    for name in names:
        differ = {flag: value for flag, value in wanted.items() if NODE.own_value(records[name], flag) != value}
        if differ:
            changes[name] = {"before": {flag: NODE.own_value(records[name], flag) for flag in differ},
                             "after": differ}
    return changes


def main():
    module = AnsibleModule(argument_spec=dict(API_ARGUMENT_SPEC, hostlist=dict(type="str", required=True),
                                              **{flag: dict(type="bool") for flag in FLAGS}),
                           required_one_of=[FLAGS], supports_check_mode=True)
    try:
        client = CairnClient.from_params(module.params)
        changes = changes_by_node(module, client)
        if not module.check_mode:
            for name, change in changes.items():
                NODE.update(client, name, change["after"])
    except CairnError as refused:
        fail(module, refused)
    result = dict(changed=bool(changes), nodes=sorted(changes))
    if module._diff:
        result["diff"] = {side: {name: change[side] for name, change in sorted(changes.items())}
                          for side in ("before", "after")}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
