"""Crash safety: the server killed with SIGKILL amid a bulk creation of nodes loses no
acknowledged write and leaves no half-made one; ``cairn-server check`` agrees.

8 clients start creating 5,000 nodes (each POST /config/node/<name> one transaction)
in a group with two interfaces, so every node takes two addresses. Once some
1,500 creations are acknowledged the server process itself gets SIGKILL (no
wrapper between: the test's Popen is the server), with writes in flight. It then
starts again on the same database and the state is compared with what the
clients were told: every node answered 201 exists with its addresses; a node whose
answer never came exists whole or not at all; no address is held twice, none is
skipped; no row points at a missing one; ``cairn-server check`` reports clean. The
restarted server then creates the rest of the 5,000 at the next free addresses.
Assertions are about the state, never about timing (about 35 s on SQLite and 50 s on
PostgreSQL on a 2-core machine).
"""

import ipaddress
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
import requests
from sqlalchemy import func, select

from cairn.db.engine import make_engine, transaction
from cairn.db.schema import node, node_interface, switch
from conftest import BACKENDS, Server, cluster_network, make_group, other_database, require_postgresql

BULK, CLIENTS, KILL_AFTER = 5000, 8, 1500
GROUP = "crash"
INTERFACES = {"BOOTIF": "crash-boot", "BMC": "crash-bmc"}
CIDRS = {"crash-boot": "10.150.0.0/19", "crash-bmc": "10.150.32.0/19"}
NAMES = [f"crash{n:04d}" for n in range(BULK)]
CHECK = [sys.executable, "-m", "cairn.cli", "check"]


class Bulk:
    """Clients creating NAMES until the server goes away; what each was answered."""

    def __init__(self, server, names=NAMES):
        self.server = server
        self.acknowledged = []  # names answered 201: these must survive
        self.in_flight = []  # names whose answer never came: whole or absent
        self.refused = []  # any other answer: none is expected
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._client, args=(names[i::CLIENTS],))
                        for i in range(CLIENTS)]

    def _client(self, names):
        http = requests.Session()
        http.headers["x-access-tokens"] = self.server.token
        for name in names:
            try:
                answer = http.post(f"{self.server.url}/config/node/{name}", timeout=60,
                                   json={"config": {"node": {name: {"group": GROUP}}}})
            except requests.RequestException:
                with self.lock:
                    self.in_flight.append(name)
                return  # the server is gone: the next connection would be refused
            with self.lock:
                (self.acknowledged if answer.status_code == 201 else self.refused).append(
                    name if answer.status_code == 201 else (name, answer.status_code, answer.text))

    def start(self):
        for thread in self.threads:
            thread.start()

    def wait_for(self, count):
        """Until ``count`` creations are acknowledged (or every client stopped)."""
        while len(self.acknowledged) < count and any(t.is_alive() for t in self.threads):
            time.sleep(0.005)

    def join(self):
        for thread in self.threads:
            thread.join()


def _environment(pid):
    """The environment a running process was started with, to start it again alike."""
    with open(f"/proc/{pid}/environ", "rb") as source:
        pairs = [item.split(b"=", 1) for item in source.read().split(b"\0") if b"=" in item]
    return {key.decode(): value.decode() for key, value in pairs}


def _kill_and_restart(srv):
    """SIGKILL the server process, then start it again with the same command, database
    and data directory (the token key there keeps the client's token valid)."""
    env = _environment(srv.process.pid)
    os.kill(srv.process.pid, signal.SIGKILL)
    assert srv.process.wait() == -signal.SIGKILL
    srv.process = subprocess.Popen(srv.process.args, env=env, stdout=srv.log, stderr=subprocess.STDOUT)
    srv._wait()


@pytest.fixture(scope="module", params=BACKENDS)
def crashed(request, tmp_path_factory):
    """A server killed amid the bulk creation and started again, and the Bulk's record."""
    if request.param == "postgresql":
        require_postgresql()
    srv = Server(request.param, str(tmp_path_factory.mktemp(f"crash-{request.param}")))
    for name, cidr in CIDRS.items():
        cluster_network(srv, name, cidr)
    make_group(srv, GROUP, INTERFACES.items())
    bulk = Bulk(srv)
    bulk.start()
    bulk.wait_for(KILL_AFTER)
    _kill_and_restart(srv)
    bulk.join()
    yield srv, bulk
    srv.stop()


def _nodes(srv):
    answer = srv.get("/config/node")
    assert answer.status_code == 200, answer.text
    return answer.json()["config"]["node"]


def _held(nodes, network_name):
    """The addresses ``nodes`` (GET /config/node's records) hold in a network."""
    return [i["ipaddress"] for record in nodes.values() for i in record["interfaces"]
            if i["network"] == network_name]


def _first_hosts(cidr, count):
    """The first ``count`` addresses allocation hands out in CIDRS' networks (their
    gateway and name server sit at the far end)."""
    hosts = ipaddress.ip_network(cidr).hosts()
    return [str(next(hosts)) for dummy in range(count)]


def test_the_kill_came_while_writes_were_in_flight(crashed):
    _srv, bulk = crashed
    assert not bulk.refused, bulk.refused[:5]
    assert len(bulk.acknowledged) >= KILL_AFTER
    assert len(bulk.acknowledged) + len(bulk.in_flight) < BULK
    assert bulk.in_flight, "no client lost its answer: the kill came after the bulk"


def test_every_acknowledged_node_is_there_whole(crashed):
    srv, bulk = crashed
    nodes = _nodes(srv)
    missing = sorted(set(bulk.acknowledged) - set(nodes))
    assert not missing, f"{len(missing)} acknowledged nodes lost: {missing[:5]}"
    # Nothing but what was sent, and every node with all of its group's interfaces.
    assert set(nodes) <= set(bulk.acknowledged) | set(bulk.in_flight)
    for name, record in nodes.items():
        got = {i["interface"]: i["network"] for i in record["interfaces"] if i["ipaddress"]}
        assert got == INTERFACES, f"{name}: {record['interfaces']}"


def test_no_address_is_held_twice_or_skipped(crashed):
    srv, _bulk = crashed
    nodes = _nodes(srv)
    for network_name, cidr in CIDRS.items():
        held = _held(nodes, network_name)
        assert len(held) == len(set(held)), f"{network_name}: an address is held twice"
        assert sorted(held, key=ipaddress.ip_address) == _first_hosts(cidr, len(nodes)), \
            f"{network_name}: the addresses of the nodes are not the first free ones"
        answer = srv.get(f"/config/network/{network_name}/_list")
        assert answer.status_code == 200, answer.text
        listed = [t["ipaddress"] for t in answer.json()["config"]["network"][network_name]["taken"]
                  if t["device"] in nodes]
        assert sorted(listed) == sorted(held), f"{network_name}: _list differs from the nodes"


def test_the_database_holds_no_orphan_or_partial_rows(crashed):
    """Beside the check command: the rows of the bulk's tables, read directly."""
    srv, _bulk = crashed
    engine = make_engine(srv.db, pool_size=1)
    try:
        with transaction(engine, write=False) as conn:
            orphans = conn.execute(select(func.count()).select_from(node_interface).where(
                node_interface.c.node_id.not_in(select(node.c.id)))).scalar_one()
            per_node = (select(node.c.id, func.count(node_interface.c.id).label("n"))
                        .outerjoin(node_interface, node_interface.c.node_id == node.c.id)
                        .group_by(node.c.id).subquery())
            partial = conn.execute(select(func.count()).where(per_node.c.n != len(INTERFACES))).scalar_one()
            doubled = conn.execute(select(func.count()).select_from(
                select(node_interface.c.network_id, node_interface.c.ip_key)
                .group_by(node_interface.c.network_id, node_interface.c.ip_key)
                .having(func.count() > 1).subquery())).scalar_one()
    finally:
        engine.dispose()
    assert (orphans, partial, doubled) == (0, 0, 0)


def _check(db, data_dir):
    return subprocess.run([*CHECK, "--db", db, "--data-dir", data_dir], capture_output=True,
                          text=True, timeout=120, check=False)  # its exit code is asserted


def test_the_check_command_reports_clean(crashed):
    srv, _bulk = crashed
    result = _check(srv.db, srv.data_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout and "note" not in result.stdout, result.stdout
    assert "rules hold" in result.stdout, result.stdout


def test_the_restarted_server_finishes_the_bulk(crashed):
    """Runs last on the crashed server (tests run in file order): it adds nodes."""
    srv, _bulk = crashed
    present = _nodes(srv)
    missing = [name for name in NAMES if name not in present]
    expected = {}
    for interface, network_name in INTERFACES.items():
        answer = srv.get(f"/config/network/{network_name}/_nextfreeip")
        assert answer.status_code == 200, answer.text
        expected[interface] = answer.json()["config"]["network"][network_name]["nextip"]
    answer = srv.save("node", missing[0], {"group": GROUP})
    assert answer.status_code == 201, answer.text
    got = {i["interface"]: i["ipaddress"] for i in srv.record("node", missing[0])["interfaces"]}
    assert got == expected

    rest = Bulk(srv, missing[1:])
    rest.start()
    rest.join()
    assert not rest.refused and not rest.in_flight, (rest.refused[:5], rest.in_flight[:5])
    nodes = _nodes(srv)
    assert sorted(nodes) == NAMES
    for network_name, cidr in CIDRS.items():
        held = _held(nodes, network_name)
        assert sorted(held, key=ipaddress.ip_address) == _first_hosts(cidr, BULK), network_name
    result = _check(srv.db, srv.data_dir)
    assert result.returncode == 0, result.stdout + result.stderr


# -- the check finds what is broken -------------------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
def test_the_check_command_names_broken_rules(backend, tmp_path):
    """A switch given an address a node interface holds (no constraint spans the two
    tables) and, on SQLite with its foreign keys off, an interface of no node."""
    if backend == "postgresql":
        require_postgresql()
    srv = Server(backend, str(tmp_path),
                 pg_url=other_database("crashcheck") if backend == "postgresql" else None)
    try:
        cluster_network(srv, "broken", "10.151.0.0/24")
        make_group(srv, "broken", [("BOOTIF", "broken")])
        assert srv.save("node", "broken001", {"group": "broken"}).status_code == 201
    finally:
        srv.stop()
    db, data_dir = srv.db, srv.data_dir
    engine = make_engine(db, pool_size=1)
    try:
        with transaction(engine, write=True) as conn:
            held = conn.execute(select(node_interface.c.network_id, node_interface.c.ip_key)).one()
            conn.execute(switch.insert().values(name="thief", network_id=held.network_id,
                                                ip_key=held.ip_key))
    finally:
        engine.dispose()
    if backend == "sqlite":
        # sqlite3 as an admin might use it: foreign keys unchecked unless asked for.
        conn = sqlite3.connect(os.path.join(data_dir, "cairn.db"))
        with conn:  # commits
            conn.execute("INSERT INTO node_interface (node_id, interface, network_id, ip_key) "
                         "VALUES (?, ?, ?, ?)", (9999, "eth9", held.network_id, 200))
        conn.close()
    result = _check(db, data_dir)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL  an address is held once in its network: 1 row breaks it" in result.stdout, result.stdout
    if backend == "sqlite":
        assert "FAIL  node_interface.node_id points at an existing node: 1 row breaks it, " \
               "e.g. node_interface id=" in result.stdout, result.stdout
    assert "rules broken" in result.stdout


def test_the_check_command_refuses_a_database_it_cannot_check(tmp_path):
    missing = _check(f"sqlite:///{tmp_path / 'nowhere.db'}", str(tmp_path))
    assert missing.returncode == 1 and "there is no database at" in missing.stderr, missing.stderr
    assert not (tmp_path / "nowhere.db").exists()
    sqlite3.connect(tmp_path / "empty.db").close()
    empty = _check(f"sqlite:///{tmp_path / 'empty.db'}", str(tmp_path))
    assert empty.returncode == 1 and "run cairn-server migrate first" in empty.stderr, empty.stderr
