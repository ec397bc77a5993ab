#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: osimage_tag
short_description: Tag the current pack of a Cairn OS image, or delete a tag
description:
  - A tag names one pack of an image (its tarball, checksum and kernel), so groups and nodes
    that pin it (C(osimagetag)) stay on that pack while the image is repacked.
  - V(present) tags the image's current pack when the tag does not exist yet. An existing tag
    is left where it is, so a playbook never moves a pin by running again; to move a tag to a
    newer pack, delete it first (V(absent)), then create it again.
  - V(absent) deletes the tag; the server refuses while a group or node pins it.
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object
options:
  name:
    description: The tag (letters, digits, C(.), C(_) and C(-)); unique per image.
    type: str
    required: true
  osimage:
    description: The image, which must have been packed.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Pin the compute image's current pack as version1
  cairn.cluster.osimage_tag:
    osimage: compute
    name: version1

- name: Delete a tag no group or node pins
  cairn.cluster.osimage_tag:
    osimage: compute
    name: version1
    state: absent
"""

RETURN = r"""
record:
  description: The tag's record after the change (predicted in check mode); empty when it is absent.
  returned: always
  type: dict
  sample:
    name: version1
    osimage: compute
    imagefile: compute-3f1c9a0e5b7d4c2a9e8f6d5c4b3a2910.tar.gz
    checksum: 9b74c9897bac770ffc029102a200c5de
    kernelfile: vmlinuz-5.14.0-362
    initrdfile: initramfs-5.14.0-362.img
"""

from ansible_collections.cairn.cluster.plugins.module_utils.kinds import OSIMAGE_TAG
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_object_module


def main():
    run_object_module(OSIMAGE_TAG, dict(
        name=dict(type="str", required=True),
        osimage=dict(type="str", required=True),
    ))


if __name__ == "__main__":
    main()
