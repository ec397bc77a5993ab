#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: osimage_info
short_description: Read the osimages of a Cairn cluster
description:
  - Returns one OS image (C(GET /config/osimage/NAME)) or every OS image (C(GET /config/osimage)).
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object.info
  - cairn.cluster.object.info_name
"""

EXAMPLES = r"""
- name: Every OS image
  cairn.cluster.osimage_info:
  register: images

- name: Whether the compute image was packed
  cairn.cluster.osimage_info:
    name: compute
  register: compute

- name: Its tarball
  ansible.builtin.debug:
    msg: "{{ compute.records[0].imagefile | default('not packed', true) }}"
"""

RETURN = r"""
records:
  description: The records; empty when O(name) does not exist.
  returned: always
  type: list
  elements: dict
  sample:
    - name: compute
      path: /trinity/images/compute
      kernelfile: vmlinuz-5.14.0-362
      imagefile: compute-3f1c9a0e5b7d4c2a9e8f6d5c4b3a2910.tar.gz
      checksum: 9b74c9897bac770ffc029102a200c5de
"""

from ansible_collections.cairn.cluster.plugins.module_utils.kinds import OSIMAGE
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_info_module


def main():
    run_info_module(OSIMAGE, dict(name=dict(type="str")))


if __name__ == "__main__":
    main()
