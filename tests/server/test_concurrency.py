"""Many clients at once: address allocation stays first-free, unique and complete.

Each client thread has its own requests.Session (its own connections).
Assertions are about the state the server ends in, never about timing.
"""

import ipaddress
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from conftest import cluster_network, make_group


# -- helpers -----------------------------------------------------------------

def session(server):
    http = requests.Session()
    http.headers["x-access-tokens"] = server.token
    return http


def save_node(http, server, name, fields):
    return http.post(f"{server.url}/config/node/{name}",
                     json={"config": {"node": {name: fields}}})


def run_threads(count, work):
    """Run ``work(index, barrier)`` in ``count`` threads started together; their results."""
    barrier = threading.Barrier(count)
    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(work, i, barrier) for i in range(count)]
        return [f.result() for f in futures]


def first_free(cidr, count, gateway=None, ns_ip=None, dhcp=None):
    """The first ``count`` assignable addresses of a network, as the spec numbers them."""
    net = ipaddress.ip_network(cidr)
    reserved = {ipaddress.ip_address(ip) for ip in (gateway, ns_ip) if ip}
    low, high = (ipaddress.ip_address(ip) for ip in dhcp) if dhcp else (None, None)
    found = []
    for ip in net.hosts():
        if ip in reserved or (low is not None and low <= ip <= high):
            continue
        found.append(str(ip))
        if len(found) == count:
            return found
    raise AssertionError(f"{cidr} holds fewer than {count} addresses")


def nodes_of(server, group):
    answer = server.get("/config/node")
    assert answer.status_code == 200, answer.text
    return {name: rec for name, rec in answer.json()["config"]["node"].items()
            if rec["group"] == group}


def network_devices(server, network):
    """{ipaddress: device} of the node addresses in a network's _list."""
    answer = server.get(f"/config/network/{network}/_list")
    assert answer.status_code == 200, answer.text
    taken = answer.json()["config"]["network"][network]["taken"]
    ips = [t["ipaddress"] for t in taken]
    assert len(ips) == len(set(ips)), f"{network}: an address is listed twice"
    return {t["ipaddress"]: t["device"] for t in taken}


def assert_consistent(server, group, interfaces, reserved_devices):
    """Every node of ``group`` has exactly ``interfaces`` ({interface: network}); no
    address is held twice; each network's _list shows exactly the nodes' addresses.

    Returns {network: [addresses held by the group's nodes]}."""
    nodes = nodes_of(server, group)
    held = {network: [] for network in interfaces.values()}
    owners = {network: {} for network in interfaces.values()}
    for name, rec in nodes.items():
        got = {i["interface"]: i["network"] for i in rec["interfaces"]}
        assert got == interfaces, f"{name}: {rec['interfaces']}"
        for item in rec["interfaces"]:
            held[item["network"]].append(item["ipaddress"])
            owners[item["network"]][item["ipaddress"]] = name
    for network, ips in held.items():
        assert len(ips) == len(set(ips)), f"{network}: duplicate addresses"
        listed = network_devices(server, network)
        for device in reserved_devices:
            listed = {ip: d for ip, d in listed.items() if d != device}
        assert listed == owners[network], f"{network}: _list differs from the nodes"
    return nodes, held


# -- 2,000 nodes from 16 clients ---------------------------------------------------

def test_concurrent_creation_allocates_first_free_without_holes(server):
    total, threads = 2000, 16
    cluster_network(server, "cc-boot", "10.100.0.0/20")
    cluster_network(server, "cc-bmc", "10.100.16.0/20", dhcp=True,
                    dhcp_range_begin="10.100.16.100", dhcp_range_end="10.100.16.199")
    cluster_network(server, "cc-ib", "10.100.32.0/21")
    interfaces = {"BOOTIF": "cc-boot", "BMC": "cc-bmc", "ib0": "cc-ib"}
    make_group(server, "cc", interfaces.items())
    names = [f"cc{n:04d}" for n in range(total)]

    def work(index, barrier):
        http = session(server)
        barrier.wait()
        return [(name, save_node(http, server, name, {"group": "cc"}))
                for name in names[index::threads]]

    results = [item for part in run_threads(threads, work) for item in part]
    assert len(results) == total
    failures = [(name, a.status_code, a.text) for name, a in results if a.status_code != 201]
    assert not failures, failures[:5]

    nodes, held = assert_consistent(server, "cc", interfaces, ("controller", "gateway"))
    assert sorted(nodes) == names
    nets = {n: server.record("network", n) for n in interfaces.values()}
    for network, rec in nets.items():
        dhcp = (rec["dhcp_range_begin"], rec["dhcp_range_end"]) if rec["dhcp"] else None
        expected = first_free(rec["network"], total, rec["gateway"], rec["ns_ip"], dhcp)
        assert sorted(held[network], key=ipaddress.ip_address) == expected, network
        # Nothing was skipped: the next free address follows the last one handed out.
        nextip = server.get(f"/config/network/{network}/_nextfreeip").json()
        assert nextip["config"]["network"][network]["nextip"] == \
            first_free(rec["network"], total + 1, rec["gateway"], rec["ns_ip"], dhcp)[-1]
    answer = server.get("/config/group/cc/_list")
    assert sorted(answer.json()["config"]["group"]["cc"]["members"]) == names


# -- the same names from many clients at once ------------------------------------------------

def test_racing_creates_of_the_same_names_make_each_node_once(server):
    threads, count = 8, 50
    cluster_network(server, "race-a", "10.101.0.0/24")
    cluster_network(server, "race-b", "10.101.1.0/24")
    interfaces = {"BOOTIF": "race-a", "BMC": "race-b"}
    make_group(server, "race", interfaces.items())
    names = [f"race{n:02d}" for n in range(count)]

    def work(index, barrier):
        http = session(server)
        order = list(names)
        if index % 2:
            order.reverse()  # half the clients meet the others head-on
        barrier.wait()
        return [(name, save_node(http, server, name, {"group": "race"})) for name in order]

    results = [item for part in run_threads(threads, work) for item in part]
    assert len(results) == threads * count
    unexpected = [(name, a.status_code, a.text) for name, a in results if a.status_code not in (201, 204)]
    assert not unexpected, unexpected[:5]
    created = {}
    for name, answer in results:
        if answer.status_code == 201:
            created[name] = created.get(name, 0) + 1
    assert created == {name: 1 for name in names}

    nodes, held = assert_consistent(server, "race", interfaces, ())
    assert sorted(nodes) == names
    for network, ips in held.items():
        cidr = server.record("network", network)["network"]
        assert sorted(ips, key=ipaddress.ip_address) == first_free(cidr, count), network


# -- deletes and creates mixed --------------------------------------------------------------------

def test_mixed_deletes_and_creates_end_consistent(server):
    threads, before, created = 12, 300, 300
    cluster_network(server, "mix-a", "10.102.0.0/22")
    cluster_network(server, "mix-b", "10.102.4.0/22")
    cluster_network(server, "mix-c", "10.102.8.0/22")
    interfaces = {"BOOTIF": "mix-a", "BMC": "mix-b", "ib0": "mix-c"}
    make_group(server, "mix", interfaces.items())
    old = [f"mixold{n:03d}" for n in range(before)]
    new = [f"mixnew{n:03d}" for n in range(created)]

    def create_old(index, barrier):
        http = session(server)
        barrier.wait()
        return [save_node(http, server, name, {"group": "mix"}).status_code
                for name in old[index::threads]]

    assert all(code == 201 for part in run_threads(threads, create_old) for code in part)

    # Every other old node goes, while the new ones come; a few clients also
    # rename or clone the old nodes that stay.
    doomed = old[::2]
    kept = old[1::2]
    renamed = {name: name.replace("mixold", "mixren") for name in kept[:30]}
    cloned = {name: name.replace("mixold", "mixcln") for name in kept[30:60]}
    jobs = ([("delete", name) for name in doomed] + [("create", name) for name in new]
            + [("rename", name) for name in renamed] + [("clone", name) for name in cloned])
    random.Random(7).shuffle(jobs)

    def mixed(index, barrier):
        http = session(server)
        barrier.wait()
        answers = []
        for job, name in jobs[index::threads]:
            if job == "delete":
                answer = http.get(f"{server.url}/config/node/{name}/_delete")
                answers.append((job, name, answer.status_code, 204, answer.text))
            elif job == "create":
                answer = save_node(http, server, name, {"group": "mix"})
                answers.append((job, name, answer.status_code, 201, answer.text))
            elif job == "rename":
                answer = save_node(http, server, name, {"newhostname": renamed[name]})
                answers.append((job, name, answer.status_code, 204, answer.text))
            else:
                answer = http.post(f"{server.url}/config/node/{name}/_clone", json={
                    "config": {"node": {name: {"newhostname": cloned[name]}}}})
                answers.append((job, name, answer.status_code, 201, answer.text))
        return answers

    answers = [item for part in run_threads(threads, mixed) for item in part]
    wrong = [a for a in answers if a[2] != a[3]]
    assert not wrong, wrong[:5]

    nodes, held = assert_consistent(server, "mix", interfaces, ("controller",))
    survivors = (set(kept) - set(renamed)) | set(renamed.values()) | set(cloned.values()) | set(new)
    assert set(nodes) == survivors
    for name in doomed:
        assert server.get(f"/config/node/{name}").status_code == 404
    for network, ips in held.items():
        assert len(ips) == len(survivors), network
    # Every surviving address lies in its network and outside the reserved ones.
    for network, ips in held.items():
        rec = server.record("network", network)
        allowed = set(first_free(rec["network"], 1000, rec["gateway"], rec["ns_ip"]))
        assert set(ips) <= allowed, network
    # The freed addresses are handed out again first.
    for network in interfaces.values():
        rec = server.record("network", network)
        expected = next(ip for ip in first_free(rec["network"], 1000, rec["gateway"], rec["ns_ip"])
                        if ip not in set(held[network]))
        nextip = server.get(f"/config/network/{network}/_nextfreeip").json()
        assert nextip["config"]["network"][network]["nextip"] == expected, network


# -- unique values claimed by many clients at once ---------------------------------------------------

def test_racing_creates_with_one_mac_address_make_one_node(server):
    threads = 8
    cluster_network(server, "macrace", "10.103.0.0/24")
    make_group(server, "macrace", [("BOOTIF", "macrace")])

    def work(index, barrier):
        http = session(server)
        barrier.wait()
        name = f"macrace{index}"
        return name, save_node(http, server, name, {"group": "macrace", "macaddr": "02:00:00:00:10:03"})

    results = run_threads(threads, work)
    winners = [name for name, a in results if a.status_code == 201]
    assert len(winners) == 1, [(n, a.status_code, a.text) for n, a in results]
    for name, answer in results:
        if name not in winners:
            assert answer.status_code == 400, answer.text
            assert answer.json()["field"] == "macaddr"
            assert server.get(f"/config/node/{name}").status_code == 404
    assert server.record("node", winners[0])["macaddr"] == "02:00:00:00:10:03"
    nodes, held = assert_consistent(server, "macrace", {"BOOTIF": "macrace"}, ())
    assert list(nodes) == winners
    assert held == {"macrace": ["10.103.0.1"]}


def test_racing_renames_onto_one_name_rename_one_node(server):
    threads = 8
    cluster_network(server, "renrace", "10.104.0.0/24")
    answer = server.save("group", "renrace", {"interfaces": [{"interface": "BOOTIF", "network": "renrace"}]})
    assert answer.status_code == 201, answer.text
    sources = [f"renrace{n}" for n in range(threads)]
    before = {}
    for name in sources:
        assert server.save("node", name, {"group": "renrace"}).status_code == 201
        before[name] = server.record("node", name)["interfaces"]

    def work(index, barrier):
        http = session(server)
        barrier.wait()
        return sources[index], save_node(http, server, sources[index], {"newhostname": "renrace-target"})

    results = run_threads(threads, work)
    winners = [name for name, a in results if a.status_code == 204]
    assert len(winners) == 1, [(n, a.status_code, a.text) for n, a in results]
    assert all(a.status_code == 409 for name, a in results if name not in winners)
    nodes, dummy = assert_consistent(server, "renrace", {"BOOTIF": "renrace"}, ())
    assert set(nodes) == (set(sources) - set(winners)) | {"renrace-target"}
    assert nodes["renrace-target"]["interfaces"] == before[winners[0]]
    for name in set(sources) - set(winners):
        assert nodes[name]["interfaces"] == before[name]
