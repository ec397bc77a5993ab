"""Fixtures: the real server as a process on a loopback port, on SQLite and on PostgreSQL.

Each test module gets fresh servers (one per database engine) on empty
databases. PostgreSQL comes from CAIRN_TEST_PG_URL (``make test`` starts one
with scripts/postgres.sh); in CI (CI=true) its absence fails the tests.
"""

import ipaddress
import os
import socket
import subprocess
import sys
import time

import pytest
import requests
import sqlalchemy

ADMIN_PASSWORD = "test-admin-password"
PG_URL = os.environ.get("CAIRN_TEST_PG_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reset_postgresql(url):
    """An empty public schema, so each module starts from a new database."""
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


class Server:
    """A running cairn-server and an authenticated client for it."""

    def __init__(self, backend, tmpdir, extra_env=None):
        self.backend = backend
        self.data_dir = os.path.join(tmpdir, "data")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        if backend == "postgresql":
            reset_postgresql(PG_URL)
            self.db = PG_URL
        else:
            self.db = f"sqlite:///{os.path.join(self.data_dir, 'cairn.db')}"
        env = dict(os.environ, CAIRN_ADMIN_PASSWORD=ADMIN_PASSWORD, **(extra_env or {}))
        self.log = open(os.path.join(tmpdir, "server.log"), "w+")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cairn.cli", "serve", "--bind", f"127.0.0.1:{self.port}",
             "--data-dir", self.data_dir, "--db", self.db, "--threads", "24"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait()
        self.http = requests.Session()
        self.token = self.login("admin", ADMIN_PASSWORD)
        self.http.headers["x-access-tokens"] = self.token

    def _wait(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"cairn-server exited:\n{self.output()}")
            try:
                requests.get(self.url + "/version", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError(f"cairn-server did not answer:\n{self.output()}")

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def login(self, username, password):
        answer = requests.post(self.url + "/token", json={"username": username, "password": password})
        assert answer.status_code == 201, answer.text
        return answer.json()["token"]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()

    # -- requests -----------------------------------------------------------

    def get(self, path, **kwargs):
        return self.http.get(self.url + path, **kwargs)

    def post(self, path, body=None, **kwargs):
        if body is not None:
            kwargs["json"] = body
        return self.http.post(self.url + path, **kwargs)

    def save(self, kind, name, fields, path_suffix=""):
        """POST {"config": {kind: {name: fields}}} to /config/<kind>/<name><suffix>."""
        return self.post(f"/config/{kind}/{name}{path_suffix}", {"config": {kind: {name: fields}}})

    def record(self, kind, name):
        answer = self.get(f"/config/{kind}/{name}")
        assert answer.status_code == 200, answer.text
        return answer.json()["config"][kind][name]


BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory):
    if request.param == "postgresql" and not PG_URL:
        message = "CAIRN_TEST_PG_URL is not set: PostgreSQL is required (make test starts one)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    srv = Server(request.param, str(tmp_path_factory.mktemp(request.param)))
    yield srv
    srv.stop()


def cluster_network(srv, name="cluster", cidr="10.141.0.0/16", **extra):
    """Create a network like the spec's examples; extra fields override."""
    net = ipaddress.ip_network(cidr)
    hosts = net.num_addresses
    fields = {"network": cidr}
    if net.version == 4 and hosts >= 1024:
        base = net.network_address
        fields.update(gateway=str(base + hosts - 2), ns_ip=str(base + hosts - 2),
                      ns_hostname=f"controller.{name}")
    fields.update(extra)
    answer = srv.save("network", name, fields)
    assert answer.status_code in (201, 204), answer.text
    return answer
