"""Two controllers on one PostgreSQL database: two `cairn-server serve` processes on
their own ports, with their own controller names, data and render directories, and
the same token and secrets keys (README, "Several controllers").

16 clients, 8 per server, create nodes in the same networks: every request
succeeds and no address is handed out twice, as both servers and the database
show. A change made through one server is answered by the other at once, and
each server renders its own DHCP and DNS files again after a change made
through the other (it notices it through the journal, docs/RENDERING.md).
Assertions are about states, never about timing: awaited states are polled
with a generous bound.
"""

import ipaddress
import json
import os
import re
import secrets
from concurrent.futures import ThreadPoolExecutor, wait

import pytest
import sqlalchemy

from cairn.service.subnet import from_key
from conftest import (Server, await_state, cluster_network, make_group, other_database, require_postgresql,
                      require_tool, reset_postgresql)
from test_concurrency import first_free, run_threads, session
import test_secrets

CLIENTS_PER_SERVER = 8
NODES_PER_CLIENT = 20
DELAY = 1  # render_delay of both servers, seconds
INTERFACES = {"BOOTIF": "tc-boot", "ib0": "tc-ib"}
CHECKERS = ("kea-dhcp4", "dhcpd", "named-checkzone", "named-checkconf")  # dhcp_daemon none checks both


def mac_of(number):
    return "02:00:00:%02x:%02x:%02x" % (number >> 16 & 0xFF, number >> 8 & 0xFF, number & 0xFF)


def start_controllers(scratch):
    """Servers A and B, started together on one fresh database, sharing their keys. Each
    start leaves the database alone that the other sets up (reset=False), and the two
    migrate and bootstrap it one after the other (server.prepare)."""
    url = other_database("two_controllers")
    reset_postgresql(url)
    shared = {"CAIRN_SECRET_KEY": secrets.token_urlsafe(48),
              "CAIRN_SECRETS_KEY_FILE": os.path.join(scratch, "secrets.key"),
              "CAIRN_RENDER_DELAY": str(DELAY), "CAIRN_DHCP_DAEMON": "none", "CAIRN_RNDC_COMMAND": ""}

    def start(name):
        directory = os.path.join(scratch, name)
        os.makedirs(directory)
        return Server("postgresql", directory, pg_url=url, reset=False, extra_env={
            **shared, "CAIRN_CONTROLLER_NAME": name, "CAIRN_RENDER_DIR": os.path.join(directory, "render")})

    with ThreadPoolExecutor(max_workers=2) as pool:
        starts = [pool.submit(start, name) for name in ("ctl-a", "ctl-b")]
        wait(starts)
    failures = [s.exception() for s in starts if s.exception()]
    if failures:
        for started in starts:
            if not started.exception():
                started.result().stop()
        raise failures[0]
    return [started.result() for started in starts]


@pytest.fixture(scope="module")
def controllers(tmp_path_factory):
    require_postgresql()
    for tool in CHECKERS:
        require_tool(tool)
    servers = start_controllers(str(tmp_path_factory.mktemp("two-controllers")))
    yield servers
    for srv in servers:
        srv.stop()


@pytest.fixture(scope="module")
def created(controllers):
    """The networks and group (made through A), then the nodes the 16 clients created:
    {name: macaddr}, and every answer as (server index, name, status, text)."""
    a = controllers[0]
    cluster_network(a, "tc-boot", "10.150.0.0/22", dhcp=True,
                    dhcp_range_begin="10.150.3.100", dhcp_range_end="10.150.3.199")
    cluster_network(a, "tc-ib", "10.150.4.0/22")
    make_group(a, "tc", INTERFACES.items())
    clients = 2 * CLIENTS_PER_SERVER
    names = [f"tc{n:04d}" for n in range(clients * NODES_PER_CLIENT)]
    macs = {name: mac_of(n) for n, name in enumerate(names)}

    def work(index, barrier):
        srv = controllers[index % 2]
        http = session(srv)
        barrier.wait()
        answers = []
        for name in names[index::clients]:
            answer = http.post(f"{srv.url}/config/node/{name}", json={
                "config": {"node": {name: {"group": "tc", "macaddr": macs[name]}}}})
            answers.append((index % 2, name, answer.status_code, answer.text))
        return answers

    answers = [item for part in run_threads(clients, work) for item in part]
    return macs, answers


# -- helpers ----------------------------------------------------------------------------

def group_nodes(srv):
    answer = srv.get("/config/node")
    assert answer.status_code == 200, answer.text
    return {name: rec for name, rec in answer.json()["config"]["node"].items() if rec["group"] == "tc"}


def network_list(srv, network):
    answer = srv.get(f"/config/network/{network}/_list")
    assert answer.status_code == 200, answer.text
    return answer.json()["config"]["network"][network]["taken"]


def database_addresses(url):
    """[(network, address, node)] of every node interface in the database."""
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sqlalchemy.text(
                "SELECT net.name, net.network, i.ip_key, n.name FROM node_interface i "
                "JOIN network net ON net.id = i.network_id JOIN node n ON n.id = i.node_id")).all()
    finally:
        engine.dispose()
    return [(network, str(ipaddress.ip_network(cidr).network_address + from_key(key)), node)
            for network, cidr, key, node in rows]


def rendered(srv):
    """What the files in a server's render directory say: {"kea": {mac: ip}, "dhcpd":
    {mac: ip}, "zone": {name: ip} of tc-boot's zone}; None while a file is missing."""
    render_dir = os.path.join(os.path.dirname(srv.data_dir), "render")
    try:
        with open(os.path.join(render_dir, "dhcp", "kea-dhcp4.json")) as handle:
            kea = json.load(handle)
        with open(os.path.join(render_dir, "dhcp", "dhcpd.conf")) as handle:
            dhcpd = handle.read()
        with open(os.path.join(render_dir, "dns", "tc-boot.zone")) as handle:
            zone = handle.read()
    except FileNotFoundError:
        return None
    return {
        "kea": {host["hw-address"]: host["ip-address"] for subnet in kea["Dhcp4"]["subnet4"]
                for host in subnet.get("reservations", [])},
        "dhcpd": dict(re.findall(r"hardware ethernet ([0-9a-f:]+);\s*fixed-address ([0-9.]+);", dhcpd)),
        "zone": dict(re.findall(r"^(\S+)\s+(?:\d+\s+)?(?:IN\s+)?A\s+(\S+)$", zone, re.MULTILINE)),
    }


def shows_node(files, name, mac, ip):
    """Whether ``rendered`` files reserve ``ip`` for ``mac`` in both DHCP files and name it
    ``name`` in the zone."""
    return files["kea"].get(mac) == ip and files["dhcpd"].get(mac) == ip and files["zone"].get(name) == ip


def boot_address(srv, name):
    return {i["interface"]: i["ipaddress"] for i in srv.record("node", name)["interfaces"]}["BOOTIF"]


def assert_services_fine(srv):
    for service in ("dhcp", "dns"):
        answer = srv.get(f"/monitor/service/{service}")
        assert answer.status_code == 200, answer.text
        assert answer.json()["monitor"]["service"][service] == "OK, rendered"


# -- 16 clients on two servers --------------------------------------------------------------

def test_every_creation_through_either_server_succeeds(created):
    macs, answers = created
    assert len(answers) == len(macs)
    failed = [answer for answer in answers if answer[2] != 201]
    assert not failed, f"{len(failed)} failed requests, e.g. {failed[:5]}"
    assert {server for server, *_rest in answers} == {0, 1}


def test_both_servers_show_the_same_nodes_with_unique_addresses(controllers, created):
    macs, _answers = created
    a, b = controllers
    nodes = group_nodes(a)
    assert nodes == group_nodes(b)
    assert sorted(nodes) == sorted(macs)
    held = {network: [] for network in INTERFACES.values()}
    for name, rec in nodes.items():
        assert rec["macaddr"] == macs[name]
        assert {i["interface"]: i["network"] for i in rec["interfaces"]} == INTERFACES, name
        for item in rec["interfaces"]:
            held[item["network"]].append(item["ipaddress"])
    for network, ips in held.items():
        assert len(ips) == len(set(ips)), f"{network}: duplicate addresses"
        # Allocation stays first-free across controllers: no address skipped.
        rec = a.record("network", network)
        dhcp = (rec["dhcp_range_begin"], rec["dhcp_range_end"]) if rec["dhcp"] else None
        assert sorted(ips, key=ipaddress.ip_address) == \
            first_free(rec["network"], len(macs), rec["gateway"], rec["ns_ip"], dhcp), network
        assert network_list(a, network) == network_list(b, network)


def test_the_database_holds_each_address_once(controllers, created):
    macs, _answers = created
    rows = [row for row in database_addresses(controllers[0].db) if row[2] in macs]
    assert len(rows) == len(macs) * len(INTERFACES)  # no node without its interfaces
    places = [(network, ip) for network, ip, _node in rows]
    assert len(places) == len(set(places)), "an address is held twice"
    shown = {(item["network"], item["ipaddress"], name)
             for name, rec in group_nodes(controllers[1]).items() for item in rec["interfaces"]}
    assert set(rows) == shown


def test_racing_creates_of_the_same_names_through_both_make_each_node_once(controllers, created):
    clients, names = 2 * CLIENTS_PER_SERVER, [f"tc-race{n:02d}" for n in range(20)]

    def work(index, barrier):
        srv = controllers[index % 2]
        http = session(srv)
        order = names[::-1] if index % 4 >= 2 else names  # clients of each server meet head-on
        barrier.wait()
        return [(name, http.post(f"{srv.url}/config/node/{name}", json={
            "config": {"node": {name: {"group": "tc"}}}})) for name in order]

    results = [item for part in run_threads(clients, work) for item in part]
    unexpected = [(name, a.status_code, a.text) for name, a in results if a.status_code not in (201, 204)]
    assert not unexpected, unexpected[:5]
    creations = sorted(name for name, a in results if a.status_code == 201)
    assert creations == names
    nodes = group_nodes(controllers[1])
    for network in INTERFACES.values():
        ips = [i["ipaddress"] for rec in nodes.values() for i in rec["interfaces"] if i["network"] == network]
        assert len(ips) == len(set(ips)) == len(nodes), network


def test_a_token_of_one_server_is_accepted_by_the_other(controllers):
    a, b = controllers
    for issuer, other in ((a, b), (b, a)):
        answer = other.http.get(other.url + "/config/network/tc-boot",
                                headers={"x-access-tokens": issuer.token})
        assert answer.status_code == 200, answer.text


def test_a_secret_one_server_encrypted_is_read_by_the_other(controllers, created):
    a, b = controllers
    answer = test_secrets.post_secrets(a, "node", "tc0000",
                                       [test_secrets.item("license", "written through A", "/etc/license")])
    assert answer.status_code == 201, answer.text
    assert test_secrets.secrets_of(b, "node", "tc0000") == {"license": {"content": "written through A", "path": "/etc/license"}}


def test_both_controllers_are_registered_in_one_cluster(controllers):
    shown = [srv.get("/config/cluster") for srv in controllers]
    assert [answer.status_code for answer in shown] == [200, 200], shown[0].text
    assert shown[0].json() == shown[1].json()
    cluster = shown[0].json()["config"]["cluster"]
    for srv, name in zip(controllers, ("ctl-a", "ctl-b")):
        assert cluster[name] == {"status": "active", "ipaddr": "127.0.0.1", "serverport": srv.port}


# -- a change through one server, answered by the other at once -----------------------------

def test_a_new_node_on_one_is_answered_by_the_other(controllers, created):
    a, b = controllers
    answer = a.save("node", "tc-new-a", {"group": "tc", "macaddr": "02:00:00:aa:00:01"})
    assert answer.status_code == 201, answer.text
    assert b.record("node", "tc-new-a") == a.record("node", "tc-new-a")
    assert b.get("/config/group/tc/_list").json()["config"]["group"]["tc"]["members"] == \
        a.get("/config/group/tc/_list").json()["config"]["group"]["tc"]["members"]


def test_an_update_on_one_is_answered_by_the_other(controllers, created):
    a, b = controllers
    answer = b.save("node", "tc0001", {"comment": "changed on B", "macaddr": "02:00:00:bb:00:01"})
    assert answer.status_code == 204, answer.text
    record = a.record("node", "tc0001")
    assert (record["comment"], record["macaddr"]) == ("changed on B", "02:00:00:bb:00:01")


def test_a_rename_on_one_is_answered_by_the_other(controllers, created):
    a, b = controllers
    before = a.record("node", "tc0002")
    answer = b.save("node", "tc0002", {"newhostname": "tc-renamed-b"})
    assert answer.status_code == 204, answer.text
    assert a.get("/config/node/tc0002").status_code == 404
    assert a.record("node", "tc-renamed-b")["interfaces"] == before["interfaces"]


def test_a_delete_on_one_is_answered_by_the_other(controllers, created):
    a, b = controllers
    ip = boot_address(b, "tc0003")
    answer = a.get("/config/node/tc0003/_delete")
    assert answer.status_code == 204, answer.text
    assert b.get("/config/node/tc0003").status_code == 404
    assert ip not in {item["ipaddress"] for item in network_list(b, "tc-boot")}


# -- each server renders again after the other's change -------------------------------------

def test_each_server_renders_the_nodes_created_through_both(controllers, created):
    expected = [(name, rec["macaddr"], {i["interface"]: i["ipaddress"] for i in rec["interfaces"]}["BOOTIF"])
                for name, rec in group_nodes(controllers[0]).items() if rec["macaddr"]]  # DHCP reserves these
    for srv in controllers:
        def all_rendered(srv=srv):
            files = rendered(srv)
            return files and all(shows_node(files, *node) for node in expected)
        await_state(f"{srv.url} renders every node", all_rendered)
        assert_services_fine(srv)


@pytest.mark.parametrize("writer", [0, 1], ids=["A-to-B", "B-to-A"])
def test_a_server_renders_again_after_a_change_on_the_other(controllers, created, writer):
    source, other = controllers[writer], controllers[1 - writer]
    name, mac = f"tc-render-{writer}", f"02:00:00:cc:00:0{writer}"
    answer = source.save("node", name, {"group": "tc", "macaddr": mac})
    assert answer.status_code == 201, answer.text
    ip = boot_address(other, name)
    await_state(f"{other.url} renders {name}", lambda: (files := rendered(other)) and shows_node(files, name, mac, ip))
    assert_services_fine(other)
    # And a change of an existing node: its reservation moves to the new MAC address.
    moved = "02:00:00:dd:00:0%d" % writer
    answer = source.save("node", name, {"macaddr": moved})
    assert answer.status_code == 204, answer.text
    await_state(f"{other.url} renders {name}'s new MAC address",
                lambda: (files := rendered(other)) and shows_node(files, name, moved, ip) and mac not in files["kea"])
