# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: render_context
short_description: The context the Cairn server renders a kind of config file from
description:
  - Reads C(GET /render/context) from the Cairn server and returns the context of each kind named
    (V(dhcp), V(dns)), that is the values the server's own templates
    (C(server/cairn/render/templates/<kind>/)) are rendered with.
  - The roles C(cairn.cluster.dhcp) and C(cairn.cluster.dns) render those same templates with it, so
    their files are byte for byte the ones the server writes.
  - The account needs the C(config.read) permission; tenants are refused.
author: Cairn developers (@cairn-hpc)
options:
  _terms:
    description: The kinds of context, V(dhcp) or V(dns).
    required: true
    type: list
    elements: str
extends_documentation_fragment:
  - cairn.cluster.api.plugins
"""

EXAMPLES = r"""
- name: Read the DHCP context
  ansible.builtin.set_fact:
    dhcp_context: "{{ lookup('cairn.cluster.render_context', 'dhcp', url='http://controller:7050', token=cairn_token) }}"

- name: Count the reservations of every subnet (url and token from CAIRN_URL and CAIRN_TOKEN)
  ansible.builtin.debug:
    msg: "{{ lookup('cairn.cluster.render_context', 'dhcp').subnets | map(attribute='reservations') | map('length') | sum }}"
"""

RETURN = r"""
_raw:
  description:
    - One context per kind named. V(dhcp) holds C(subnets), C(next_server), C(boot_files) and C(ipxe_url);
      V(dns) holds C(soa_serial), C(ttl), C(soa) and C(zones).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase

from ansible_collections.cairn.cluster.plugins.module_utils.api import API_ARGUMENT_SPEC, CairnClient, CairnError


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        options = {key: self.get_option(key) for key in API_ARGUMENT_SPEC}
        try:
            contexts = CairnClient.from_params(options).get("/render/context")["context"]
        except CairnError as error:
            raise AnsibleError(f"cairn.cluster.render_context: {error}") from None
        unknown = [kind for kind in terms if kind not in contexts]
        if unknown:
            raise AnsibleError(f"cairn.cluster.render_context: no context of kind {', '.join(unknown)} "
                               f"(the server has {', '.join(sorted(contexts))})")
        return [contexts[kind] for kind in terms]
