# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The server's control API (``/control``): an action on the nodes of a hostlist, through
their BMCs, waited for when the server runs it in the background."""

from __future__ import annotations

import time

from ansible_collections.cairn.cluster.plugins.module_utils.api import CairnError
from ansible_collections.cairn.cluster.plugins.module_utils.hostlist import expand_hostlist

#: The keys of a background request's state, beside its subsystem's outcomes.
REQUEST_KEYS = ("request_id", "status", "progress", "message")
FAILED = "failed"
#: Seconds between two looks at a background request.
POLL_INTERVAL = 1.0


class Outcomes:
    """The nodes of one control request by outcome (``on``, ``off``, ``ok``, ``failed``,
    a boot device), with the reason of each failure."""

    def __init__(self, answer):
        #: {outcome: [node, ...]}, each list in the server's order.
        self.hosts = {outcome: expand_hostlist(group["hostlist"]) for outcome, group in answer.items()}
        #: {node: why it failed}
        self.reasons = dict(answer.get(FAILED, {}).get("reasons", {}))
        for name in self.hosts.get(FAILED, []):
            self.reasons.setdefault(name, "failed")

    def of(self, outcome):
        return self.hosts.get(outcome, [])


def control(client, subsystem, action, names, wait_timeout):
    """The Outcomes of ``action`` of ``subsystem`` on the nodes ``names``: at once, or, when
    the server answers with a background request, once it is done (at most ``wait_timeout``
    seconds later, else a CairnError)."""
    body = {"control": {subsystem: {action: {"hostlist": ",".join(names)}}}}
    answer = client.post(f"/control/action/{subsystem}/_{action}", body)["control"]
    if "request_id" in answer:
        answer = _waited(client, answer["request_id"], wait_timeout)
    return Outcomes(answer.get(subsystem, {}))


def _waited(client, request_id, wait_timeout):
    deadline = time.monotonic() + wait_timeout
    while True:
        state = client.get(f"/control/status/{request_id}")["control"]
        if state["status"] == "done":
            return state
        if state["status"] == "failed":
            raise CairnError(f"control request {request_id} failed: {state.get('message')}")
        if time.monotonic() >= deadline:
            raise CairnError(f"control request {request_id} is not done after {wait_timeout} s "
                             f"({state.get('progress', 0)}%); GET /control/status/{request_id} follows it")
        time.sleep(POLL_INTERVAL)
