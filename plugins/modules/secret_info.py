#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: secret_info
short_description: Read the secrets of a node or a group of a Cairn cluster
description:
  - Returns one secret (C(GET /config/secrets/node/NODE/SECRET)) or every secret of the node or
    group (a node's own, without its group's). Needs a token that may read secrets
    (C(secrets.read)).
  - The content shows as C(********); the records tell which secrets exist and where they go.
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object.info
options:
  node:
    description: The node whose secrets to read. Exactly one of O(node) and O(group) is required.
    type: str
  group:
    description: The group whose secrets to read.
    type: str
  name:
    description: The secret to read (the API's C(secretname)). Without it, every secret of the owner.
    type: str
    aliases: [secretname]
"""

EXAMPLES = r"""
- name: The secrets of a group
  cairn.cluster.secret_info:
    group: compute-ib
  register: group_secrets
"""

RETURN = r"""
records:
  description: The secrets; empty when O(name) does not exist.
  returned: always
  type: list
  elements: dict
  sample:
    - {name: Infiniband, secretname: Infiniband, content: "********", path: /etc/rdma/license.lic}
"""

from ansible_collections.cairn.cluster.plugins.module_utils.object import run_info_module
from ansible_collections.cairn.cluster.plugins.module_utils.secret import OWNER_OPTIONS, OWNER_RULES, SECRET


def main():
    run_info_module(SECRET, dict(**OWNER_OPTIONS, name=dict(type="str", aliases=["secretname"])), **OWNER_RULES)


if __name__ == "__main__":
    main()
