"""Redfish BMCs for tests: sushy-tools' emulator (`sushy-emulator`, its fake driver),
each BMC one emulator process on a loopback address of its own, HTTPS on port 443 with
a self-signed certificate and HTTP basic authentication, as real BMCs serve.

    with FakeRedfish([["node001", "node002"], ["whatever"]], "admin", "secret", tmp) as bmcs:
        bmcs.addresses               # ["127.X.1.1", "127.X.1.2"]: one BMC per list of systems
        bmcs.power("127.X.1.1", "node001")           # "Off" (the fake driver's start)
        bmcs.reset("127.X.1.1", "node001", "On")     # lands 1 to 11 s later
        bmcs.wait_power("127.X.1.1", "node001", "On")
        bmcs.system("127.X.1.2", "whatever")         # the system's resource (a dict)
        bmcs.refusing_address, bmcs.silent_address   # nothing listens / accepts, never answers
        bmcs.ca_file                 # the BMCs' certificate: what verifies them (bmc_redfish_ca)
        bmcs.managers("127.X.1.1")   # the managers' Ids (one per system, as the fake driver has)
        bmcs.network_protocol("127.X.1.1", manager_id)   # its ManagerNetworkProtocol resource
        bmcs.patch_network_protocol("127.X.1.1", manager_id, {"NTP": {...}})

The fake driver applies a power change 1 to 11 s after the request, on the next read
of the system: poll (wait_power). It keeps BootSourceOverrideEnabled "Continuous"
whatever it is told, has no LogServices, and offers the ResetTypes On, ForceOff,
GracefulShutdown, GracefulRestart, ForceRestart, Nmi and ForceOn (no PowerCycle).

sushy-tools has no ManagerNetworkProtocol resource: each emulator runs through this
file's own entry point (``python fakeredfish.py --config FILE``), which adds
/redfish/v1/Managers/<id>/NetworkProtocol to sushy-tools' Flask app, with GET and PATCH
as DMTF's ManagerNetworkProtocol schema says (NTP's ProtocolEnabled and NTPServers are
writable; an @odata.etag, checked against If-Match), and links it from the manager.
``network_protocol=False`` (or a list of booleans, one per BMC) leaves it out, as on a
BMC that does not offer it.

Every FakeRedfish reserves a block 127.X.0.0/16 of its own (the reservation: a TCP
socket bound to 127.X.0.0:443) so that tests running in parallel never meet; ``block``
takes the block of a tests/fakebmc.py FakeBmcs instead, so that the same addresses
speak IPMI (UDP 623) and Redfish (TCP 443), as real BMCs do. Port 443 needs root (or
CAP_NET_BIND_SERVICE).
"""

import datetime
import importlib.util
import ipaddress
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time

import requests

from fakebmc import reserve_block

PORT = 443
SILENT_THIRD_OCTET = 3
REFUSING_THIRD_OCTET = 2
_STARTUP = 60      # seconds: a bound for an emulator that does not come up, not a timing


def available():
    """Whether sushy-tools is installed (the test extra)."""
    return importlib.util.find_spec("sushy_tools") is not None


def certificate(directory, addresses):
    """A self-signed certificate for ``addresses``, written into ``directory``: (its
    file, its key's file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake-redfish-bmc")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=30))
                   .add_extension(x509.SubjectAlternativeName(
                       [x509.IPAddress(ipaddress.ip_address(a)) for a in addresses]), critical=False)
                   .sign(key, hashes.SHA256()))
    cert_file, key_file = os.path.join(directory, "bmc.crt"), os.path.join(directory, "bmc.key")
    with open(cert_file, "wb") as handle:
        handle.write(certificate.public_bytes(serialization.Encoding.PEM))
    with open(key_file, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return cert_file, key_file


class FakeRedfish:
    """Emulated Redfish BMCs: ``systems`` lists, per BMC, the names of its systems."""

    def __init__(self, systems, username, password, directory, network_protocol=True, block=None):
        import bcrypt

        if block is None:
            self.block, self._marker = reserve_block(socket.SOCK_STREAM, PORT)
        else:
            self.block, self._marker = block, socket.socket()
            self._marker.bind((f"127.{block}.0.0", PORT))
        if isinstance(network_protocol, bool):
            network_protocol = [network_protocol] * len(systems)
        self.addresses = [f"127.{self.block}.1.{index + 1}" for index in range(len(systems))]
        self.refusing_address = f"127.{self.block}.{REFUSING_THIRD_OCTET}.1"
        self.silent_address = f"127.{self.block}.{SILENT_THIRD_OCTET}.1"
        # Listens, never accepts: a connection is made (the kernel's backlog), nothing answers.
        self._silent = socket.socket()
        self._silent.bind((self.silent_address, PORT))
        self._silent.listen(64)
        self._processes = []
        cert_file, key_file = certificate(directory, self.addresses)
        self.ca_file = cert_file
        self.session = requests.Session()
        self.session.auth = (username, password)
        self.session.verify = cert_file
        self.session.trust_env = False     # else REQUESTS_CA_BUNDLE would win over verify
        auth_file = os.path.join(directory, "htpasswd")
        with open(auth_file, "w", encoding="utf-8") as handle:
            handle.write(f"{username}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()}\n")
        self._uuids = {}
        try:
            for address, names, offered in zip(self.addresses, systems, network_protocol):
                self._start(directory, address, names, cert_file, key_file, auth_file, offered)
            for address in self.addresses:
                self._wait_up(address)
        except BaseException:
            self.stop()
            raise

    def _start(self, directory, address, names, cert_file, key_file, auth_file, network_protocol):
        state_dir = os.path.join(directory, address)
        os.makedirs(state_dir)
        systems = []
        for index, name in enumerate(names):
            uuid = f"{random.getrandbits(32):08x}-0000-4000-8000-{index:012x}"
            self._uuids[(address, name)] = uuid
            systems.append({"uuid": uuid, "name": name, "power_state": "Off",
                            "nics": [{"mac": f"52:54:00:00:{index // 256:02x}:{index % 256:02x}"}]})
        config = os.path.join(state_dir, "emulator.conf")
        with open(config, "w", encoding="utf-8") as handle:
            handle.write("".join(f"{key} = {value!r}\n" for key, value in {
                "SUSHY_EMULATOR_LISTEN_IP": address, "SUSHY_EMULATOR_LISTEN_PORT": PORT,
                "SUSHY_EMULATOR_SSL_CERT": cert_file, "SUSHY_EMULATOR_SSL_KEY": key_file,
                "SUSHY_EMULATOR_AUTH_FILE": auth_file, "SUSHY_EMULATOR_STATE_DIR": state_dir,
                "SUSHY_EMULATOR_FAKE_DRIVER": True, "SUSHY_EMULATOR_FAKE_SYSTEMS": systems,
                NETWORK_PROTOCOL_SETTING: network_protocol}.items()))
        with open(os.path.join(state_dir, "emulator.log"), "wb") as log:
            self._processes.append(subprocess.Popen(
                [sys.executable, os.path.abspath(__file__), "--config", config],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT))

    def _wait_up(self, address):
        deadline = time.monotonic() + _STARTUP
        while True:
            try:
                self.session.get(f"https://{address}/redfish/v1/", timeout=2).raise_for_status()
                return
            except requests.RequestException:
                if time.monotonic() > deadline or any(p.poll() is not None for p in self._processes):
                    raise RuntimeError(f"fakeredfish: the emulator at {address} did not start")
                time.sleep(0.2)

    def uri(self, address, name):
        return f"https://{address}/redfish/v1/Systems/{self._uuids[(address, name)]}"

    def system(self, address, name):
        answer = self.session.get(self.uri(address, name), timeout=10)
        answer.raise_for_status()
        return answer.json()

    def managers(self, address):
        """The Ids of the BMC's managers, from /redfish/v1/Managers."""
        answer = self.session.get(f"https://{address}/redfish/v1/Managers", timeout=10)
        answer.raise_for_status()
        return [member["@odata.id"].rsplit("/", 1)[1] for member in answer.json()["Members"]]

    def network_protocol(self, address, manager):
        """The manager's ManagerNetworkProtocol resource (a dict), read over HTTPS."""
        answer = self.session.get(f"https://{address}/redfish/v1/Managers/{manager}/NetworkProtocol", timeout=10)
        answer.raise_for_status()
        return answer.json()

    def patch_network_protocol(self, address, manager, document):
        """PATCH the manager's ManagerNetworkProtocol resource (e.g. a BMC's earlier NTP)."""
        answer = self.session.patch(f"https://{address}/redfish/v1/Managers/{manager}/NetworkProtocol",
                                    json=document, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def power(self, address, name):
        return self.system(address, name)["PowerState"]

    def reset(self, address, name, reset_type):
        self.session.post(self.uri(address, name) + "/Actions/ComputerSystem.Reset",
                          json={"ResetType": reset_type}, timeout=10).raise_for_status()

    def wait_power(self, address, name, state, bound=60):
        """Poll until the system's power is ``state`` (the fake lands a change 1 to 11 s
        after it was asked for); ``bound`` is for a change that never lands."""
        deadline = time.monotonic() + bound
        while self.power(address, name) != state:
            if time.monotonic() > deadline:
                raise AssertionError(f"{name} at {address} did not reach {state}")
            time.sleep(0.25)

    def set_power(self, address, name, state):
        """Bring the system to ``state`` ("On" or "Off") and wait for it."""
        if self.power(address, name) != state:
            self.reset(address, name, "On" if state == "On" else "ForceOff")
            self.wait_power(address, name, state)

    def stop(self):
        for process in self._processes:
            process.terminate()
        for process in self._processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._processes = []
        self.session.close()
        self._silent.close()
        self._marker.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# -- the emulator's process: sushy-tools' app with a ManagerNetworkProtocol resource

#: The emulator's configuration setting that says whether its managers offer NetworkProtocol.
NETWORK_PROTOCOL_SETTING = "CAIRN_FAKE_NETWORK_PROTOCOL"
_NETWORK_PROTOCOL = "/redfish/v1/Managers/{}/NetworkProtocol"


class _Invalid(Exception):
    """A request the resource refuses: the HTTP status and a Redfish Base message."""

    def __init__(self, status, message_id, message):
        super().__init__(message)
        self.status, self.message_id, self.message = status, message_id, message


class _NetworkProtocols:
    """The managers' ManagerNetworkProtocol resources (DMTF schema v1_5_0), in memory:
    NTP starts disabled with no servers; a PATCH may change NTP's ProtocolEnabled and
    NTPServers (a null element removes the server at its place, {} keeps it); every
    change makes a new ETag."""

    def __init__(self):
        self._lock = threading.Lock()
        self._ntp = {}
        self._versions = {}

    def get(self, uuid):
        with self._lock:
            return self._resource(uuid)

    def patch(self, uuid, document, if_match):
        with self._lock:
            if if_match and if_match not in ("*", self._etag(uuid)):
                raise _Invalid(412, "Base.1.8.PreconditionFailed", "the ETag in If-Match is not the resource's")
            ntp = dict(self._state(uuid))
            if not isinstance(document, dict):
                raise _Invalid(400, "Base.1.8.MalformedJSON", "the request body is no JSON object")
            for key, value in document.items():
                if key != "NTP":
                    raise _Invalid(400, "Base.1.8.PropertyNotWritable", f"the property {key} is not writable")
                if not isinstance(value, dict):
                    raise _Invalid(400, "Base.1.8.PropertyValueTypeError", "NTP must be an object")
                for name, setting in value.items():
                    if name == "ProtocolEnabled" and isinstance(setting, bool):
                        ntp[name] = setting
                    elif name == "NTPServers" and isinstance(setting, list):
                        ntp[name] = self._servers(ntp[name], setting)
                    elif name in ("ProtocolEnabled", "NTPServers"):
                        raise _Invalid(400, "Base.1.8.PropertyValueTypeError",
                                       f"the value of NTP/{name} has the wrong type")
                    else:
                        raise _Invalid(400, "Base.1.8.PropertyNotWritable", f"the property NTP/{name} is not writable")
            self._ntp[uuid] = ntp
            self._versions[uuid] = self._versions.get(uuid, 0) + 1
            return self._resource(uuid)

    @staticmethod
    def _servers(current, patch):
        servers = []
        for index, element in enumerate(patch):
            if element == {}:
                servers.extend(current[index:index + 1])
            elif isinstance(element, str):
                servers.append(element)
            elif element is not None:
                raise _Invalid(400, "Base.1.8.PropertyValueTypeError", "NTP/NTPServers holds strings")
        return servers

    def _state(self, uuid):
        return self._ntp.setdefault(uuid, {"ProtocolEnabled": False, "NTPServers": []})

    def _etag(self, uuid):
        return f'W/"{self._versions.get(uuid, 0)}"'

    def _resource(self, uuid):
        ntp = self._state(uuid)
        return {"@odata.type": "#ManagerNetworkProtocol.v1_5_0.ManagerNetworkProtocol",
                "@odata.id": _NETWORK_PROTOCOL.format(uuid), "@odata.etag": self._etag(uuid),
                "Id": "NetworkProtocol", "Name": "Manager Network Protocol",
                "HTTPS": {"ProtocolEnabled": True, "Port": PORT},
                "IPMI": {"ProtocolEnabled": True, "Port": 623},
                "NTP": {"ProtocolEnabled": ntp["ProtocolEnabled"], "Port": 123,
                        "NTPServers": list(ntp["NTPServers"])}}


def _serve_emulator():
    """sushy-tools' emulator (its main(), which reads --config) with the managers'
    NetworkProtocol resource added, when the configuration offers it."""
    import flask
    from sushy_tools.emulator import main as emulator

    app, protocols = emulator.app, _NetworkProtocols()
    manager_view = app.view_functions["manager_resource"]

    def offered():
        return app.config.get(NETWORK_PROTOCOL_SETTING, True)

    def answer(resource, status=200):
        return flask.Response(json.dumps(resource), status=status, content_type="application/json",
                              headers={"ETag": resource["@odata.etag"]})

    def manager_with_link(identity):
        response = manager_view(identity)
        if flask.request.method != "GET" or response.status_code != 200 or not offered():
            return response
        manager = response.get_json()
        manager["NetworkProtocol"] = {"@odata.id": _NETWORK_PROTOCOL.format(manager["Id"])}
        return flask.Response(json.dumps(manager), status=200, content_type="application/json")

    def network_protocol(identity):
        if not offered():
            flask.abort(404)
        uuid = app.managers.get_manager(identity)["UUID"]      # unknown: sushy-tools' 404
        if flask.request.method == "GET":
            return answer(protocols.get(uuid))
        try:
            return answer(protocols.patch(uuid, flask.request.get_json(silent=True),
                                          flask.request.headers.get("If-Match")))
        except _Invalid as refused:
            error = {"error": {"code": "Base.1.8.GeneralError", "message": refused.message,
                               "@Message.ExtendedInfo": [{"MessageId": refused.message_id,
                                                          "Message": refused.message}]}}
            return flask.Response(json.dumps(error), status=refused.status, content_type="application/json")

    app.view_functions["manager_resource"] = manager_with_link
    app.add_url_rule(_NETWORK_PROTOCOL.format("<identity>"), "network_protocol", network_protocol,
                     methods=["GET", "PATCH"])
    return emulator.main()


if __name__ == "__main__":
    sys.exit(_serve_emulator())
