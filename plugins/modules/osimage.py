#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: osimage
short_description: Create, change, rename or delete an OS image of a Cairn cluster
description:
  - Manages one OS image record (C(/config/osimage/NAME)) of a Cairn server. Only the options
    the task sets are compared and written. Packing fields (C(imagefile), C(checksum), ...) are read-only.
  - Deleting an image deletes its tags and packs, never its tree on disk.
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object
options:
  name:
    description: The image's name.
    type: str
    required: true
  path:
    description: The image's tree on the controller, an absolute path such as C(/trinity/images/compute).
    type: str
  distribution:
    description: The distribution, for example C(redhat).
    type: str
  osrelease:
    description: The release, for example C(9).
    type: str
  kernelversion:
    description: The kernel version.
    type: str
  kernelfile:
    description: The kernel's file name in the image's C(/boot) (a name, not a path).
    type: str
  initrdfile:
    description: The initrd's file name in the image's C(/boot).
    type: str
  kernelmodules:
    description: Kernel modules to load.
    type: str
  kerneloptions:
    description: The kernel command line options.
    type: str
  dracutmodules:
    description: The dracut modules of the initrd.
    type: str
  grab_filesystems:
    description: File systems to grab into the image.
    type: list
    elements: str
  grab_exclude:
    description: Paths to leave out when grabbing.
    type: list
    elements: str
  comment:
    description: A comment.
    type: str
  newosimage:
    description:
      - Renames the image to this name; groups, nodes and tags follow. When O(name) does not
        exist but O(newosimage) does, the image was renamed already and O(newosimage) is the image the task manages.
    type: str
"""

EXAMPLES = r"""
- name: The compute image
  cairn.cluster.osimage:
    name: compute
    path: /trinity/images/compute
    distribution: redhat
    osrelease: "9"
    kernelfile: vmlinuz-5.14.0-362.el9.x86_64
    initrdfile: initramfs-5.14.0-362.el9.x86_64.img
    kerneloptions: mitigations=off

- name: Rename an image
  cairn.cluster.osimage:
    name: compute
    newosimage: compute-el9
"""

RETURN = r"""
record:
  description: The image's record after the change (predicted in check mode); empty when it is absent.
  returned: always
  type: dict
  sample:
    name: compute
    path: /trinity/images/compute
    distribution: redhat
    osrelease: "9"
    kernelfile: vmlinuz-5.14.0-362.el9.x86_64
    imagefile: null
"""

from ansible_collections.cairn.cluster.plugins.module_utils.kinds import OSIMAGE
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_object_module


def main():
    run_object_module(OSIMAGE, dict(
        name=dict(type="str", required=True),
        path=dict(type="str"),
        distribution=dict(type="str"),
        osrelease=dict(type="str"),
        kernelversion=dict(type="str"),
        kernelfile=dict(type="str"),
        initrdfile=dict(type="str"),
        kernelmodules=dict(type="str"),
        kerneloptions=dict(type="str"),
        dracutmodules=dict(type="str"),
        grab_filesystems=dict(type="list", elements="str"),
        grab_exclude=dict(type="list", elements="str"),
        comment=dict(type="str"),
        newosimage=dict(type="str"),
    ))


if __name__ == "__main__":
    main()
