# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Setting up one BMC from its node's Profile (module_utils/bmc_profile.py): log in,
read what is set, compare it with the profile, and change only what differs.

The settings, as read and as they become (the module's diff)::

    {"users": {"2": {"name": "root", "password": "********", "enabled": true,
                     "access": {"1": {"privilege": "administrator", "ipmi_msg": true,
                                      "link_auth": true, "callback": false}}}, ...},
     "channel_access": {"1": {"non_volatile": {"access_mode": "always", "privilege_limit": "administrator"},
                              "volatile": {...}}},
     "lan": {"1": {"ip_source": "static", "address": "10.148.0.1", "netmask": "255.255.0.0",
                   "gateway": "10.148.255.254"}}}

A password cannot be read back: the profile's user shows ``********`` when it has the
profile's password (it logged in with it, or the BMC's password test says so), and
``(another password)`` when not. Other users are listed only when the profile does not
skip them (``unmanaged_bmc_users``), and then only those with a name or enabled.

The order of the changes matters on a real BMC: the profile's user first; then, when
the login took the factory credentials, a new login as that user (which proves the
setup and leaves the factory user free to be disabled or deleted); then the other
users, the channel access, and the LAN configuration last, as a new address moves the
BMC away from the session.
"""

from __future__ import annotations

import copy

from ansible_collections.cairn.cluster.plugins.module_utils.bmc_ipmi import NO_ACCESS, Bmc, BmcError, LoginError
from ansible_collections.cairn.cluster.plugins.module_utils.object import MASK

#: What the profile's user gets on the management and LAN channels (as the installer's
#: ``ipmitool channel setaccess CHANNEL USERID link=on ipmi=on callin=on privilege=4``).
USER_ACCESS = {"privilege": "administrator", "ipmi_msg": True, "link_auth": True, "callback": False}
#: What the LAN channel's access becomes, volatile and non-volatile (``ipmitool lan set
#: CHANNEL access on`` and ``privilege 4``).
CHANNEL_ACCESS = {"access_mode": "always", "privilege_limit": "administrator"}
#: What the diff shows for a password that is not the profile's.
OTHER_PASSWORD = "(another password)"
#: How the module says which credentials it logged in with.
LOGIN_PROFILE, LOGIN_GIVEN = "bmcsetup", "login_username"


class Step:
    """One change: ``what`` it does, and the Bmc method (with its arguments) that does it."""

    def __init__(self, what, method, *args, **kwargs):
        self.what = what
        self.method = method
        self.args = args
        self.kwargs = kwargs

    def apply(self, bmc):
        getattr(bmc, self.method)(*self.args, **self.kwargs)


class BmcSetup:
    """One run on one BMC. ``address``: where to reach it (by default the profile's own
    address); ``login``: (username, password) to try when the profile's are refused."""

    def __init__(self, profile, address=None, login=None):
        self.profile = profile
        self.address = address or profile.address
        #: Where the BMC is after the run: the profile's address once the LAN change moved it.
        self.address_after = self.address
        self.login = login
        #: LOGIN_PROFILE or LOGIN_GIVEN, once logged in.
        self.logged_in_with = None
        self.before = self.after = None
        #: The steps of the profile's user, then the others (see the module's docstring).
        self.user_steps, self.other_steps = [], []
        #: What was changed so far (when a step fails, what came before it).
        self.done = []
        #: The session (a new one after a login with the profile's user).
        self._bmc = None

    @property
    def changes(self):
        """What differs (and is changed, out of check mode), in the order it is done."""
        return [step.what for step in self.user_steps + self.other_steps]

    def run(self, check_mode):
        self._bmc = self._log_in()
        try:
            self.before = self._read(self._bmc)
            self._plan()
            if not check_mode:
                self._apply()
                if any(step.method == "set_lan" and "address" in step.kwargs for step in self.other_steps):
                    self.address_after = self.profile.address
        finally:
            self._bmc.logout()

    # -- logging in

    def _log_in(self):
        profile = self.profile
        try:
            bmc = Bmc(self.address, profile.username, profile.password)
        except LoginError as refused:
            if not refused.answered:
                raise
            if not self.login:
                raise BmcError(f"{refused}; for a BMC that still has other (factory) credentials, give "
                               "login_username and login_password") from None
            first = refused
        else:
            self.logged_in_with = LOGIN_PROFILE
            return bmc
        try:
            bmc = Bmc(self.address, *self.login)
        except LoginError as refused:
            raise BmcError(f"{first}; {refused}") from None
        self.logged_in_with = LOGIN_GIVEN
        return bmc

    # -- reading

    def _read(self, bmc):
        profile = self.profile
        if profile.unmanaged == "skip":
            uids = [profile.userid]
        else:
            uids = range(1, max(bmc.user_count(profile.netchannel), profile.userid) + 1)
        users = {}
        for uid in uids:
            user = bmc.user(uid, profile.channels)
            if uid == profile.userid:
                user["password"] = MASK if self._has_password(bmc, user) else OTHER_PASSWORD
            if uid == profile.userid or user["name"] or user["enabled"]:
                users[str(uid)] = user
        channel = str(profile.netchannel)
        return {"users": users, "channel_access": {channel: bmc.channel_access(profile.netchannel)},
                "lan": {channel: bmc.lan(profile.netchannel)}}

    def _has_password(self, bmc, user):
        profile = self.profile
        # Logged in as the profile's user, whose name this user id has: the password is right.
        if self.logged_in_with == LOGIN_PROFILE and user["name"] == profile.username:
            return True
        return bmc.password_is(profile.userid, profile.password)

    # -- comparing

    def _plan(self):
        self.after = copy.deepcopy(self.before)
        self._plan_user()
        self._plan_others()
        self._plan_channel_access()
        self._plan_lan()

    def _plan_user(self):
        profile, uid = self.profile, self.profile.userid
        current = self.before["users"][str(uid)]
        steps = self.user_steps
        if current["name"] != profile.username:
            steps.append(Step(f"user {uid}: name {profile.username}", "set_user_name", uid, profile.username))
        if current["password"] != MASK:
            steps.append(Step(f"user {uid}: password", "set_user_password", uid, profile.password))
        for channel in profile.channels:
            if current["access"][str(channel)] != USER_ACCESS:
                steps.append(Step(f"user {uid}: administrator on channel {channel}", "set_user_access", uid,
                                  channel, USER_ACCESS))
        if current["enabled"] is not True:
            steps.append(Step(f"user {uid}: enable", "enable_user", uid, True))
        self.after["users"][str(uid)] = {"name": profile.username, "password": MASK, "enabled": True,
                                         "access": {str(channel): dict(USER_ACCESS) for channel in profile.channels}}

    def _plan_others(self):
        unmanaged = self.profile.unmanaged
        others = {key: user for key, user in self.before["users"].items() if key != str(self.profile.userid)}
        for key, user in others.items():
            uid = int(key)
            if user["enabled"] is not False:
                self.other_steps.append(Step(f"user {uid}: disable", "enable_user", uid, False))
                self.after["users"][key]["enabled"] = False
            if unmanaged != "delete":
                continue
            for channel, access in user["access"].items():
                if access != NO_ACCESS:
                    self.other_steps.append(Step(f"user {uid}: no access to channel {channel}", "set_user_access",
                                                 uid, int(channel), NO_ACCESS))
            if user["name"]:
                self.other_steps.append(Step(f"user {uid}: clear the name {user['name']}", "set_user_name", uid, ""))
            del self.after["users"][key]

    def _plan_channel_access(self):
        channel = self.profile.netchannel
        for kind, access in self.before["channel_access"][str(channel)].items():
            if access != CHANNEL_ACCESS:
                self.other_steps.append(Step(f"channel {channel}: {kind.replace('_', '-')} access always, "
                                             "administrator", "set_channel_access", channel, kind,
                                             CHANNEL_ACCESS["access_mode"], CHANNEL_ACCESS["privilege_limit"]))
                self.after["channel_access"][str(channel)][kind] = dict(CHANNEL_ACCESS)

    def _plan_lan(self):
        profile, channel = self.profile, self.profile.netchannel
        current = self.before["lan"][str(channel)]
        wanted = {"ip_source": "static", "address": profile.address, "netmask": profile.netmask,
                  "gateway": profile.gateway or current["gateway"]}
        changes = {}
        if current["ip_source"] != wanted["ip_source"]:
            changes["ip_source"] = "static"
        if (current["address"], current["netmask"]) != (wanted["address"], wanted["netmask"]):
            changes["address"] = f"{profile.address}/{profile.prefix}"
        if current["gateway"] != wanted["gateway"]:
            changes["gateway"] = wanted["gateway"]
        if changes:
            shown = ", ".join(f"{key} {wanted[key]}" for key in wanted if key in changes or
                              key == "netmask" and "address" in changes)
            self.other_steps.append(Step(f"channel {channel}: LAN {shown}", "set_lan", channel, **changes))
            self.after["lan"][str(channel)] = wanted

    # -- changing

    def _apply(self):
        for step in self.user_steps:
            self._do(step)
        if self.logged_in_with == LOGIN_GIVEN:
            self._bmc.logout()
            profile = self.profile
            try:
                self._bmc = Bmc(self.address, profile.username, profile.password)
            except LoginError as refused:
                raise BmcError(f"after setting up user {profile.userid}, {refused}") from None
        for step in self.other_steps:
            self._do(step)

    def _do(self, step):
        step.apply(self._bmc)
        self.done.append(step.what)
