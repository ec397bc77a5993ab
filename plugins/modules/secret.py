#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: secret
short_description: Create, change or delete a secret of a node or a group of a Cairn cluster
description:
  - Manages one secret (C(/config/secrets/node/NODE/SECRET) or C(/config/secrets/group/GROUP/SECRET)),
    a file with sensitive content, such as a licence or a key, that the node gets in its image.
  - Only the options the task sets are compared and written. Reading secrets needs a token that
    may read them (C(secrets.read)).
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object
options:
  node:
    description: The node the secret belongs to. Exactly one of O(node) and O(group) is required.
    type: str
  group:
    description: The group the secret belongs to; its nodes get it.
    type: str
  name:
    description: The secret's name (the API's C(secretname)), printable text without C(/), such as C(software license).
    type: str
    required: true
    aliases: [secretname]
  content:
    description:
      - The content, stored as sent (encrypted on the server). Required to create a secret. Clients
        may send base64, as the API's C(<ENC>) suggests.
      - Shown as C(********) in diffs and the returned record.
    type: str
  path:
    description: Where the file goes in the image, an absolute path such as C(/etc/app/license.lic).
    type: str
"""

EXAMPLES = r"""
- name: The licence of the InfiniBand nodes
  cairn.cluster.secret:
    group: compute-ib
    name: Infiniband
    content: "{{ lookup('ansible.builtin.file', 'rdma-license.lic') | b64encode }}"
    path: /etc/rdma/license.lic

- name: Delete a node's secret
  cairn.cluster.secret:
    node: node001
    name: software license
    state: absent
"""

RETURN = r"""
record:
  description: The secret after the task (predicted in check mode; empty when absent). C(content) shows as C(********).
  returned: always
  type: dict
  sample: {name: Infiniband, secretname: Infiniband, content: "********", path: /etc/rdma/license.lic}
"""

from ansible_collections.cairn.cluster.plugins.module_utils.object import run_object_module
from ansible_collections.cairn.cluster.plugins.module_utils.secret import OWNER_OPTIONS, OWNER_RULES, SECRET


def main():
    run_object_module(SECRET, dict(
        **OWNER_OPTIONS,
        name=dict(type="str", required=True, aliases=["secretname"]),
        content=dict(type="str"),
        path=dict(type="str"),
    ), **OWNER_RULES)


if __name__ == "__main__":
    main()
