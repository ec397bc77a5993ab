# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One IPMI 2.0 session with a BMC over the network (pyghmi's synchronous Command), and
the standard commands that read and change its users, channel access and LAN
configuration (IPMI 2.0 specification, sections 22 and 23).

Reads are raw commands, because pyghmi's helpers drop what a comparison needs (Get User
Access's enable status; the channel access bits, which pyghmi's reader takes from the
wrong positions). Writes go through pyghmi's helpers where it has them, which carry its
vendor adjustments (password padding, privilege names).
"""

from __future__ import annotations

import contextlib
import socket
import time
import traceback

try:
    from pyghmi import exceptions as pyghmi_exceptions
    from pyghmi.ipmi import command as ipmi_command
except ImportError:
    HAS_PYGHMI = False
    PYGHMI_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_PYGHMI = True
    PYGHMI_IMPORT_ERROR = None

IPMI_PORT = 623
APP, TRANSPORT = 0x06, 0x0c                  # network functions
SET_CHANNEL_ACCESS, GET_CHANNEL_ACCESS = 0x40, 0x41
GET_USER_ACCESS, GET_USER_NAME = 0x44, 0x46
GET_LAN_CONFIG = 0x02
PRIVILEGES = {0: "reserved", 1: "callback", 2: "user", 3: "operator", 4: "administrator", 5: "oem",
              15: "no_access"}
ACCESS_MODES = {0: "disabled", 1: "pre_boot", 2: "always", 3: "shared"}
IP_SOURCES = {0: "unspecified", 1: "static", 2: "dhcp", 3: "bios", 4: "other"}
#: Get User Access, byte 2 bits 7:6 (IPMI 2.0 errata 4): 0 means the BMC does not say.
USER_ENABLED = {1: True, 2: False}
#: Channel access kinds and their bits 7:6 in Get (read mode) and Set (update mode).
CHANNEL_ACCESS_KINDS = {"non_volatile": 1, "volatile": 2}
#: Bits of the channel access byte kept as they are: PEF alerting, per-message and
#: user-level authentication (each a "disable" bit).
CHANNEL_FLAGS = 0x38
#: LAN configuration parameters.
IP_ADDRESS, IP_SOURCE, NETMASK, GATEWAY = 3, 4, 6, 12
NO_ADDRESS = "0.0.0.0"
#: The access a user without access to a channel has (as Get User Access reads it).
NO_ACCESS = {"privilege": "no_access", "ipmi_msg": False, "link_auth": False, "callback": False}


class BmcError(Exception):
    """The BMC refused or did not answer; the message says what was being done."""


class LoginError(BmcError):
    """A login failed: ``answered`` is False when the BMC did not answer at all."""

    def __init__(self, message, answered):
        super().__init__(message)
        self.answered = answered


class Bmc:
    """A logged-in session with the BMC at ``address`` as ``username``."""

    def __init__(self, address, username, password, port=IPMI_PORT):
        self.address = address
        self.username = username
        started = time.monotonic()
        try:
            # As bytes: pyghmi files a login under the user name and password as given and,
            # when it fails, forgets it under their bytes; given as str, a failed login would
            # stay filed, and a later login with the same ones would get its broken session.
            self._ipmi = ipmi_command.Command(bmc=address, userid=username.encode(), password=password.encode(),
                                              port=port)
        except pyghmi_exceptions.IpmiException as refused:
            reason = str(refused) if refused.args and refused.args[0] else ""
            if not reason or "timeout" in reason.lower():
                raise LoginError(f"no answer from the BMC at {address} (UDP port {port}) after "
                                 f"{time.monotonic() - started:.1f} s", answered=False) from None
            raise LoginError(f"the BMC at {address} refused user {username}: {reason}", answered=True) from None
        except socket.gaierror as unknown:
            raise LoginError(f"cannot reach the BMC at {address}: {unknown}", answered=False) from None

    def logout(self):
        with contextlib.suppress(Exception):   # the session may be gone already; nothing to undo
            self._ipmi.ipmi_session.logout()

    @contextlib.contextmanager
    def step(self, what):
        """Turn pyghmi's errors in the block into a BmcError saying ``what`` failed."""
        try:
            yield
        except pyghmi_exceptions.IpmiException as refused:
            raise BmcError(f"{what}: {refused or 'no answer'}") from None
        except BmcError:
            raise
        except Exception as failed:   # pyghmi's helpers raise plain Exceptions for IPMI errors
            raise BmcError(f"{what}: {failed}") from None

    def _raw(self, netfn, command, data):
        return bytearray(self._ipmi.xraw_command(netfn=netfn, command=command, data=data)["data"])

    # -- reading

    def user_count(self, channel):
        """How many user ids the BMC has (Get User Access, maximum user ids)."""
        with self.step(f"reading the users of channel {channel}"):
            return self._raw(APP, GET_USER_ACCESS, (channel, 1))[0] & 0x3f

    def user(self, uid, channels):
        """{"name", "enabled" (None: the BMC does not say), "access": {channel: {"privilege",
        "ipmi_msg", "link_auth", "callback"}}} of user ``uid``."""
        with self.step(f"reading user {uid}"):
            name = bytes(self._raw(APP, GET_USER_NAME, (uid,))).rstrip(b"\0").decode("ascii", "replace")
            access, enabled = {}, None
            for channel in channels:
                answer = self._raw(APP, GET_USER_ACCESS, (channel, uid))
                enabled = USER_ENABLED.get(answer[1] >> 6)
                access[str(channel)] = {"privilege": PRIVILEGES.get(answer[3] & 0x0f, "reserved"),
                                        "ipmi_msg": bool(answer[3] & 0x10), "link_auth": bool(answer[3] & 0x20),
                                        "callback": bool(answer[3] & 0x40)}
        return {"name": name, "enabled": enabled, "access": access}

    def password_is(self, uid, password):
        """Whether user ``uid`` has ``password`` (Set User Password, operation test)."""
        with self.step(f"testing the password of user {uid}"):
            return self._ipmi.set_user_password(uid, mode="test_password", password=password)

    def channel_access(self, channel):
        """{"non_volatile": {"access_mode", "privilege_limit"}, "volatile": {...}} of ``channel``."""
        with self.step(f"reading the access of channel {channel}"):
            answers = {kind: self._raw(APP, GET_CHANNEL_ACCESS, (channel, bits << 6))
                       for kind, bits in CHANNEL_ACCESS_KINDS.items()}
        return {kind: {"access_mode": ACCESS_MODES[answer[0] & 0x03],
                       "privilege_limit": PRIVILEGES.get(answer[1] & 0x0f, "reserved")}
                for kind, answer in answers.items()}

    def lan(self, channel):
        """{"ip_source", "address", "netmask", "gateway"} of LAN channel ``channel``."""
        with self.step(f"reading the LAN configuration of channel {channel}"):
            source = self._lan_parameter(channel, IP_SOURCE)[0] & 0x0f
            return {"ip_source": IP_SOURCES.get(source, "other"),
                    "address": socket.inet_ntoa(self._lan_parameter(channel, IP_ADDRESS)),
                    "netmask": socket.inet_ntoa(self._lan_parameter(channel, NETMASK)),
                    "gateway": socket.inet_ntoa(self._lan_parameter(channel, GATEWAY))}

    def _lan_parameter(self, channel, parameter):
        answer = self._raw(TRANSPORT, GET_LAN_CONFIG, (channel, parameter, 0, 0))
        return bytes(answer[1:])   # after the parameter revision

    # -- changing

    def set_user_name(self, uid, name):
        with self.step(f"setting the name of user {uid}"):
            self._ipmi.set_user_name(uid, name)

    def set_user_password(self, uid, password):
        with self.step(f"setting the password of user {uid}"):
            self._ipmi.set_user_password(uid, mode="set_password", password=password)

    def enable_user(self, uid, enabled):
        with self.step(f"{'enabling' if enabled else 'disabling'} user {uid}"):
            self._ipmi.set_user_password(uid, mode="enable" if enabled else "disable")

    def set_user_access(self, uid, channel, access):
        with self.step(f"setting the access of user {uid} to channel {channel}"):
            self._ipmi.set_user_access(uid, channel=channel, callback=access["callback"],
                                       link_auth=access["link_auth"], ipmi_msg=access["ipmi_msg"],
                                       privilege_level=access["privilege"])

    def set_channel_access(self, channel, kind, access_mode, privilege_limit):
        """Set the access mode and privilege limit of ``channel`` (``kind``: volatile or
        non_volatile), keeping its alerting and authentication bits."""
        bits = CHANNEL_ACCESS_KINDS[kind]
        with self.step(f"setting the {kind.replace('_', '-')} access of channel {channel}"):
            flags = self._raw(APP, GET_CHANNEL_ACCESS, (channel, bits << 6))[0] & CHANNEL_FLAGS
            mode = next(number for number, name in ACCESS_MODES.items() if name == access_mode)
            privilege = next(number for number, name in PRIVILEGES.items() if name == privilege_limit)
            self._raw(APP, SET_CHANNEL_ACCESS, (channel, bits << 6 | flags | mode, bits << 6 | privilege))

    def set_lan(self, channel, ip_source=None, address=None, gateway=None):
        """Set some of the IP address source (static or dhcp), the address (CIDR:
        address and netmask) and the gateway of LAN channel ``channel``."""
        with self.step(f"setting the LAN configuration of channel {channel}"):
            self._ipmi.set_net_configuration(ipv4_configuration=ip_source, ipv4_address=address,
                                             ipv4_gateway=gateway, channel=channel)
