#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: osimage_tag_info
short_description: Read the tags of Cairn OS images
description:
  - Returns one tag, the tags of one image (C(GET /config/osimagetag/IMAGE)), or the tags of
    every image (C(GET /config/osimagetag)).
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
  - cairn.cluster.object.info
options:
  osimage:
    description: The image whose tags to read. Without it, the tags of every image.
    type: str
  name:
    description: The tag to read (requires O(osimage)).
    type: str
"""

EXAMPLES = r"""
- name: The tags of the compute image
  cairn.cluster.osimage_tag_info:
    osimage: compute
  register: tags
"""

RETURN = r"""
records:
  description: The tags' records, each with its C(name) and C(osimage); empty when none match.
  returned: always
  type: list
  elements: dict
  sample:
    - name: version1
      osimage: compute
      imagefile: compute-3f1c9a0e5b7d4c2a9e8f6d5c4b3a2910.tar.gz
"""

from ansible_collections.cairn.cluster.plugins.module_utils.kinds import OSIMAGE_TAG
from ansible_collections.cairn.cluster.plugins.module_utils.object import run_info_module


def main():
    run_info_module(OSIMAGE_TAG, dict(osimage=dict(type="str"), name=dict(type="str")),
                    required_by=dict(name="osimage"))


if __name__ == "__main__":
    main()
