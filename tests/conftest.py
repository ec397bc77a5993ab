"""Fixtures: the real server as a process on a loopback port, on SQLite and on PostgreSQL.

Each test module gets fresh servers (one per database engine) on empty
databases. PostgreSQL comes from CAIRN_TEST_PG_URL (``make test`` starts one
with scripts/postgres.sh); in CI (CI=true) its absence fails the tests.
"""

import contextlib
import ipaddress
import os
import socket
import subprocess
import sys
import time

import pytest
import requests
import sqlalchemy

from cairn.auth import Principal
from cairn.config import Settings
from cairn.db import cluster as db_cluster
from cairn.db.engine import make_engine, transaction
from cairn.db.migrate import upgrade
from cairn.service.tx import Context

ADMIN_PASSWORD = "test-admin-password"
PG_URL = os.environ.get("CAIRN_TEST_PG_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require_postgresql():
    """CAIRN_TEST_PG_URL; when it is not set, skip the test (fail it in CI)."""
    if not PG_URL:
        message = "CAIRN_TEST_PG_URL is not set: PostgreSQL is required (make test starts one)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return PG_URL


def require_tool(name):
    """The path of a real component's program (kea-dhcp4, dhcpd, named-checkzone, ...);
    when it is missing, skip the test (fail it in CI: scripts/system-packages.sh
    installs them)."""
    from cairn.render.files import InvalidConfig, find_tool
    try:
        return find_tool(name)
    except InvalidConfig:
        message = f"{name} is not installed (scripts/system-packages.sh installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def reset_postgresql(url):
    """An empty public schema, so each module starts from a new database."""
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def other_database(suffix):
    """The URL of another database in the test PostgreSQL, created when missing: for a
    second server beside the module's."""
    url = sqlalchemy.engine.make_url(require_postgresql())
    name = f"{url.database}_{suffix}"
    engine = sqlalchemy.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(sqlalchemy.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                              {"name": name}).first()
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')  # a test's constant name
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@contextlib.contextmanager
def service_context(backend, tmp_path):
    """A superadmin's service Context on a fresh migrated database ("sqlite" or
    "postgresql", see fresh_engine) that has its cluster, for in-process tests."""
    engine = fresh_engine(backend, tmp_path)
    try:
        upgrade(engine)
        with transaction(engine, write=True) as conn:
            db_cluster.ensure(conn, "cluster")
        yield Context(engine, Principal(kind="superadmin", uid="x", name="admin"),
                      Settings(secret_key="x"))
    finally:
        engine.dispose()


def fresh_engine(backend, tmp_path):
    """An engine on an empty database: "sqlite" in ``tmp_path``, or "postgresql" reset."""
    if backend == "postgresql":
        url = require_postgresql()
        reset_postgresql(url)
        return make_engine(url, pool_size=2)
    return make_engine(f"sqlite:///{tmp_path / 'cairn.db'}", pool_size=2)


#: Seconds any awaited state may take on a loaded machine.
AWAIT_DEADLINE = 60


def await_state(what, probe):
    """Poll ``probe()`` until it returns something true; that value. Tests assert
    states, never timings: the deadline only ends a wait that would never end."""
    deadline = time.monotonic() + AWAIT_DEADLINE
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def stop_process(process, timeout=10):
    """Stop a process the tests started: SIGTERM, and SIGKILL after ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Server:
    """A running cairn-server and an authenticated client for it."""

    def __init__(self, backend, tmpdir, extra_env=None, pg_url=None, host="127.0.0.1", wrapper=(),
                 reset=True):
        """``pg_url``: another PostgreSQL database than CAIRN_TEST_PG_URL's (see other_database);
        ``host``: the address to listen on and reach it at; ``wrapper``: a command the server
        runs under (e.g. ``ip netns exec NS``); ``reset``: empty the PostgreSQL database first
        (not for a second controller on the first one's database)."""
        self.backend = backend
        self.data_dir = os.path.join(tmpdir, "data")
        self.port = free_port()
        self.url = f"http://{host}:{self.port}"
        if backend == "postgresql":
            self.db = pg_url or PG_URL
            if reset:
                reset_postgresql(self.db)
        else:
            self.db = f"sqlite:///{os.path.join(self.data_dir, 'cairn.db')}"
        # No re-render after writes (render_delay 0) unless a test asks for it: every
        # write changes the DNS serial, and re-checking every zone of every test
        # server would slow the whole suite (test_services.py tests the re-render).
        # Nor a limit on failed logins: tests fail them on purpose, all from 127.0.0.1
        # (test_auth_abuse.py tests the limit with servers of its own).
        env = {**os.environ, "CAIRN_ADMIN_PASSWORD": ADMIN_PASSWORD, "CAIRN_RENDER_DELAY": "0",
               "CAIRN_LOGIN_FAILURES_ALLOWED": "0", **(extra_env or {})}
        self.log = open(os.path.join(tmpdir, "server.log"), "w+")
        self.process = subprocess.Popen(
            [*wrapper, sys.executable, "-m", "cairn.cli", "serve", "--bind", f"{host}:{self.port}",
             "--data-dir", self.data_dir, "--db", self.db, "--threads", "24"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self._wait()
            self.http = requests.Session()
            self.token = self.login("admin", ADMIN_PASSWORD)
        except BaseException:
            self.stop()  # no fixture will: a server (and its workers) must not outlive the test
            raise
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
        stop_process(self.process)
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
    if request.param == "postgresql":
        require_postgresql()
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


# -- helpers shared by the test modules ------------------------------------------

def assert_error(answer, status, field=None):
    """An error answer: the status, and JSON {"message": str[, "field": str]}."""
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert isinstance(body.get("message"), str) and body["message"]
    assert set(body) <= {"message", "field"}
    if field is not None:
        assert body.get("field") == field, body
    return body


def assert_bad(answer, field):
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body.get("field") == field, body
    assert field in body["message"]


def make_admin(server, name, roles, password="admin-password"):
    """An admin with ``roles``, written into the server's database (the admin API comes
    with tenancy); returns a token of theirs."""
    import uuid
    from cairn import auth
    from cairn.db import admins
    from cairn.db.engine import transaction
    engine = make_engine(server.db, pool_size=1)
    try:
        with transaction(engine, write=True) as conn:
            admins.create(conn, uid=uuid.uuid4().hex, name=name, roles=",".join(roles),
                          password_hash=auth.hash_password(password), superadmin=False)
    finally:
        engine.dispose()
    return server.login(name, password)


def make_group(server, name, interfaces=(), **fields):
    """Create a group whose interfaces are (interface, network) pairs."""
    if interfaces:
        fields["interfaces"] = [{"interface": i, "network": n} for i, n in interfaces]
    answer = server.save("group", name, fields)
    assert answer.status_code == 201, answer.text
    return answer


def make_node(server, name, group, **fields):
    answer = server.save("node", name, {"group": group, **fields})
    assert answer.status_code == 201, answer.text
    return answer


def addresses(server, node):
    """{interface: (network, ipaddress)} of a node, as GET shows it."""
    return {i["interface"]: (i["network"], i["ipaddress"])
            for i in server.record("node", node)["interfaces"]}


def taken(server, network):
    """{ipaddress: device} of a network's _list."""
    answer = server.get(f"/config/network/{network}/_list")
    assert answer.status_code == 200, answer.text
    return {t["ipaddress"]: t["device"] for t in answer.json()["config"]["network"][network]["taken"]}


def members(server, kind, name):
    """The nodes of GET /config/<kind>/<name>/_list."""
    answer = server.get(f"/config/{kind}/{name}/_list")
    assert answer.status_code == 200, answer.text
    return answer.json()["config"][kind][name]["members"]


def next_free(server, network):
    answer = server.get(f"/config/network/{network}/_nextfreeip")
    assert answer.status_code == 200, answer.text
    return answer.json()["config"]["network"][network]["nextip"]
