"""Fake BMCs for tests and benches: pyghmi's own BMC server, many of them in one process.

    from fakebmc import FakeBmcs

    with FakeBmcs(3, username="admin", password="secret") as bmcs:
        bmcs.addresses             # ["127.X.1.1", "127.X.1.2", "127.X.1.3"], each on UDP port 623
        bmcs.state(bmcs.addresses[0])
        # {"power": "off", "identify": False, "bootdev": "none", "persistent": False,
        #  "boots": 0, "logins": 0, "sel": []}
        bmcs.set_state(bmcs.addresses[0], power="on")
        bmcs.add_sel(bmcs.addresses[0], sensor_type=7, sensor=1, offset=0)
        bmcs.drop(bmcs.addresses[0], packets=2)   # it ignores the next 2 packets it receives
        bmcs.drop(bmcs.addresses[1], commands=[(0, 2)])   # and never answers chassis control
        bmcs.dead_addresses(5)     # 5 addresses in the same block where nothing answers
        bmcs.set_user(bmcs.addresses[0], 3, name="operator", password="pw", privilege="operator")
        bmcs.set_channel_access(bmcs.addresses[0], 1, access_mode="disabled")
        bmcs.set_lan(bmcs.addresses[0], ip_source="static", gateway="10.0.0.254")

Each FakeBmcs starts one child process hosting all its BMCs: pyghmi.ipmi.bmc.Bmc
subclasses whose power state, identify light, boot device (once or persistent) and
system event log really change when a client asks over IPMI 2.0 (RMCP+, cipher suite 3).
Power on, reset and cycle count as a boot ("boots") and consume a boot device that was
not set persistent, as a real BMC does. A wrong password fails the client at once (RAKP2
integrity check), and so does an unknown user name (RAKP2 status 0x0d, which pyghmi's
server would not send).

The BMC's settings are real too (BmcSettings): user slots 1 to 10 (name, password,
enabled, and per channel the privilege limit and flags), the channel access of LAN
channel 1 (volatile and non-volatile) and its LAN configuration (IP address source,
address, netmask, gateway), read and changed by the standard IPMI commands (Get/Set
User Name, Set User Password with its test operation, Get/Set User Access, Get/Set
Channel Access, Get/Set LAN Configuration Parameters) and shown by state(). Only enabled
users with a name and access to channel 1 can log in, with their current password. A
new LAN address is only recorded: the BMC keeps listening where it was started. The
fake does not enforce privilege limits.

Every FakeBmcs reserves a block 127.X.0.0/16 of its own (X chosen at random, the
reservation being the bind of 127.X.0.0:623), so that tests running in parallel never
meet each other's BMCs: live BMCs are 127.X.1.1 upwards, dead addresses 127.X.201.1
upwards. Binding port 623 needs root (or CAP_NET_BIND_SERVICE).

Why the child reads the sockets itself instead of running pyghmi's event loop: pyghmi
files a server session under (client address, BMC port). With many BMCs on port 623 in
one process, a client that talks to several of them from one UDP socket (pyghmi's client
shares a socket among up to 64 BMCs) would have its sessions mixed up; so this process
keeps each BMC's sessions apart, and reads its sockets with one epoll loop.
"""

import json
import os
import random
import selectors
import socket
import struct
import subprocess
import sys
import threading
import time
import traceback

PORT = 623
MAX_LIVE = 200 * 250
DEAD_THIRD_OCTET = 201

# IPMI numbers used below (IPMI 2.0 specification sections in parentheses).
OPEN_SESSION_REQUEST = 0x10      # RMCP+ payload types (13.27)
OPEN_SESSION_RESPONSE = 0x11
RAKP1, RAKP2, RAKP3 = 0x12, 0x13, 0x14
SHA1 = 1                          # RAKP-HMAC-SHA1 authentication algorithm (13.28)
NO_CIPHER_SUITE_MATCH = 0x11      # RMCP+ status code (13.24)
UNAUTHORIZED_NAME = 0x0d
CHASSIS, STORAGE = 0x00, 0x0a     # network functions
CHASSIS_IDENTIFY = 0x04
SET_BOOT_OPTIONS, GET_BOOT_OPTIONS = 0x08, 0x09
BOOT_FLAGS = 5                    # boot option parameter (28.13)
GET_SEL_INFO, RESERVE_SEL, GET_SEL_ENTRY, CLEAR_SEL = 0x40, 0x42, 0x43, 0x47   # (31)
APP, TRANSPORT = 0x06, 0x0c
SET_CHANNEL_ACCESS, GET_CHANNEL_ACCESS = 0x40, 0x41                          # (22.22, 22.23)
SET_USER_ACCESS, GET_USER_ACCESS, SET_USER_NAME, GET_USER_NAME = 0x43, 0x44, 0x45, 0x46  # (22.26-29)
SET_USER_PASSWORD = 0x47                                                     # (22.30)
SET_LAN_CONFIG, GET_LAN_CONFIG = 0x01, 0x02                                  # (23.1, 23.2)
NOT_IN_PRESENT_STATE = 0xd5       # completion codes
INVALID_DATA = 0xcc
INVALID_LENGTH = 0xc7
PARAMETER_NOT_SUPPORTED = 0x80    # LAN configuration; also "password test failed" (22.30)
READ_ONLY_PARAMETER = 0x82
SEL_END = 0xffff
# Boot device selector (bits 5:2 of boot flags data 2) <-> the names this fake reports.
BOOT_DEVICES = {0: "none", 1: "pxe", 2: "disk", 3: "safe", 5: "cdrom", 6: "bios", 15: "floppy"}
MAX_USERS = 10
LAN_CHANNEL = 1
CURRENT_CHANNEL = 0x0e
PRIVILEGES = {1: "callback", 2: "user", 3: "operator", 4: "administrator", 5: "oem", 15: "no_access"}
ACCESS_MODES = {0: "disabled", 1: "pre_boot", 2: "always", 3: "shared"}
IP_SOURCES = {0: "unspecified", 1: "static", 2: "dhcp", 3: "bios", 4: "other"}
# LAN configuration parameters (23.2) -> their name in BmcSettings.lan; 4 is the IP source.
LAN_ADDRESSES = {3: "address", 6: "netmask", 12: "gateway", 14: "backup_gateway"}
IP_SOURCE, MAC_ADDRESS, GATEWAY_MAC, BACKUP_GATEWAY_MAC, VLAN = 4, 5, 13, 15, 0x14


def live_address(block, index):
    return f"127.{block}.{1 + index // 250}.{1 + index % 250}"


def dead_address(block, index):
    return f"127.{block}.{DEAD_THIRD_OCTET + index // 250}.{1 + index % 250}"


# ------------------------------------------------------------ the BMC's settings (child side)

class BmcSettings:
    """The users, channel access and LAN configuration of one fake BMC, and the IPMI
    commands that read and change them. ``get(name)`` is the password a login with
    ``name`` must give (pyghmi's BMC server asks its authdata so), None when that user
    may not log in."""

    def __init__(self, address, username, password):
        self.users = {uid: _slot() for uid in range(1, MAX_USERS + 1)}
        self.users[2] = _slot(username, password, enabled=True, privilege=4)
        access = {"alerting_disabled": False, "per_message_auth_disabled": False,
                  "user_level_auth_disabled": False, "access_mode": 2, "privilege_limit": 4}
        self.channel_access = {"non_volatile": dict(access), "volatile": dict(access)}
        self.lan = {"ip_source": 2, "address": address, "netmask": "255.255.0.0", "gateway": "0.0.0.0",
                    "backup_gateway": "0.0.0.0"}
        self.mac = bytes([0x52, 0x54, 0, *socket.inet_aton(address)[1:]])

    def get(self, name):
        for user in self.users.values():
            if user["name"] == name and name and user["enabled"] and self._may_log_in(user):
                return user["password"]
        return None

    @staticmethod
    def _may_log_in(user):
        access = user["access"].get(LAN_CHANNEL)
        return access is not None and access["ipmi_msg"] and access["privilege"] != 15

    def command(self, netfn, command, data):
        """The answer ({"data": [...]} or {"code": N}) of a settings command, None for others."""
        handler = self._COMMANDS.get((netfn, command))
        if handler is None:
            return None
        try:
            return handler(self, bytes(data)) or {}
        except _Refused as refused:
            return {"code": refused.code}
        except (IndexError, ValueError, UnicodeDecodeError):
            return {"code": INVALID_LENGTH}

    # -- users (22.26 to 22.30)

    def _user(self, uid):
        if uid not in self.users:
            raise _Refused(INVALID_DATA)
        return self.users[uid]

    def _get_user_name(self, data):
        return {"data": list(self._user(data[0] & 0x3f)["name"].encode().ljust(16, b"\0"))}

    def _set_user_name(self, data):
        uid = data[0] & 0x3f
        user = self._user(uid)
        if uid == 1 or len(data) != 17:
            raise _Refused(INVALID_DATA if uid == 1 else INVALID_LENGTH)  # user 1's name is fixed
        user["name"] = data[1:].rstrip(b"\0").decode("ascii")

    def _set_user_password(self, data):
        user = self._user(data[0] & 0x3f)
        operation = data[1] & 0x03
        size = 20 if data[0] & 0x80 else 16
        if operation == 0:
            user["enabled"] = False
        elif operation == 1:
            user["enabled"] = True
        elif len(data) != 2 + size:
            raise _Refused(INVALID_LENGTH)
        elif operation == 2:
            user["password"] = data[2:].rstrip(b"\0").decode("ascii")
        elif data[2:].rstrip(b"\0").decode("ascii") != user["password"]:
            raise _Refused(PARAMETER_NOT_SUPPORTED)   # 80h: password test failed

    def _get_user_access(self, data):
        channel = _channel(data[0])
        user = self._user(data[1] & 0x3f)
        access = user["access"].get(channel, {"privilege": 15, "ipmi_msg": False, "link_auth": False,
                                              "callback": False})
        enabled = sum(1 for slot in self.users.values() if slot["enabled"])
        fixed = 1   # user 1
        flags = (access["callback"] << 6) | (access["link_auth"] << 5) | (access["ipmi_msg"] << 4)
        return {"data": [MAX_USERS, (0x40 if user["enabled"] else 0x80) | enabled, fixed,
                         flags | access["privilege"]]}

    def _set_user_access(self, data):
        channel = _channel(data[0])
        user = self._user(data[1] & 0x3f)
        privilege = data[2] & 0x0f
        if privilege not in PRIVILEGES:
            raise _Refused(INVALID_DATA)
        access = user["access"].setdefault(channel, {"privilege": 15, "ipmi_msg": False, "link_auth": False,
                                                     "callback": False})
        if data[0] & 0x80:   # change the flags too
            access.update(callback=bool(data[0] & 0x40), link_auth=bool(data[0] & 0x20),
                          ipmi_msg=bool(data[0] & 0x10))
        access["privilege"] = privilege

    # -- channel access (22.22, 22.23)

    def _get_channel_access(self, data):
        _channel(data[0])
        kind = {1: "non_volatile", 2: "volatile"}.get(data[1] >> 6)
        if kind is None:
            raise _Refused(INVALID_DATA)
        access = self.channel_access[kind]
        flags = (access["alerting_disabled"] << 5) | (access["per_message_auth_disabled"] << 4) \
            | (access["user_level_auth_disabled"] << 3) | access["access_mode"]
        return {"data": [flags, access["privilege_limit"]]}

    def _set_channel_access(self, data):
        _channel(data[0])
        if data[2] >> 6 and data[2] & 0x0f not in PRIVILEGES:
            raise _Refused(INVALID_DATA)
        for update, kind in ((1, "non_volatile"), (2, "volatile")):
            access = self.channel_access[kind]
            if data[1] >> 6 == update:
                access.update(alerting_disabled=bool(data[1] & 0x20),
                              per_message_auth_disabled=bool(data[1] & 0x10),
                              user_level_auth_disabled=bool(data[1] & 0x08), access_mode=data[1] & 0x07)
            if data[2] >> 6 == update:
                access["privilege_limit"] = data[2] & 0x0f

    # -- LAN configuration (23.1, 23.2)

    def _get_lan_config(self, data):
        _channel(data[0])
        if data[0] & 0x80:   # the parameter revision only
            return {"data": [0x11]}
        value = self._lan_parameter(data[1])
        if value is None:
            raise _Refused(PARAMETER_NOT_SUPPORTED)
        return {"data": [0x11, *value]}

    def _lan_parameter(self, parameter):
        if parameter in LAN_ADDRESSES:
            return socket.inet_aton(self.lan[LAN_ADDRESSES[parameter]])
        if parameter == IP_SOURCE:
            return bytes([self.lan["ip_source"]])
        if parameter == MAC_ADDRESS:
            return self.mac
        if parameter in (GATEWAY_MAC, BACKUP_GATEWAY_MAC):
            return bytes(6)
        if parameter == VLAN:
            return bytes(2)
        return None

    def _set_lan_config(self, data):
        _channel(data[0])
        parameter, value = data[1], data[2:]
        if parameter == 0:   # set in progress: nothing to commit here
            return
        if self._lan_parameter(parameter) is None:
            raise _Refused(PARAMETER_NOT_SUPPORTED)
        if parameter in LAN_ADDRESSES and len(value) == 4:
            self.lan[LAN_ADDRESSES[parameter]] = socket.inet_ntoa(value)
        elif parameter == IP_SOURCE and len(value) == 1 and value[0] in IP_SOURCES:
            self.lan["ip_source"] = value[0]
        elif parameter in LAN_ADDRESSES or parameter == IP_SOURCE:
            raise _Refused(INVALID_DATA)
        else:
            raise _Refused(READ_ONLY_PARAMETER)

    _COMMANDS = {(APP, GET_USER_NAME): _get_user_name, (APP, SET_USER_NAME): _set_user_name,
                 (APP, SET_USER_PASSWORD): _set_user_password, (APP, GET_USER_ACCESS): _get_user_access,
                 (APP, SET_USER_ACCESS): _set_user_access, (APP, GET_CHANNEL_ACCESS): _get_channel_access,
                 (APP, SET_CHANNEL_ACCESS): _set_channel_access, (TRANSPORT, GET_LAN_CONFIG): _get_lan_config,
                 (TRANSPORT, SET_LAN_CONFIG): _set_lan_config}

    # -- the test harness's side

    def state(self):
        users = {str(uid): {"name": user["name"], "password": user["password"], "enabled": user["enabled"],
                            "access": {str(channel): dict(access, privilege=PRIVILEGES[access["privilege"]])
                                       for channel, access in user["access"].items()}}
                 for uid, user in self.users.items() if user["name"] or user["enabled"] or user["access"]}
        channels = {kind: dict(access, access_mode=ACCESS_MODES[access["access_mode"]],
                               privilege_limit=PRIVILEGES[access["privilege_limit"]])
                    for kind, access in self.channel_access.items()}
        lan = dict(self.lan, ip_source=IP_SOURCES[self.lan["ip_source"]])
        return {"users": users, "channel_access": {str(LAN_CHANNEL): channels}, "lan": {str(LAN_CHANNEL): lan}}

    def set_user(self, uid, name=None, password=None, enabled=None, privilege=None):
        user = self._user(uid)
        for key, value in (("name", name), ("password", password), ("enabled", enabled)):
            if value is not None:
                user[key] = value
        if privilege is not None:
            user["access"][LAN_CHANNEL] = {"privilege": _number(PRIVILEGES, privilege), "ipmi_msg": True,
                                           "link_auth": True, "callback": False}

    def set_channel_access(self, access_mode=None, privilege_limit=None):
        for access in self.channel_access.values():
            if access_mode is not None:
                access["access_mode"] = _number(ACCESS_MODES, access_mode)
            if privilege_limit is not None:
                access["privilege_limit"] = _number(PRIVILEGES, privilege_limit)

    def set_lan(self, ip_source=None, lan_address=None, netmask=None, gateway=None):
        if ip_source is not None:
            self.lan["ip_source"] = _number(IP_SOURCES, ip_source)
        for key, value in (("address", lan_address), ("netmask", netmask), ("gateway", gateway)):
            if value is not None:
                self.lan[key] = value


class _Refused(Exception):
    """A settings command answered with a completion code."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def _slot(name="", password="", enabled=False, privilege=None):
    access = {} if privilege is None else {
        LAN_CHANNEL: {"privilege": privilege, "ipmi_msg": True, "link_auth": True, "callback": False}}
    return {"name": name, "password": password, "enabled": enabled, "access": access}


def _channel(byte):
    channel = byte & 0x0f
    if channel not in (LAN_CHANNEL, CURRENT_CHANNEL):
        raise _Refused(INVALID_DATA)
    return LAN_CHANNEL


def _number(names, name):
    return next(number for number, known in names.items() if known == name)


# ------------------------------------------------------------------- the fake BMC (child side)

def _fake_bmc_classes():
    """The pyghmi subclasses; built on first use, so that importing this module for
    FakeBmcs alone does not need pyghmi in the parent."""
    from pyghmi.ipmi import bmc
    from pyghmi.ipmi.private import constants
    from pyghmi.ipmi.private import serversession
    import pyghmi.ipmi.private.session as ipmisession

    # This process reads the BMCs' sockets itself (see the module's docstring): keep
    # IpmiServer.__init__ (which registers its socket with pyghmi) from starting the IO
    # thread that would otherwise read them too.
    ipmisession.iothread = "read by fakebmc.serve"
    ipmisession.iothreadready = True

    class FakeSession(serversession.ServerSession):
        def _got_rakp1(self, data):
            name = bytes(data[28:]).decode("utf-8", "replace")
            if self.authdata.get(name) is None:
                # A real BMC answers an unknown user at once; pyghmi's server stays silent.
                self.send_payload(bytearray([data[0], UNAUTHORIZED_NAME, 0, 0]) + self.clientsessionid,
                                  constants.payload_types["rakp2"], retry=False)
                return
            super()._got_rakp1(data)

    class FakeBmc(bmc.Bmc):
        def __init__(self, address, username, password):
            self.settings = BmcSettings(address, username, password)
            # pyghmi asks its authdata for the password of a login's user name.
            super().__init__(self.settings, port=PORT, address=address)
            self.address = address
            self.sessions = {}      # client address -> FakeSession
            self.drops = 0
            self.unanswered = set()  # (netfn, command) of the requests it does not answer
            self.logins = 0
            self.power = "off"
            self.identify = False
            self.bootdev = "none"
            self.persistent = False
            self.boots = 0
            self.sel = []           # 16-byte records (31.5)
            self.next_record = 1

        # -- the network side

        def receive(self, data, client):
            if self.drops:
                self.drops -= 1
                return
            session = self.sessions.get(client)
            if session is not None and _in_session(data):
                session._handle_ipmi_packet(data, sockaddr=client)  # pylint: disable=protected-access
            else:
                self.sessionless_data(data, client)

        def sessionless_data(self, data, sockaddr):
            if len(data) >= 48 and data[4] == 6 and data[5] & 0x3f == OPEN_SESSION_REQUEST:
                request = data[16:]
                if request[12] != SHA1:
                    # pyghmi's client proposes SHA-256 first and its server would answer
                    # with SHA-1 anyway: refuse, so that the client proposes SHA-1.
                    self._refuse_open_session(request, sockaddr)
                    return
                self.logins += 1
                self.sessions[sockaddr] = FakeSession(self.authdata, self.kg, sockaddr, self.serversocket,
                                                      request, self.uuid, bmc=self)
                return
            super().sessionless_data(data, sockaddr)

        def _refuse_open_session(self, request, sockaddr):
            payload = bytes([request[0], NO_CIPHER_SUITE_MATCH, 0, 0]) + bytes(request[4:8])
            header = bytes([6, 0, 0xff, 7, 6, OPEN_SESSION_RESPONSE]) + bytes(8)
            self.serversocket.sendto(header + struct.pack("<H", len(payload)) + payload, sockaddr)

        # -- power (pyghmi's Bmc calls these for chassis control)

        def get_power_state(self):
            return self.power

        def power_on(self):
            self._boot()

        def power_off(self):
            self.power = "off"

        def power_reset(self):
            self._boot()

        def power_cycle(self):
            if self.power == "off":
                return NOT_IN_PRESENT_STATE   # as the specification recommends (28.3)
            self._boot()
            return 0

        def _boot(self):
            self.power = "on"
            self.boots += 1
            if not self.persistent:
                self.bootdev = "none"

        def get_chassis_status(self, session):
            # byte 3: identify supported (bit 6), identify on indefinitely (bits 5:4 = 2)
            misc = 0x40 | (0x20 if self.identify else 0)
            session.send_ipmi_response(data=[1 if self.power == "on" else 0, 0, misc])

        # -- boot device, identify, SEL

        def get_system_boot_options(self, request, session):
            if request["data"][0] != BOOT_FLAGS:
                return session.send_ipmi_response(code=0x80)   # parameter not supported
            selector = next(k for k, name in BOOT_DEVICES.items() if name == self.bootdev)
            valid = 0 if self.bootdev == "none" else 0x80
            flags = valid | (0x40 if self.persistent else 0)
            return session.send_ipmi_response(data=[1, BOOT_FLAGS, flags, selector << 2, 0, 0, 0])

        def set_system_boot_options(self, request, session):
            data = request["data"]
            if data[0] == BOOT_FLAGS:
                selector = (data[2] >> 2) & 0x0f
                if selector not in BOOT_DEVICES:
                    return session.send_ipmi_response(code=INVALID_DATA)
                valid = data[1] & 0x80 and selector
                self.bootdev = BOOT_DEVICES[selector] if valid else "none"
                self.persistent = bool(valid and data[1] & 0x40)
            return session.send_ipmi_response()   # other parameters: accepted, ignored

        def handle_raw_request(self, request, session):
            netfn, command, data = request["netfn"], request["command"], request["data"]
            if (netfn, command) in self.unanswered:
                return None
            answer = self.settings.command(netfn, command, data)
            if answer is not None:
                return session.send_ipmi_response(**answer)
            if netfn == CHASSIS and command == CHASSIS_IDENTIFY:
                # data: an interval in seconds (0: off, none: 15), then "force on" (bit 0)
                interval = data[0] if data else 15
                self.identify = bool(interval or len(data) > 1 and data[1] & 1)
                return session.send_ipmi_response()
            if netfn == STORAGE and command in (GET_SEL_INFO, RESERVE_SEL, GET_SEL_ENTRY, CLEAR_SEL):
                return session.send_ipmi_response(**self._sel_command(command, data))
            return super().handle_raw_request(request, session)

        def _sel_command(self, command, data):
            if command == GET_SEL_INFO:
                return {"data": [0x51, *struct.pack("<HH", len(self.sel), 0xffff), *bytes(8), 0x02]}
            if command == RESERVE_SEL:
                return {"data": [1, 0]}
            if command == CLEAR_SEL:
                if bytes(data[2:5]) != b"CLR":
                    return {"code": INVALID_DATA}
                if data[5] == 0xaa:
                    self.sel = []
                return {"data": [1]}             # erasure completed
            wanted = struct.unpack("<H", bytes(data[2:4]))[0]
            ids = [struct.unpack("<H", record[:2])[0] for record in self.sel]
            if not ids:
                return {"code": 0xcb}            # requested record not present
            if wanted in (0, SEL_END):
                index = 0 if wanted == 0 else len(ids) - 1
            elif wanted in ids:
                index = ids.index(wanted)
            else:
                return {"code": 0xcb}
            following = ids[index + 1] if index + 1 < len(ids) else SEL_END
            return {"data": [*struct.pack("<H", following), *self.sel[index]]}

        # -- the test harness's side

        def add_sel(self, sensor_type, sensor, offset, asserted=True):
            record = struct.pack("<HBIHBBBBBBB", self.next_record, 0x02, int(time.time()), 0x0020, 0x04,
                                 sensor_type, sensor, (0 if asserted else 0x80) | 0x6f, offset, 0xff, 0xff)
            self.sel.append(record)
            self.next_record += 1

        def state(self):
            return {"power": self.power, "identify": self.identify, "bootdev": self.bootdev,
                    "persistent": self.persistent, "boots": self.boots, "logins": self.logins,
                    "sel": [_sel_entry(record) for record in self.sel], **self.settings.state()}

        def set_state(self, power=None, identify=None, bootdev=None, persistent=None):
            if power is not None:
                self.power = power
            if identify is not None:
                self.identify = identify
            if bootdev is not None:
                self.bootdev = bootdev
            if persistent is not None:
                self.persistent = persistent

    return FakeBmc


def _in_session(data):
    """Whether a client's packet belongs to an RMCP+ session (RAKP messages, or any
    IPMI 2.0 packet with a session id); the rest is sessionless (get channel
    authentication capabilities, open session requests)."""
    if len(data) < 10 or data[4] != 6:
        return False
    return data[5] & 0x3f in (RAKP1, RAKP3) or bytes(data[6:10]) != bytes(4)


def _sel_entry(record):
    record_id, _type, timestamp, _generator, _revision, sensor_type, sensor, direction, offset, _data2, _data3 = \
        struct.unpack("<HBIHBBBBBBB", record)
    return {"id": record_id, "timestamp": timestamp, "sensor_type": sensor_type, "sensor": sensor,
            "offset": offset & 0x0f, "asserted": not direction & 0x80}


def reserve_block(kind=socket.SOCK_DGRAM, port=PORT):
    """(X, the socket held open) for a free 127.X.0.0/16 block: binding 127.X.0.0:``port``
    (``kind``: UDP here, TCP for tests/fakeredfish.py) is the reservation."""
    for block in random.sample(range(16, 255), 239):
        marker = socket.socket(socket.AF_INET, kind)
        try:
            marker.bind((f"127.{block}.0.0", port))
        except OSError:
            marker.close()
            continue
        return block, marker
    raise RuntimeError("no free 127.X.0.0/16 block")


def serve():
    """The child process: reads its configuration, then control requests, as JSON lines on
    stdin, answers on stdout, and serves the BMCs until stdin closes or "stop"."""
    config = json.loads(sys.stdin.readline())
    fake_bmc = _fake_bmc_classes()
    block, _marker = reserve_block()
    bmcs = {}
    for index in range(config["count"]):
        address = live_address(block, index)
        bmcs[address] = fake_bmc(address, config["username"], config["password"])
    selector = selectors.DefaultSelector()
    for bmc in bmcs.values():
        selector.register(bmc.serversocket, selectors.EVENT_READ, bmc)
    selector.register(sys.stdin, selectors.EVENT_READ, None)
    _reply({"block": block, "addresses": list(bmcs)})
    while True:
        for key, _events in selector.select():
            if key.data is None:
                line = sys.stdin.readline()
                if not line or not _control(bmcs, json.loads(line)):
                    return
                continue
            while True:
                try:
                    # pyghmi sets its sockets blocking before each send: never block here
                    data, client = key.fileobj.recvfrom(4096, socket.MSG_DONTWAIT)
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:
                    break
                try:
                    key.data.receive(bytearray(data), client)
                except Exception:  # pylint: disable=broad-except  # a bad packet must not stop the others
                    traceback.print_exc()


def _control(bmcs, request):
    op = request.pop("op")
    if op == "stop":
        _reply({})
        return False
    bmc = bmcs.get(request.pop("address"))
    if bmc is None:
        _reply({"error": "no such BMC"})
    elif op == "state":
        _reply(bmc.state())
    elif op == "set":
        bmc.set_state(**request)
        _reply({})
    elif op == "add_sel":
        bmc.add_sel(**request)
        _reply({})
    elif op in ("set_user", "set_channel_access", "set_lan"):
        getattr(bmc.settings, op)(**request)
        _reply({})
    elif op == "drop":
        bmc.drops = request["packets"]
        bmc.unanswered = {tuple(pair) for pair in request["commands"]}
        _reply({})
    return True


def _reply(answer):
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


# ------------------------------------------------------------------ the harness (parent side)

class FakeBmcs:
    """``count`` live fake BMCs in a child process, all with the same user name and
    password, each on its own loopback address (``addresses``), UDP port ``port`` (623).

    Use it as a context manager, or call ``stop()``. The methods that read or change a
    BMC take its address; they are safe to call from several threads.
    """

    port = PORT

    def __init__(self, count, username="admin", password="fake-bmc-password"):
        if not 0 < count <= MAX_LIVE:
            raise ValueError(f"count must be 1..{MAX_LIVE}")
        self.username = username
        self.password = password
        self._lock = threading.Lock()
        self._process = subprocess.Popen([sys.executable, os.path.abspath(__file__)], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True)
        started = self._ask({"count": count, "username": username, "password": password})
        self.block = started["block"]
        self.addresses = started["addresses"]

    def state(self, address):
        """The BMC's actual state: power "on"/"off", identify (bool), bootdev ("none",
        "pxe", "disk", ...), persistent (bool), boots (power on/reset/cycle so far),
        logins (sessions opened so far), sel: its event records ({"id", "timestamp",
        "sensor_type", "sensor", "offset", "asserted"}); and its settings:
        users: {"2": {"name", "password", "enabled", "access": {"1": {"privilege",
        "ipmi_msg", "link_auth", "callback"}}}, ...} (the slots with a name, enabled or
        with access somewhere), channel_access: {"1": {"non_volatile": {...},
        "volatile": {...}}} ({"access_mode", "privilege_limit", "alerting_disabled",
        "per_message_auth_disabled", "user_level_auth_disabled"}) and lan: {"1":
        {"ip_source", "address", "netmask", "gateway", "backup_gateway"}}. A new BMC
        has user 2 (the FakeBmcs' user name and password, administrator on channel 1,
        enabled), channel access "always" and "administrator", and the LAN address it
        listens on, from DHCP, netmask 255.255.0.0, no gateway (0.0.0.0)."""
        return self._ask({"op": "state", "address": address})

    def set_state(self, address, power=None, identify=None, bootdev=None, persistent=None):
        """Set some of power ("on"/"off"), identify, bootdev and persistent directly."""
        self._ask({"op": "set", "address": address, "power": power, "identify": identify,
                   "bootdev": bootdev, "persistent": persistent})

    def add_sel(self, address, sensor_type=7, sensor=1, offset=0, asserted=True):
        """Append a system event record (sensor-specific event type; default: processor
        sensor 1, offset 0 = IERR)."""
        self._ask({"op": "add_sel", "address": address, "sensor_type": sensor_type, "sensor": sensor,
                   "offset": offset, "asserted": asserted})

    def drop(self, address, packets=0, commands=()):
        """Make the BMC ignore the next ``packets`` packets it receives (a lossy network),
        and from now on leave the requests ``commands`` ((netfn, command) pairs, e.g.
        (0, 2) chassis control) unanswered; drop(address) makes it answer everything."""
        self._ask({"op": "drop", "address": address, "packets": packets, "commands": list(commands)})

    def set_user(self, address, uid, name=None, password=None, enabled=None, privilege=None):
        """Set some of a user slot's name, password and enabled state; ``privilege``
        ("administrator", "operator", "user", "no_access", ...) gives it that privilege
        on channel 1, with IPMI messaging."""
        self._ask({"op": "set_user", "address": address, "uid": uid, "name": name, "password": password,
                   "enabled": enabled, "privilege": privilege})

    def set_channel_access(self, address, access_mode=None, privilege_limit=None):
        """Set channel 1's access mode ("disabled", "pre_boot", "always", "shared") and
        privilege limit, volatile and non-volatile."""
        self._ask({"op": "set_channel_access", "address": address, "access_mode": access_mode,
                   "privilege_limit": privilege_limit})

    def set_lan(self, address, ip_source=None, lan_address=None, netmask=None, gateway=None):
        """Set channel 1's IP address source ("static", "dhcp", ...), address, netmask
        and gateway (what the BMC reports; it keeps listening on ``address``)."""
        self._ask({"op": "set_lan", "address": address, "ip_source": ip_source, "lan_address": lan_address,
                   "netmask": netmask, "gateway": gateway})

    def dead_addresses(self, count):
        """``count`` addresses in this harness's own block where nothing answers."""
        return [dead_address(self.block, index) for index in range(count)]

    def stop(self):
        if self._process.poll() is None:
            try:
                self._ask({"op": "stop"})
                self._process.wait(timeout=10)
            except (OSError, RuntimeError, subprocess.TimeoutExpired):
                self._process.kill()
                self._process.wait()
        for pipe in (self._process.stdin, self._process.stdout):
            pipe.close()

    def _ask(self, request):
        with self._lock:
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
            line = self._process.stdout.readline()
        if not line:
            raise RuntimeError(f"fake BMC process exited with {self._process.wait()}")
        answer = json.loads(line)
        if "error" in answer:
            raise KeyError(answer["error"])
        return answer

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


if __name__ == "__main__":
    serve()
