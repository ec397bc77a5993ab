# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The secrets of a node or a group (``/config/secrets/node/NODE/SECRET``), for the
secret and secret_info modules."""

from __future__ import annotations

import copy
from urllib.parse import quote

from ansible_collections.cairn.cluster.plugins.module_utils.object import ObjectKind

#: The options that name a secret's owner: exactly one is given.
OWNER_OPTIONS = dict(node=dict(type="str"), group=dict(type="str"))
OWNER_RULES = dict(mutually_exclusive=[("node", "group")], required_one_of=[("node", "group")])


class SecretKind(ObjectKind):
    """A secret lives under its owner; its name is ``secretname`` and it travels in a list."""

    identity_options = tuple(OWNER_OPTIONS)

    def __init__(self):
        super().__init__("secrets", secret_fields=("content",))
        self.owner_kind = self.owner = None

    def bind(self, params):
        bound = copy.copy(self)
        bound.owner_kind = "node" if params.get("node") else "group"
        bound.owner = params[bound.owner_kind]
        return bound

    def list_path(self):
        return f"/config/secrets/{self.owner_kind}/{quote(self.owner, safe='')}"

    def path(self, name=None):
        return f"{self.list_path()}/{quote(name, safe='')}"

    def wrap(self, name, fields):
        return {"config": {"secrets": {self.owner_kind: {self.owner: [dict(fields, secretname=name)]}}}}

    def unwrap(self, answer, name):
        return self.unwrap_all(answer)[0]

    def unwrap_all(self, answer):
        """The owner's own secrets (a node's view lists its group's too, under ``group``)."""
        owned = answer["config"]["secrets"][self.owner_kind][self.owner]
        return [dict(item, name=item["secretname"]) for item in owned]


SECRET = SecretKind()
