# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provisioning fields that groups and nodes share; kept in step with
module_utils/kinds.py's PROVISIONING_OPTIONS."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  osimage:
    description: The OS image to install (it must exist). Unset, a node takes its group's.
    type: str
  osimagetag:
    description: A tag of the resolved OS image to stay on (C(cairn.cluster.osimage_tag)), so a repack does not move the object.
    type: str
  prescript:
    description: A shell script the installer runs before partitioning.
    type: str
  partscript:
    description: A shell script that partitions and mounts the disks (none means a diskless node).
    type: str
  postscript:
    description: A shell script the installer runs after the image is unpacked.
    type: str
  netboot:
    description: Whether to boot over the network. Unset, inherited; the default is V(true).
    type: bool
  localinstall:
    description: Whether to install to the local disk. Unset, inherited; the default is V(false).
    type: bool
  bootmenu:
    description: Whether iPXE shows its boot menu. Unset, inherited; the default is V(false).
    type: bool
  provision_interface:
    description: The interface to provision over. Unset, inherited; the default is C(BOOTIF).
    type: str
  provision_method:
    description: How the image travels. Unset, inherited from the group, then the cluster.
    type: str
    choices: [torrent, http]
  provision_fallback:
    description: The method used when O(provision_method) fails. Unset, inherited.
    type: str
    choices: [torrent, http]
  comment:
    description: A comment.
    type: str
"""
