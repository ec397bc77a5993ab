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

The fake driver applies a power change 1 to 11 s after the request, on the next read
of the system: poll (wait_power). It keeps BootSourceOverrideEnabled "Continuous"
whatever it is told, has no LogServices, and offers the ResetTypes On, ForceOff,
GracefulShutdown, GracefulRestart, ForceRestart, Nmi and ForceOn (no PowerCycle).

Every FakeRedfish reserves a block 127.X.0.0/16 of its own (the reservation: a TCP
socket bound to 127.X.0.0:443) so that tests running in parallel never meet. Port 443
needs root (or CAP_NET_BIND_SERVICE).
"""

import datetime
import importlib.util
import ipaddress
import os
import random
import socket
import subprocess
import sys
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

    def __init__(self, systems, username, password, directory):
        import bcrypt

        self.block, self._marker = reserve_block(socket.SOCK_STREAM, PORT)
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
            for address, names in zip(self.addresses, systems):
                self._start(directory, address, names, cert_file, key_file, auth_file)
            for address in self.addresses:
                self._wait_up(address)
        except BaseException:
            self.stop()
            raise

    def _start(self, directory, address, names, cert_file, key_file, auth_file):
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
                "SUSHY_EMULATOR_FAKE_DRIVER": True, "SUSHY_EMULATOR_FAKE_SYSTEMS": systems}.items()))
        with open(os.path.join(state_dir, "emulator.log"), "wb") as log:
            self._processes.append(subprocess.Popen(
                [sys.executable, "-m", "sushy_tools.emulator.main", "--config", config],
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
