#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cluster_info
short_description: Read the settings of a Cairn cluster
description:
  - Returns the cluster's settings and its controllers (C(GET /config/cluster)).
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object.info
"""

EXAMPLES = r"""
- name: The cluster's settings
  cairn.cluster.cluster_info:
  register: cluster

- name: Its provisioning method
  ansible.builtin.debug:
    msg: "{{ cluster.records[0].provision_method }}"
"""

RETURN = r"""
records:
  description: A list of one record, the cluster's (the same shape as the other C(_info) modules).
  returned: always
  type: list
  elements: dict
  sample:
    - name: cluster
      provision_method: torrent
      provision_fallback: http
      controller1: {status: active, ipaddr: 10.141.255.254, serverport: 7050}
"""

from ansible_collections.cairn.cluster.plugins.module_utils.kinds import CLUSTER
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_info_module


def main():
    run_info_module(CLUSTER, {})


if __name__ == "__main__":
    main()
