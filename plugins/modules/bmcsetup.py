#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: bmcsetup
short_description: Create, change, rename or delete a BMC setup of a Cairn cluster
description:
  - Manages one BMC setup (C(/config/bmcsetup/NAME)), the IPMI user and channels that the BMCs of
    a group's nodes are set up with. A group names its setup in C(bmcsetupname).
  - Only the options the task sets are compared and written.
  - The BMC's user name and password are O(bmc_username) and O(bmc_password), because O(username)
    and O(password) are the login to the Cairn server, which C(module_defaults) may set for every
    module of the collection.
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object
options:
  name:
    description: The BMC setup's name.
    type: str
    required: true
  userid:
    description: The IPMI user id, 1 to 63. Most BMCs keep user 1 as the anonymous user, so use 2 or higher.
    type: int
  bmc_username:
    description: The IPMI user name (the API's field C(username)), 1 to 16 printable ASCII characters.
    type: str
  bmc_password:
    description:
      - The IPMI password (the API's field C(password)), 1 to 20 printable ASCII characters.
      - The server stores it encrypted. It is compared with the stored one when the token may
        read secrets (C(secrets.read)); otherwise it is written on every run. Diffs and the
        returned record show C(********).
    type: str
  mgmtchannel:
    description: The IPMI management channel, 0 to 15.
    type: int
  netchannel:
    description: The IPMI network channel, 0 to 15.
    type: int
  unmanaged_bmc_users:
    description: What to do with the BMC's other users.
    type: str
    choices: [skip, disable, delete]
  protocol:
    description:
      - How the server talks to the BMCs of this setup for power and boot control (C(/control)),
        V(ipmi) (IPMI 2.0 over UDP port 623) or V(redfish) (HTTPS). A new setup uses V(ipmi).
    type: str
    choices: [ipmi, redfish]
  comment:
    description: A comment.
    type: str
  newbmcname:
    description:
      - Renames the setup; the groups that use it follow. When O(name) does not exist but
        O(newbmcname) does, the setup was renamed already and O(newbmcname) is the one the task manages.
    type: str
"""

EXAMPLES = r"""
- name: The BMC setup of the Dell nodes
  cairn.cluster.bmcsetup:
    name: dell
    userid: 2
    bmc_username: root
    bmc_password: "{{ vault_dell_bmc_password }}"
    mgmtchannel: 1
    netchannel: 1
    unmanaged_bmc_users: skip

- name: Rename it
  cairn.cluster.bmcsetup:
    name: dell
    newbmcname: dell-r650

- name: Delete it (refused while a group uses it)
  cairn.cluster.bmcsetup:
    name: dell-r650
    state: absent
"""

RETURN = r"""
record:
  description: The BMC setup after the task (predicted in check mode; empty when absent). The password shows as C(********).
  returned: always
  type: dict
  sample: {name: dell, userid: 2, username: root, password: "********", mgmtchannel: 1, netchannel: 1,
           unmanaged_bmc_users: skip, protocol: ipmi, comment: null}
"""

from ansible_collections.cairn.cluster.plugins.module_utils.hardware import BMCSETUP
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_object_module


def main():
    run_object_module(BMCSETUP, dict(
        name=dict(type="str", required=True),
        userid=dict(type="int"),
        bmc_username=dict(type="str"),
        bmc_password=dict(type="str"),
        mgmtchannel=dict(type="int"),
        netchannel=dict(type="int"),
        unmanaged_bmc_users=dict(type="str", choices=["skip", "disable", "delete"]),
        protocol=dict(type="str", choices=["ipmi", "redfish"]),
        comment=dict(type="str"),
        newbmcname=dict(type="str"),
    ))


if __name__ == "__main__":
    main()
