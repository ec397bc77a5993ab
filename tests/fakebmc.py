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

Each FakeBmcs starts one child process hosting all its BMCs: pyghmi.ipmi.bmc.Bmc
subclasses whose power state, identify light, boot device (once or persistent) and
system event log really change when a client asks over IPMI 2.0 (RMCP+, cipher suite 3).
Power on, reset and cycle count as a boot ("boots") and consume a boot device that was
not set persistent, as a real BMC does. A wrong password fails the client at once (RAKP2
integrity check), and so does an unknown user name (RAKP2 status 0x0d, which pyghmi's
server would not send).

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
NOT_IN_PRESENT_STATE = 0xd5       # completion code
INVALID_DATA = 0xcc
SEL_END = 0xffff
# Boot device selector (bits 5:2 of boot flags data 2) <-> the names this fake reports.
BOOT_DEVICES = {0: "none", 1: "pxe", 2: "disk", 3: "safe", 5: "cdrom", 6: "bios", 15: "floppy"}


def live_address(block, index):
    return f"127.{block}.{1 + index // 250}.{1 + index % 250}"


def dead_address(block, index):
    return f"127.{block}.{DEAD_THIRD_OCTET + index // 250}.{1 + index % 250}"


# ------------------------------------------------------------------- the fake BMC (child side)

def _fake_bmc_classes():
    """The pyghmi subclasses; built on first use, so that importing this module for
    FakeBmcs alone does not need pyghmi in the parent."""
    from pyghmi.ipmi import bmc
    from pyghmi.ipmi.private import constants, serversession
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
            super().__init__({username: password}, port=PORT, address=address)
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
                    "sel": [_sel_entry(record) for record in self.sel]}

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
    record_id, dummy, timestamp, dummy, dummy, sensor_type, sensor, direction, offset, dummy, dummy = \
        struct.unpack("<HBIHBBBBBBB", record)
    return {"id": record_id, "timestamp": timestamp, "sensor_type": sensor_type, "sensor": sensor,
            "offset": offset & 0x0f, "asserted": not direction & 0x80}


def _reserve_block():
    """Bind 127.X.0.0:623 for a free X: the socket held open is the reservation."""
    for block in random.sample(range(16, 255), 239):
        marker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            marker.bind((f"127.{block}.0.0", PORT))
        except OSError:
            marker.close()
            continue
        return block, marker
    raise SystemExit("fakebmc: no free 127.X.0.0/16 block")


def serve():
    """The child process: reads its configuration, then control requests, as JSON lines on
    stdin, answers on stdout, and serves the BMCs until stdin closes or "stop"."""
    config = json.loads(sys.stdin.readline())
    fake_bmc = _fake_bmc_classes()
    block, _marker = _reserve_block()
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
        for key, dummy in selector.select():
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
        logins (sessions opened so far), and sel: its event records ({"id", "timestamp", "sensor_type", "sensor", "offset",
        "asserted"})."""
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
