# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: object
short_description: Objects of a Cairn server, by name or every one of a kind
description:
  - Reads objects of one kind (O(kind)) from the Cairn server, as C(GET /config/<kind>/<name>) shows them.
  - The objects named in the terms, one request each; or, with no term, every object of the kind in one request
    (C(GET /config/<kind>)).
  - Each record carries its C(name). Records are as the token may see them; a tenant sees only its own nodes and what
    they use, and BMC passwords only with the permission C(secrets.read).
  - An object that does not exist, or that the token may not see, fails the task.
author: Cairn developers (@cairn-hpc)
options:
  _terms:
    description: The names of the objects; none for every object of the kind.
    type: list
    elements: str
  kind:
    description: The kind of the objects.
    type: str
    required: true
    choices: [network, group, node, osimage, bmcsetup, switch, otherdev, rack]
extends_documentation_fragment:
  - cairn.cluster.api.plugins
"""

EXAMPLES = r"""
- name: The addresses of node001 (url and token from CAIRN_URL and CAIRN_TOKEN)
  ansible.builtin.debug:
    msg: "{{ lookup('cairn.cluster.object', 'node001', kind='node').interfaces }}"

- name: The names of every group
  ansible.builtin.debug:
    msg: "{{ query('cairn.cluster.object', kind='group', url='http://controller:7050', token=cairn_token)
             | map(attribute='name') }}"

- name: Two networks
  ansible.builtin.set_fact:
    networks: "{{ query('cairn.cluster.object', 'cluster', 'ipmi', kind='network') }}"
"""

RETURN = r"""
_raw:
  description:
    - One record per name, in the order of the terms; without terms every object of the kind, sorted by name.
    - The fields of each kind are those of C(GET /config/<kind>) in the API reference, and C(name).
  type: list
  elements: dict
"""

from urllib.parse import quote

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase

from ansible_collections.cairn.cluster.plugins.module_utils.api import API_ARGUMENT_SPEC, CairnClient, CairnError


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        kind = self.get_option("kind")
        try:
            client = CairnClient.from_params({key: self.get_option(key) for key in API_ARGUMENT_SPEC})
            if not terms:
                return _records(kind, client.get(f"/config/{kind}"))
            return [_records(kind, client.get(f"/config/{kind}/{quote(name, safe='')}"))[0] for name in terms]
        except CairnError as error:
            raise AnsibleError(f"cairn.cluster.object: {error}") from None


def _records(kind, answer):
    """The records of a {"config": {kind: {name: record}}} answer, each with its name, by name."""
    found = answer["config"][kind]
    return [{**found[name], "name": name} for name in sorted(found)]
