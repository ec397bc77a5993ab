#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: bmc_setup
short_description: Set up a node's BMC over the network from its BMC setup profile
description:
  - Configures the BMC of O(node) over IPMI 2.0 (RMCP+) from the node's BMC setup (its group's C(bmcsetupname)) and
    its interface named C(BMC), as the installer does in-band with ipmitool, but from the controller and before
    the node is installed.
  - "It sets: the setup's user (C(userid)): its name (C(username)), password, administrator privilege with IPMI
    messaging and link authentication on the management and LAN channels (C(mgmtchannel), C(netchannel)), and
    enables it; the LAN channel's access (always available, administrator limit; volatile and non-volatile);
    the LAN channel's IP address source (static), address (the C(BMC) interface's), netmask (its network's) and
    gateway (its network's C(gateway); left alone when the network has none); and the other users, as the setup's
    C(unmanaged_bmc_users) says: V(skip) leaves them alone, V(disable) disables them, V(delete) disables them,
    takes their access to those channels and clears their names."
  - It reads the BMC's settings first and changes only what differs, so a second run changes nothing. A password
    cannot be read back; the module knows it is right when it logged in with it, or else asks the BMC to test it
    (Set User Password, operation test).
  - It logs in with the setup's user name and password first. When the BMC refuses them and O(login_username) is
    given, it logs in with O(login_username) and O(login_password) (a BMC at its factory credentials), sets up the
    setup's user, then logs in again as that user for the rest.
  - A BMC that does not answer fails the task after pyghmi's login timeout (about 5 seconds), with the reason.
  - "NTP is set over Redfish (HTTPS), as IPMI has no standard command for it: where O(redfish) says so, every
    manager in the BMC's C(/redfish/v1/Managers) whose C(NetworkProtocol) resource has C(NTP) gets C(NTP)
    enabled with the node's NTP server as its only server: the C(ntp_server) of the C(BMC) interface's network,
    else the cluster's. No NTP server known: NTP is left alone. A BMC whose managers lack it is reported
    (RV(ntp)), not a failure. It logs in with the setup's user name and password (HTTP basic authentication),
    after the IPMI setup, at the address the BMC has then."
  - Runs where the Cairn server's API is reachable and pyghmi is installed, normally the controller, whose
    server venv has pyghmi; use C(delegate_to) or a play on localhost (the C(cairn.cluster.bmc) role does so).
version_added: 0.1.0
author: Cairn developers (@cairn-hpc)
requirements:
  - pyghmi (the Cairn server's dependency) on the host the module runs on
extends_documentation_fragment:
  - cairn.cluster.api
attributes:
  check_mode:
    description: Logs in and reads the BMC's settings; predicts C(changed), RV(changes) and the diff; changes nothing.
    support: full
  diff_mode:
    description: The BMC's settings before and after; passwords show as C(********) (or C((another password))).
    support: full
options:
  node:
    description:
      - The node whose BMC to set up. The token needs the permission C(secrets.read) to read the BMC setup's
        password (the superadmin and C(role.fulladmin) have it).
    type: str
    required: true
  bmc_address:
    description:
      - The address to reach the BMC at, when it is not (yet) at the address of the node's C(BMC) interface, for
        example an address it took by DHCP. The module sets the interface's address; later runs need no
        O(bmc_address).
    type: str
  login_username:
    description:
      - The user to log in with when the BMC refuses the setup's user name and password, such as the factory
        user (C(ADMIN), C(root)).
    type: str
  login_password:
    description: The password of O(login_username).
    type: str
  redfish:
    description:
      - Whether to set the BMC's NTP over Redfish. V(auto) when the BMC setup's C(protocol) is V(redfish),
        V(always) for any BMC (one that speaks both IPMI and Redfish), V(never) not.
    type: str
    choices: [auto, always, never]
    default: auto
  redfish_ca:
    description:
      - A CA bundle (PEM file) to verify the BMC's HTTPS certificate against. Unset, the certificate is not
        verified, as BMCs mostly carry self-signed ones (the Cairn server's setting C(bmc_redfish_ca) is the
        same choice for C(/control)).
    type: path
"""

EXAMPLES = r"""
- name: Set up the BMC of node001 from its BMC setup
  cairn.cluster.bmc_setup:
    node: node001
  delegate_to: localhost

- name: Set up a new node's BMC, still at its factory user and a DHCP address
  cairn.cluster.bmc_setup:
    node: node002
    bmc_address: 10.148.200.17
    login_username: ADMIN
    login_password: "{{ vault_factory_bmc_password }}"
  delegate_to: localhost

- name: Show what would change on every node's BMC
  cairn.cluster.bmc_setup:
    node: "{{ inventory_hostname }}"
  delegate_to: localhost
  check_mode: true
  diff: true
"""

RETURN = r"""
changes:
  description:
    - What differed, and was changed (would be, in check mode), in the order it is done.
    - When the BMC fails the task on the way, what was changed before the failure.
  returned: success, and when the BMC fails the task
  type: list
  elements: str
  sample: ["user 2: name root", "user 2: password", "user 2: enable", "channel 1: LAN ip_source static",
           "manager 1: NTP server 10.141.255.254"]
settings:
  description:
    - The BMC's settings after the run (predicted, in check mode), the C(after) of the diff. C(users) lists the
      setup's user, and the other users with a name or enabled unless the setup skips them; C(channel_access)
      and C(lan) are those of the LAN channel; C(ntp), when NTP is set over Redfish, the NTP settings of each
      manager that has them, by its C(Id).
  returned: success
  type: dict
  sample:
    users:
      "2": {name: root, password: "********", enabled: true,
            access: {"1": {privilege: administrator, ipmi_msg: true, link_auth: true, callback: false}}}
    channel_access:
      "1": {non_volatile: {access_mode: always, privilege_limit: administrator},
            volatile: {access_mode: always, privilege_limit: administrator}}
    lan:
      "1": {ip_source: static, address: 10.148.0.1, netmask: 255.255.0.0, gateway: 10.148.255.254}
    ntp:
      "1": {ProtocolEnabled: true, NTPServers: [10.141.255.254]}
login:
  description: Whose credentials the module logged in with, V(bmcsetup) (the setup's user) or V(login_username).
  returned: success
  type: str
  sample: bmcsetup
ntp:
  description:
    - V(set) (the BMC's managers have the node's NTP server, now or in check mode predicted), V(not offered) (no
      manager of the BMC has a C(NetworkProtocol) resource with C(NTP)), V(no server) (Cairn knows no NTP server
      for the node), V(not redfish) (O(redfish) does not apply to this BMC).
  returned: success
  type: str
  sample: set
bmc_address:
  description: The address the module reached the BMC at.
  returned: success
  type: str
  sample: 10.148.0.1
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.cairn.cluster.plugins.module_utils.api import API_ARGUMENT_SPEC, CairnClient, CairnError
from ansible_collections.cairn.cluster.plugins.module_utils.bmc_ipmi import HAS_PYGHMI, PYGHMI_IMPORT_ERROR, BmcError
from ansible_collections.cairn.cluster.plugins.module_utils.bmc_profile import read_profile
from ansible_collections.cairn.cluster.plugins.module_utils.bmc_redfish import NtpSetup, Redfish
from ansible_collections.cairn.cluster.plugins.module_utils.bmc_setup import BmcSetup
from ansible_collections.cairn.cluster.plugins.module_utils.object import fail


def main():
    module = AnsibleModule(argument_spec=dict(API_ARGUMENT_SPEC,
                                              node=dict(type="str", required=True),
                                              bmc_address=dict(type="str"),
                                              login_username=dict(type="str"),
                                              login_password=dict(type="str", no_log=True),
                                              redfish=dict(type="str", choices=["auto", "always", "never"],
                                                           default="auto"),
                                              redfish_ca=dict(type="path")),
                           required_together=[("login_username", "login_password")],
                           supports_check_mode=True)
    if not HAS_PYGHMI:
        module.fail_json(msg=missing_required_lib("pyghmi"), exception=PYGHMI_IMPORT_ERROR)
    params = module.params
    try:
        profile = read_profile(CairnClient.from_params(params), params["node"])
    except CairnError as refused:
        fail(module, refused)
    login = (params["login_username"], params["login_password"]) if params["login_username"] else None
    setup = BmcSetup(profile, params["bmc_address"], login)
    ntp = None
    try:
        setup.run(module.check_mode)
        ntp_state = ntp_skipped(params, profile)
        if not ntp_state:
            ntp = NtpSetup(Redfish(setup.address_after, profile.username, profile.password, params["redfish_ca"]),
                           profile.ntp_server)
            ntp.run(module.check_mode)
            ntp_state = ntp.state
    except BmcError as failed:
        done = setup.done + (ntp.done if ntp else [])
        module.fail_json(msg=f"BMC of node {profile.node}: {failed}", changed=bool(done), changes=done,
                         bmc_address=setup.address)
    before, after, changes = setup.before, setup.after, setup.changes
    if ntp and ntp.before:
        before, after, changes = dict(before, ntp=ntp.before), dict(after, ntp=ntp.after), changes + ntp.changes
    result = dict(changed=bool(changes), changes=changes, settings=after, login=setup.logged_in_with,
                  bmc_address=setup.address, ntp=ntp_state)
    if module._diff:
        result["diff"] = {"before": before, "after": after}
    module.exit_json(**result)


def ntp_skipped(params, profile):
    """Why NTP is not set over Redfish for ``profile``'s BMC (the result's ntp), or None."""
    if params["redfish"] == "never" or params["redfish"] == "auto" and profile.protocol != "redfish":
        return "not redfish"
    if not profile.ntp_server:
        return "no server"
    return None


if __name__ == "__main__":
    main()
