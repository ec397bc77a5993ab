# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The kinds of object of the cluster modules (cluster, network, group, node, OS image and tag),
shared by each module and its ``_info`` module, and the options groups and nodes share."""

from __future__ import annotations

import posixpath
from urllib.parse import quote

from ansible_collections.cairn.cluster.plugins.module_utils.api import CairnError
from ansible_collections.cairn.cluster.plugins.module_utils.object import ObjectKind, ip_address, ip_network


def image_path(value):
    """An image's path as the server stores it (``/a//b/`` is ``/a/b``)."""
    return posixpath.normpath(value) if value.startswith("/") else value


CLUSTER = ObjectKind("cluster", singleton=True)
NETWORK = ObjectKind("network", rename_field="newnetname", normalizers=dict(
    network=ip_network, gateway=ip_address, ns_ip=ip_address,
    dhcp_range_begin=ip_address, dhcp_range_end=ip_address))
GROUP = ObjectKind("group", rename_field="newgroupname")
NODE = ObjectKind("node", rename_field="newhostname")
#: The server shows some image fields under their Luna2 names too (kerneloptions as kernopts).
OSIMAGE = ObjectKind("osimage", rename_field="newosimage", normalizers=dict(path=image_path),
                     aliases=dict(kernelversion=("kernver",), kerneloptions=("kernopts",),
                                  kernelmodules=("kernmodules",), grab_exclude=("grab_exclude_list",)))

PROVISION_METHODS = ["torrent", "http"]

#: How a group or a node boots and installs (doc fragment cairn.cluster.provisioning).
PROVISIONING_OPTIONS = dict(
    osimage=dict(type="str"),
    osimagetag=dict(type="str"),
    prescript=dict(type="str"),
    partscript=dict(type="str"),
    postscript=dict(type="str"),
    netboot=dict(type="bool"),
    localinstall=dict(type="bool"),
    bootmenu=dict(type="bool"),
    provision_interface=dict(type="str"),
    provision_method=dict(type="str", choices=PROVISION_METHODS),
    provision_fallback=dict(type="str", choices=PROVISION_METHODS),
    comment=dict(type="str"),
)


class OsimageTagKind(ObjectKind):
    """The tags of one OS image (``osimage``): a tag names the pack the image had when it was
    tagged. Created with ``POST /config/osimage/IMAGE/tag``, read from
    ``/config/osimagetag/IMAGE`` (a 404 for an unknown image: the tag is absent), deleted with
    ``/config/osimage/IMAGE/osimagetag/TAG/_delete``. Without an image, ``read_all`` lists the
    tags of every image."""

    identity_options = ("osimage",)

    def __init__(self, osimage=None):
        super().__init__("osimagetag")
        self.osimage = osimage

    def bind(self, params):
        return OsimageTagKind(params.get("osimage"))

    def path(self, name=None):
        return f"/config/osimage/{quote(self.osimage, safe='')}/osimagetag/{quote(name, safe='')}"

    def list_path(self):
        if self.osimage is None:
            return "/config/osimagetag"
        return f"/config/osimagetag/{quote(self.osimage, safe='')}"

    def unwrap_all(self, answer):
        return list(answer["config"]["osimagetag"].values())  # each record has name and osimage

    def read(self, client, name):
        for record in self.read_image_tags(client):
            if record["name"] == name:
                return record
        return None

    def read_image_tags(self, client):
        try:
            return self.read_all(client)
        except CairnError as refused:
            if refused.status == 404:
                return []
            raise

    def create(self, client, name, fields):
        client.post(f"/config/osimage/{quote(self.osimage, safe='')}/tag",
                    {"config": {"osimage": {self.osimage: {"tag": name}}}})


OSIMAGE_TAG = OsimageTagKind()
