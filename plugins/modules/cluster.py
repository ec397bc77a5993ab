#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cluster
short_description: Change the settings of a Cairn cluster
description:
  - Changes the cluster's settings (C(/config/cluster)); there is one cluster, so the module
    has no name and no C(state). Only the options the task sets are compared and written.
  - The cluster's C(name), C(domain) and controllers are read-only.
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object.singleton
options:
  ntp_server:
    description: The NTP server of the cluster.
    type: str
  technical_contacts:
    description: Who to call about the cluster.
    type: str
  provision_method:
    description: How images travel to nodes, for groups and nodes that set none.
    type: str
    choices: [torrent, http]
  provision_fallback:
    description: The method used when the first fails, for groups and nodes that set none.
    type: str
    choices: [torrent, http]
  debug:
    description: Whether the server logs for debugging.
    type: bool
"""

EXAMPLES = r"""
- name: Provision over HTTP, with torrent as the fallback
  cairn.cluster.cluster:
    provision_method: http
    provision_fallback: torrent
    ntp_server: 10.141.255.254
"""

RETURN = r"""
record:
  description: The cluster's record after the change (predicted in check mode), with its controllers.
  returned: always
  type: dict
  sample:
    name: cluster
    domain: null
    ntp_server: 10.141.255.254
    technical_contacts: null
    provision_method: http
    provision_fallback: torrent
    debug: false
    controller1: {status: active, ipaddr: 10.141.255.254, serverport: 7050}
"""

from ansible_collections.cairn.cluster.plugins.module_utils.kinds import CLUSTER, PROVISION_METHODS
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_object_module


def main():
    run_object_module(CLUSTER, dict(
        ntp_server=dict(type="str"),
        technical_contacts=dict(type="str"),
        provision_method=dict(type="str", choices=PROVISION_METHODS),
        provision_fallback=dict(type="str", choices=PROVISION_METHODS),
        debug=dict(type="bool"),
    ))


if __name__ == "__main__":
    main()
