# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: expand_hostlist
short_description: The names of a hostlist such as node[001-040]
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
description:
  - Expands a hostlist into its names, in order, each once, with the syntax of the server's C(hostlist)
    fields (python-hostlist's), such as C(node[001-040]) or C(gpu[01-04,08],login1).
  - Brackets hold numbers and ranges; a range keeps the zero padding of its first number; several brackets
    in one name give every combination. At most 100,000 names.
  - A malformed hostlist fails the task, saying why.
options:
  _input:
    description: The hostlist.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: node001 to node040
  ansible.builtin.debug:
    msg: "{{ 'node[001-040]' | cairn.cluster.expand_hostlist }}"

- name: Two ranges and a name
  ansible.builtin.debug:
    msg: "{{ 'gpu[01-04,08],login1' | cairn.cluster.expand_hostlist }}"  # gpu01 ... gpu04, gpu08, login1
"""

RETURN = r"""
_value:
  description: The names, in the order of the hostlist, without repeats.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.cairn.cluster.plugins.module_utils.hostlist import HostlistError, expand_hostlist


def expand(hostlist):
    """The names of ``hostlist``; a malformed one fails the task with the expander's reason."""
    if not isinstance(hostlist, str):
        raise AnsibleFilterError(f"expand_hostlist: a hostlist is a string, not {type(hostlist).__name__}")
    try:
        return expand_hostlist(hostlist)
    except HostlistError as bad:
        raise AnsibleFilterError(f"expand_hostlist: {bad}") from None


class FilterModule:
    def filters(self):
        return {"expand_hostlist": expand}
