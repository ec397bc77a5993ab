#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: switch
short_description: Create, change, rename or delete a switch of a Cairn cluster
description:
  - Manages one switch (C(/config/switch/NAME)), with at most one address in a network.
  - Only the options the task sets are compared and written.
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object
  - cairn.cluster.object.addressed
options:
  oid:
    description: The numeric SNMP OID of the switch's MAC address table, for example C(.1.3.6.1.2.1.17.7.1.2.2.1.2).
    type: str
  read:
    description: The SNMP read community.
    type: str
  rw:
    description: The SNMP read-write community. A credential, shown as C(********) in diffs and the returned record.
    type: str
  newswitchname:
    description:
      - Renames the switch. When O(name) does not exist but O(newswitchname) does, the switch was
        renamed already and O(newswitchname) is the one the task manages.
    type: str
"""

EXAMPLES = r"""
- name: The boot switch, on the first free address of the cluster network
  cairn.cluster.switch:
    name: switch01
    network: cluster
    oid: .1.3.6.1.2.1.17.7.1.2.2.1.2
    read: public
    rw: "{{ vault_snmp_rw }}"
    comment: Bootswitch

- name: Delete it (refused while nodes name it)
  cairn.cluster.switch:
    name: switch01
    state: absent
"""

RETURN = r"""
record:
  description: The switch after the task (predicted in check mode; empty when absent). C(rw) shows as C(********).
  returned: always
  type: dict
  sample: {name: switch01, network: cluster, ipaddress: 10.141.253.1, oid: .1.3.6.1.2.1.17.7.1.2.2.1.2,
           read: public, rw: "********", comment: Bootswitch}
"""

from ansible_collections.cairn.cluster.plugins.module_utils.hardware import ADDRESS_OPTIONS, SWITCH
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_object_module


def main():
    run_object_module(SWITCH, dict(
        name=dict(type="str", required=True),
        **ADDRESS_OPTIONS,
        oid=dict(type="str"),
        read=dict(type="str"),
        rw=dict(type="str"),
        comment=dict(type="str"),
        newswitchname=dict(type="str"),
    ))


if __name__ == "__main__":
    main()
