#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: power
short_description: Power nodes on, off, reset or cycle them, read their power state, or light their identify LED
description:
  - Carries out O(action) on every node of O(hostlist), through the server's control API
    (C(/control/action/power/...) and C(/control/action/chassis/...)). The server talks IPMI to each node's
    BMC, all of them at once, with its own timeout per BMC, so that BMCs that do not answer fail in seconds.
  - Every action but V(status) first reads the nodes' power state. V(on) and V(off) then act only on the
    nodes not in that state already, so a second run changes nothing. V(reset), V(cycle), V(identify) and
    V(noidentify) act on every node whose BMC answered. A node whose BMC did not answer is not asked again;
    it is reported failed with the reason.
  - The task fails when a node failed (its BMC did not answer, refused the login, or the node has no BMC
    address or BMC setup), naming each with its reason, unless O(allow_failures) is set.
  - A node of the hostlist that does not exist, or that the token may not see, fails the task before any
    BMC is asked.
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
extends_documentation_fragment:
  - cairn.cluster.api
attributes:
  check_mode:
    description: Reads the power state and predicts C(changed), RV(changed_hosts) and the diff; no BMC is changed.
    support: full
  diff_mode:
    description: For V(on) and V(off), the power state of the nodes that change, before and after.
    support: partial
options:
  hostlist:
    description:
      - The nodes, as a hostlist, such as C(node[001-064]) or C(gpu[01-04,08],login1).
    type: str
    required: true
  action:
    description:
      - V(on), V(off), V(reset) (a warm reset), V(cycle) (off, then on) or V(status) of the nodes' power;
        V(identify) and V(noidentify) turn their chassis identify LED on and off.
      - Quote V(on) and V(off) in YAML, where bare C(on) and C(off) are booleans.
    type: str
    required: true
    choices: ["on", "off", reset, cycle, status, identify, noidentify]
  allow_failures:
    description: Succeed even when some nodes failed; they are listed in RV(failed_hosts).
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait for a request the server runs in the background (it does for hostlists longer than
        its setting C(control_async_threshold)).
    type: int
    default: 600
"""

EXAMPLES = r"""
- name: Power-cycle a rack
  cairn.cluster.power:
    hostlist: node[001-040]
    action: cycle

- name: Power on the GPU nodes (those already on are left alone)
  cairn.cluster.power:
    hostlist: gpu[01-16]
    action: "on"

- name: Read the power state, whatever the BMCs answer
  cairn.cluster.power:
    hostlist: node[001-400]
    action: status
    allow_failures: true
  register: power

- name: Show the nodes that are off
  ansible.builtin.debug:
    msg: "{{ power.hosts.off | default([]) }}"
"""

RETURN = r"""
hosts:
  description:
    - The nodes by outcome, each list in hostlist order. C(on) and C(off) are power states (as read by
      V(status), or of the nodes V(on) and V(off) found already so); C(ok) holds the nodes the action was
      carried out on (would be, in check mode); C(failed) the nodes that failed.
  returned: always
  type: dict
  sample: {"ok": [node001, node002], "on": [node003], "failed": [node004]}
failed_hosts:
  description: Why each failed node failed.
  returned: always
  type: dict
  sample: {node004: timeout after 2.0 s}
changed_hosts:
  description: The nodes the task changed (would change, in check mode).
  returned: always
  type: list
  elements: str
  sample: [node001, node002]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cairn.cluster.plugins.module_utils.api import API_ARGUMENT_SPEC, CairnClient, CairnError
from ansible_collections.cairn.cluster.plugins.module_utils.control import FAILED, control
from ansible_collections.cairn.cluster.plugins.module_utils.hostlist import HostlistError, expand_hostlist
from ansible_collections.cairn.cluster.plugins.module_utils.object import fail

#: action -> the control API's subsystem that carries it out.
SUBSYSTEMS = {"on": "power", "off": "power", "reset": "power", "cycle": "power", "status": "power",
              "identify": "chassis", "noidentify": "chassis"}
#: The actions that set a power state: nodes in that state already are left alone.
STATES = ("on", "off")
#: How many failed nodes the failure message names.
SHOWN_FAILURES = 10


class PowerRun:
    """One run: read the power state, act where needed, sort the nodes by outcome."""

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.action = module.params["action"]
        self.wait_timeout = module.params["wait_timeout"]
        self.hosts = {}
        self.reasons = {}
        self.changed = []
        #: For on and off: the power state of the nodes that change, before and after.
        self.diff = None

    def run(self, names):
        status = self._control("power", "status", names)
        if self.action == "status":
            return
        answered = [name for name in names if name not in status.reasons]
        if self.action in STATES:
            todo = [name for name in answered if name not in status.of(self.action)]
            # The nodes in the asked state already stay listed under it.
            kept = (self.action, FAILED)
            self.diff = {"before": {name: _state_of(status, name) for name in todo},
                         "after": {name: self.action for name in todo}}
        else:
            todo = answered
            kept = (FAILED,)
        self.hosts = {outcome: members for outcome, members in self.hosts.items() if outcome in kept}
        if not todo:
            return
        if self.module.check_mode:
            self.hosts["ok"] = self.changed = todo
            return
        self.changed = self._control(SUBSYSTEMS[self.action], self.action, todo).of("ok")

    def _control(self, subsystem, action, names):
        outcomes = control(self.client, subsystem, action, names, self.wait_timeout)
        for outcome, members in outcomes.hosts.items():
            self.hosts.setdefault(outcome, []).extend(members)
        self.reasons.update(outcomes.reasons)
        return outcomes


def _state_of(status, name):
    return next(state for state in STATES if name in status.of(state))


def main():
    module = AnsibleModule(argument_spec=dict(API_ARGUMENT_SPEC,
                                              hostlist=dict(type="str", required=True),
                                              action=dict(type="str", required=True, choices=list(SUBSYSTEMS)),
                                              allow_failures=dict(type="bool", default=False),
                                              wait_timeout=dict(type="int", default=600)),
                           supports_check_mode=True)
    try:
        names = expand_hostlist(module.params["hostlist"])
    except HostlistError as bad:
        module.fail_json(msg=str(bad), field="hostlist")
    try:
        power = PowerRun(module, CairnClient.from_params(module.params))
        power.run(names)
    except CairnError as refused:
        fail(module, refused)
    result = dict(changed=bool(power.changed), changed_hosts=power.changed, hosts=power.hosts,
                  failed_hosts=power.reasons)
    if module._diff and power.diff is not None:
        result["diff"] = power.diff
    if power.reasons and not module.params["allow_failures"]:
        failed = power.hosts[FAILED]
        shown = ", ".join(f"{name} ({power.reasons[name]})" for name in failed[:SHOWN_FAILURES])
        more = ", ..." if len(failed) > SHOWN_FAILURES else ""
        module.fail_json(msg=f"{len(failed)} of {len(names)} nodes failed: {shown}{more}", **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
