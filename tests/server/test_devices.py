"""/config/switch and /config/otherdev over HTTP, and the addresses devices take.

A device's address is taken in a network as a node interface's is: nodes and
devices never share one, automatic numbering passes devices by, and a
network's _list, _nextfreeip and address status show them. Every test uses
its own names and its own networks: the server is shared by the module.
"""

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import (addresses, assert_bad, assert_error, cluster_network, make_admin, make_group,
                      make_node, next_free, taken)

_blocks = itertools.count(1)

SPEC_SWITCH = {"oid": ".1.3.6.1.2.1.17.7.1.2.2.1.2", "read": "public", "rw": "private",
               "comment": "Bootswitch"}


def network(server, prefix="net"):
    """A new /24 network 10.200.N.0/24 with its gateway at .254; returns (name, host)
    where host(n) is the address n of the network."""
    block = next(_blocks)
    name = f"{prefix}{block}"
    cluster_network(server, name, f"10.200.{block}.0/24", gateway=f"10.200.{block}.254")
    return name, lambda n: f"10.200.{block}.{n}"


def make_device(server, kind, name, **fields):
    answer = server.save(kind, name, fields)
    assert answer.status_code == 201, answer.text
    return server.record(kind, name)


def group_in(server, name, net):
    """A group whose nodes boot from ``net``; returns its name."""
    make_group(server, name, [("BOOTIF", net)])
    return name


def assert_taken_by(answer, field, holder):
    """A 400 naming ``field`` for an address ``holder`` has."""
    assert_bad(answer, field)
    assert holder in answer.json()["message"]


def address_status(server, net, ip):
    answer = server.get(f"/config/network/{net}/{ip}")
    assert answer.status_code == 200, answer.text
    return answer.json()["config"]["network"][ip]


def as_principal(server, token, path):
    answer = requests.get(server.url + path, headers={"x-access-tokens": token})
    assert answer.status_code == 200, answer.text
    return answer.json()["config"]


# -- switches: list, get, create, update ------------------------------------------

def test_create_the_spec_example_and_read_it_back(server):
    net, host = network(server)
    answer = server.save("switch", "switch01", {"network": net, "ipaddress": host(1), **SPEC_SWITCH})
    assert answer.status_code == 201, answer.text
    assert server.record("switch", "switch01") == {"network": net, "ipaddress": host(1), **SPEC_SWITCH}
    listed = server.get("/config/switch").json()["config"]["switch"]
    assert listed["switch01"] == {"network": net, "ipaddress": host(1), **SPEC_SWITCH}


def test_the_spec_aliases_are_accepted(server):
    net, host = network(server)
    answer = server.save("switch", "alias-sw", {
        "network": net, "ipaddress": host(2), "oid": ".1.3.6.1.2.1.17.7.1.2.2.1.2",
        "readcommunity": "public", "rwcommunity": "private", "comments": "Bootswitch"})
    assert answer.status_code == 201, answer.text
    assert server.record("switch", "alias-sw") == {"network": net, "ipaddress": host(2), **SPEC_SWITCH}
    assert server.save("switch", "alias-sw", {"comment": "plain"}).status_code == 204
    assert server.record("switch", "alias-sw")["comment"] == "plain"


@pytest.mark.parametrize("fields, field", [
    ({"read": "a", "readcommunity": "b"}, "readcommunity"),
    ({"rw": "a", "rwcommunity": "b"}, "rwcommunity"),
    ({"comment": "a", "comments": "b"}, "comments"),
])
def test_an_alias_and_its_field_together_are_refused(server, fields, field):
    assert_bad(server.save("switch", "twice", fields), field)
    assert_error(server.get("/config/switch/twice"), 404)


def test_a_switch_needs_no_address(server):
    assert make_device(server, "switch", "bare-sw") == {
        "network": None, "ipaddress": None, "oid": None, "read": None, "rw": None, "comment": None}


def test_update_answers_204_and_changes_only_what_is_given(server):
    net, host = network(server)
    make_device(server, "switch", "upd-sw", network=net, ipaddress=host(3), **SPEC_SWITCH)
    assert server.save("switch", "upd-sw", {"read": "other", "comment": None}).status_code == 204
    assert server.record("switch", "upd-sw") == {
        "network": net, "ipaddress": host(3), **SPEC_SWITCH, "read": "other", "comment": None}


def test_unknown_device_is_404_on_every_route(server):
    for kind in ("switch", "otherdev"):
        assert_error(server.get(f"/config/{kind}/nosuch"), 404)
        assert_error(server.get(f"/config/{kind}/nosuch/_delete"), 404)
        assert_error(server.save(kind, "nosuch", {f"new{kind}name": "x"}, "/_clone"), 404)


def test_requests_without_a_token_are_refused(server):
    for kind in ("switch", "otherdev"):
        assert requests.get(f"{server.url}/config/{kind}", headers={"x-access-tokens": ""}).status_code == 401
        answer = requests.post(f"{server.url}/config/{kind}/anon", headers={"x-access-tokens": ""},
                               json={"config": {kind: {"anon": {}}}})
        assert answer.status_code == 401
        assert_error(server.get(f"/config/{kind}/anon"), 404)


@pytest.mark.parametrize("fields, field", [
    ({"oid": "1.3.six"}, "oid"),
    ({"oid": "."}, "oid"),
    ({"oid": 1.3}, "oid"),
    ({"read": 5}, "read"),
    ({"rw": "x" * 256}, "rw"),
    ({"colour": "red"}, "colour"),
    ({"network": "no_such_net!"}, "network"),
    ({"newswitchname": "bad_name"}, "newswitchname"),
])
def test_invalid_switch_fields_are_refused_naming_the_field(server, fields, field):
    assert_bad(server.save("switch", "invalid-sw", fields), field)
    assert_error(server.get("/config/switch/invalid-sw"), 404)


def test_invalid_name_in_the_url_is_refused(server):
    assert_bad(server.save("switch", "bad_name", {}), "name")
    assert_bad(server.save("otherdev", "bad_name", {}), "name")


# -- rename, clone, delete -------------------------------------------------------

def test_rename_keeps_address_and_nodes_pointing_at_it(server):
    net, host = network(server)
    make_device(server, "switch", "ren-sw", network=net, ipaddress=host(4))
    make_group(server, "ren-group")
    make_node(server, "ren-node", "ren-group", switch="ren-sw", switchport=7)
    answer = server.save("switch", "ren-sw", {"newswitchname": "ren-sw2", "oid": ".1.2"})
    assert answer.status_code == 204, answer.text
    assert_error(server.get("/config/switch/ren-sw"), 404)
    assert server.record("switch", "ren-sw2")["ipaddress"] == host(4)
    assert server.record("node", "ren-node")["switch"] == "ren-sw2"
    assert address_status(server, net, host(4)) == {"status": "taken", "device": "ren-sw2"}


def test_rename_onto_an_existing_name_is_409(server):
    make_device(server, "switch", "ren-a")
    make_device(server, "switch", "ren-b")
    assert_error(server.save("switch", "ren-a", {"newswitchname": "ren-b", "comment": "x"}),
                 409, "newswitchname")
    assert server.record("switch", "ren-a")["comment"] is None
    make_device(server, "otherdev", "ren-c")
    make_device(server, "otherdev", "ren-d")
    assert_error(server.save("otherdev", "ren-c", {"newotherdevname": "ren-d"}), 409, "newotherdevname")


def test_names_differing_only_in_case_are_409(server):
    make_device(server, "switch", "case-sw")
    assert_error(server.save("switch", "CASE-SW", {}), 409, "name")
    assert server.save("switch", "case-sw", {"newswitchname": "Case-Sw"}).status_code == 204
    assert server.get("/config/switch/Case-Sw").status_code == 200
    make_device(server, "otherdev", "case-dev")
    assert_error(server.save("otherdev", "Case-Dev", {}), 409, "name")


def test_clone_takes_the_first_free_address_of_the_source_network(server):
    net, host = network(server)
    make_device(server, "switch", "cl-src", network=net, ipaddress=host(10), **SPEC_SWITCH)
    answer = server.save("switch", "cl-src", {"newswitchname": "cl-copy"}, "/_clone")
    assert answer.status_code == 201, answer.text
    assert server.record("switch", "cl-copy") == {"network": net, "ipaddress": host(1), **SPEC_SWITCH}
    assert server.record("switch", "cl-src")["ipaddress"] == host(10)


def test_clone_takes_the_address_given(server):
    net, host = network(server)
    other, other_host = network(server)
    make_device(server, "switch", "cl2-src", network=net, ipaddress=host(10))
    assert server.save("switch", "cl2-src", {"newswitchname": "cl2-a", "ipaddress": host(11)},
                       "/_clone").status_code == 201
    assert server.record("switch", "cl2-a")["ipaddress"] == host(11)
    assert server.save("switch", "cl2-src", {"newswitchname": "cl2-b", "network": other},
                       "/_clone").status_code == 201
    assert server.record("switch", "cl2-b")["ipaddress"] == other_host(1)


def test_clone_of_the_spec_example_cannot_take_the_source_address(server):
    net, host = network(server)
    make_device(server, "switch", "cl3-src", network=net, ipaddress=host(1), **SPEC_SWITCH)
    body = {"network": net, "newswitchname": "mgmsw01", "ipaddress": host(1), **SPEC_SWITCH}
    message = assert_error(server.save("switch", "cl3-src", body, "/_clone"), 400, "ipaddress")["message"]
    assert "cl3-src" in message
    assert_error(server.get("/config/switch/mgmsw01"), 404)


def test_clone_without_an_address_stays_without(server):
    make_device(server, "otherdev", "cl4-src", comment="UPS")
    assert server.save("otherdev", "cl4-src", {"newotherdevname": "cl4-copy"}, "/_clone").status_code == 201
    assert server.record("otherdev", "cl4-copy") == {"network": None, "ipaddress": None, "comment": "UPS"}


def test_clone_needs_a_new_free_name(server):
    make_device(server, "switch", "cl5-src")
    make_device(server, "switch", "cl5-taken")
    assert_bad(server.save("switch", "cl5-src", {"comment": "x"}, "/_clone"), "newswitchname")
    assert_error(server.save("switch", "cl5-src", {"newswitchname": "cl5-taken"}, "/_clone"),
                 409, "newswitchname")
    assert_error(server.save("otherdev", "cl5-none", {"newotherdevname": "x"}, "/_clone"), 404)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_delete_answers_204_and_frees_the_address(server, method):
    net, host = network(server)
    for kind in ("switch", "otherdev"):
        name = f"del-{kind}-{method.lower()}"
        make_device(server, kind, name, network=net)
        assert taken(server, net) == {host(1): name, host(254): "gateway"}
        answer = server.http.request(method, f"{server.url}/config/{kind}/{name}/_delete")
        assert answer.status_code == 204, answer.text
        assert_error(server.get(f"/config/{kind}/{name}"), 404)
        assert taken(server, net) == {host(254): "gateway"}
        assert next_free(server, net) == host(1)


def test_delete_of_a_switch_nodes_use_is_refused_naming_them(server):
    make_device(server, "switch", "used-sw")
    group = "used-group"
    make_group(server, group)
    make_node(server, "used-n1", group, switch="used-sw")
    make_node(server, "used-n2", group, switch="used-sw")
    body = assert_error(server.get("/config/switch/used-sw/_delete"), 400, "switch")
    assert "used-n1" in body["message"] and "used-n2" in body["message"]
    for node in ("used-n1", "used-n2"):
        assert server.save("node", node, {"switch": None}).status_code == 204
    assert server.get("/config/switch/used-sw/_delete").status_code == 204


# -- other devices ---------------------------------------------------------------

def test_otherdev_the_spec_example(server):
    net, host = network(server)
    answer = server.save("otherdev", "apc01", {"network": net, "ipaddress": host(250),
                                               "comments": "APC for rack01a"})
    assert answer.status_code == 201, answer.text
    expected = {"network": net, "ipaddress": host(250), "comment": "APC for rack01a"}
    assert server.record("otherdev", "apc01") == expected
    assert server.get("/config/otherdev").json()["config"]["otherdev"]["apc01"] == expected
    answer = server.save("otherdev", "apc01", {"newotherdevname": "apc01a", "comment": "moved"})
    assert answer.status_code == 204, answer.text
    assert server.record("otherdev", "apc01a") == {**expected, "comment": "moved"}
    answer = server.save("otherdev", "apc01a", {"newotherdevname": "apc01b", "ipaddress": host(251)},
                         "/_clone")
    assert answer.status_code == 201, answer.text
    assert server.record("otherdev", "apc01b") == {**expected, "ipaddress": host(251), "comment": "moved"}
    assert_bad(server.save("otherdev", "apc01a", {"oid": ".1.2"}), "oid")


# -- the write community -----------------------------------------------------------

def test_rw_community_is_hidden_from_a_read_only_admin(server):
    make_device(server, "switch", "secret-sw", **SPEC_SWITCH)
    reader = make_admin(server, "sw-reader", ["role.readonly"])
    record = as_principal(server, reader, "/config/switch/secret-sw")["switch"]["secret-sw"]
    assert "rw" not in record
    assert record["read"] == "public"
    listed = as_principal(server, reader, "/config/switch")["switch"]
    assert all("rw" not in switch for switch in listed.values())
    admin = make_admin(server, "sw-admin", ["role.fulladmin"])
    assert as_principal(server, admin, "/config/switch/secret-sw")["switch"]["secret-sw"]["rw"] == "private"


# -- addresses -------------------------------------------------------------------

def test_network_without_ipaddress_takes_the_first_free_address(server):
    net, host = network(server)
    make_node(server, "ff-node", group_in(server, "ff-group", net))
    assert make_device(server, "switch", "ff-sw", network=net)["ipaddress"] == host(2)
    assert make_device(server, "otherdev", "ff-pdu", network=net)["ipaddress"] == host(3)
    assert taken(server, net) == {host(1): "ff-node", host(2): "ff-sw", host(3): "ff-pdu",
                                  host(254): "gateway"}


@pytest.mark.parametrize("ip, field, why", [
    ("10.200.300.1", "ipaddress", "not an IP address"),
    ("10.199.0.1", "ipaddress", "not in network"),
    ("fd00::1", "ipaddress", "not in network"),
    ("NET.0", "ipaddress", "reserved"),      # the network address
    ("NET.255", "ipaddress", "reserved"),    # broadcast
    ("NET.254", "ipaddress", "reserved"),    # gateway
])
def test_refused_addresses_create_nothing(server, ip, field, why):
    net, host = network(server)
    ip = ip.replace("NET.", host(""))
    for kind in ("switch", "otherdev"):
        answer = server.save(kind, "refused", {"network": net, "ipaddress": ip})
        assert_bad(answer, field)
        assert why in answer.json()["message"]
        assert_error(server.get(f"/config/{kind}/refused"), 404)
    assert taken(server, net) == {host(254): "gateway"}


def test_ipaddress_without_a_network_is_refused(server):
    assert_bad(server.save("switch", "nonet", {"ipaddress": "10.200.0.1"}), "network")
    make_device(server, "otherdev", "nonet")
    assert_bad(server.save("otherdev", "nonet", {"ipaddress": "10.200.0.1"}), "network")
    assert_bad(server.save("otherdev", "nonet", {"network": None, "ipaddress": "10.200.0.1"}), "network")


def test_unknown_network_is_refused(server):
    assert_bad(server.save("switch", "unknown-net", {"network": "nosuchnet"}), "network")
    assert_error(server.get("/config/switch/unknown-net"), 404)


def test_an_address_a_node_holds_is_refused(server):
    net, host = network(server)
    make_node(server, "held-node", group_in(server, "held-group", net))
    assert_taken_by(server.save("switch", "held-sw", {"network": net, "ipaddress": host(1)}),
                    "ipaddress", "held-node")
    assert_error(server.get("/config/switch/held-sw"), 404)


def test_an_address_another_device_holds_is_refused(server):
    net, host = network(server)
    make_device(server, "switch", "twice-sw", network=net, ipaddress=host(9))
    for kind in ("switch", "otherdev"):
        assert_taken_by(server.save(kind, "twice-2", {"network": net, "ipaddress": host(9)}),
                        "ipaddress", "twice-sw")


def test_a_node_is_refused_the_address_a_switch_holds(server):
    net, host = network(server)
    make_device(server, "switch", "sw-holds", network=net, ipaddress=host(1))
    answer = server.save("node", "sw-holds-node", {"group": group_in(server, "sw-holds-group", net),
                                                   "interfaces": [{"interface": "BOOTIF", "ipaddress": host(1)}]})
    assert_taken_by(answer, "interfaces.0.ipaddress", "sw-holds")
    assert_error(server.get("/config/node/sw-holds-node"), 404)


def test_node_numbering_passes_device_addresses_by(server):
    net, host = network(server)
    make_device(server, "switch", "skip-sw", network=net, ipaddress=host(1))
    make_device(server, "otherdev", "skip-pdu", network=net, ipaddress=host(3))
    assert next_free(server, net) == host(2)
    group = group_in(server, "skip-group", net)
    for node in ("skip-n1", "skip-n2", "skip-n3"):
        make_node(server, node, group)
    assert [addresses(server, node)["BOOTIF"][1] for node in ("skip-n1", "skip-n2", "skip-n3")] \
        == [host(2), host(4), host(5)]
    assert next_free(server, net) == host(6)


def test_network_listings_show_devices(server):
    net, host = network(server)
    make_device(server, "switch", "show-sw", network=net, ipaddress=host(7))
    make_device(server, "otherdev", "show-ups", network=net, ipaddress=host(5))
    assert taken(server, net) == {host(5): "show-ups", host(7): "show-sw", host(254): "gateway"}
    answer = server.get(f"/config/network/{net}/_list")
    ips = [t["ipaddress"] for t in answer.json()["config"]["network"][net]["taken"]]
    assert ips == [host(5), host(7), host(254)]
    assert address_status(server, net, host(7)) == {"status": "taken", "device": "show-sw"}
    assert address_status(server, net, host(5)) == {"status": "taken", "device": "show-ups"}
    assert address_status(server, net, host(6)) == {"status": "free"}


def test_keeping_its_own_address_is_no_conflict(server):
    net, host = network(server)
    make_device(server, "switch", "own-sw", network=net, ipaddress=host(8))
    assert server.save("switch", "own-sw", {"network": net, "ipaddress": host(8)}).status_code == 204
    assert server.save("switch", "own-sw", {"ipaddress": host(8), "comment": "x"}).status_code == 204
    assert server.record("switch", "own-sw")["ipaddress"] == host(8)


def test_changing_the_address_frees_the_old_one(server):
    net, host = network(server)
    make_device(server, "otherdev", "move-pdu", network=net)
    assert server.save("otherdev", "move-pdu", {"ipaddress": host(20)}).status_code == 204
    assert taken(server, net) == {host(20): "move-pdu", host(254): "gateway"}
    assert next_free(server, net) == host(1)


def test_moving_to_another_network_and_out_of_any(server):
    net, host = network(server)
    other, other_host = network(server)
    make_device(server, "switch", "mv-sw", network=net, ipaddress=host(1))
    assert server.save("switch", "mv-sw", {"network": other}).status_code == 204
    assert server.record("switch", "mv-sw")["ipaddress"] == other_host(1)
    assert next_free(server, net) == host(1)
    assert server.save("switch", "mv-sw", {"network": None}).status_code == 204
    record = server.record("switch", "mv-sw")
    assert (record["network"], record["ipaddress"]) == (None, None)
    assert taken(server, other) == {other_host(254): "gateway"}


def test_a_refused_address_change_changes_nothing(server):
    net, host = network(server)
    make_device(server, "switch", "keep-sw", network=net, ipaddress=host(1), comment="before")
    make_device(server, "switch", "keep-sw2", network=net, ipaddress=host(2))
    before = server.record("switch", "keep-sw")
    assert_bad(server.save("switch", "keep-sw", {"comment": "after", "ipaddress": host(2)}), "ipaddress")
    assert_bad(server.save("switch", "keep-sw", {"newswitchname": "keep-sw3", "ipaddress": host(255)}),
               "ipaddress")
    assert server.record("switch", "keep-sw") == before
    assert_error(server.get("/config/switch/keep-sw3"), 404)


def test_a_full_network_refuses_a_device(server):
    block = next(_blocks)
    net = f"tiny{block}"
    cluster_network(server, net, f"10.201.{block}.0/30")   # two hosts
    make_device(server, "switch", f"full-a{block}", network=net)
    make_device(server, "switch", f"full-b{block}", network=net)
    assert_bad(server.save("otherdev", f"full-c{block}", {"network": net}), "network")


# -- networks and devices ----------------------------------------------------------

def test_a_network_a_device_uses_cannot_be_deleted(server):
    net, dummy = network(server)
    make_device(server, "otherdev", "netdel-ups", network=net)
    body = assert_error(server.get(f"/config/network/{net}/_delete"), 400, "network")
    assert "netdel-ups" in body["message"]
    assert server.get("/config/otherdev/netdel-ups/_delete").status_code == 204
    assert server.get(f"/config/network/{net}/_delete").status_code == 204


def test_changing_the_cidr_moves_devices_along(server):
    net, host = network(server)
    make_device(server, "switch", "cidr-sw", network=net, ipaddress=host(40))
    block = next(_blocks)
    answer = server.save("network", net, {"network": f"10.200.{block}.0/24", "gateway": None})
    assert answer.status_code == 204, answer.text
    assert server.record("switch", "cidr-sw")["ipaddress"] == f"10.200.{block}.40"
    assert taken(server, net) == {f"10.200.{block}.40": "cidr-sw"}


def test_address_plan_changes_must_leave_device_addresses_alone(server):
    net, host = network(server)
    make_device(server, "switch", "plan-sw", network=net, ipaddress=host(200))
    before = server.record("network", net)
    cidr = before["network"]
    assert_bad(server.save("network", net, {"network": cidr.replace("/24", "/25"), "gateway": host(100)}),
               "network")
    assert_bad(server.save("network", net, {"gateway": host(200)}), "gateway")
    assert_bad(server.save("network", net, {"dhcp": True, "dhcp_range_begin": host(150),
                                            "dhcp_range_end": host(210)}), "dhcp_range_begin")
    assert server.record("network", net) == before


# -- many clients at once ---------------------------------------------------------

def test_concurrent_devices_and_nodes_never_share_an_address(server):
    net, host = network(server)
    group = group_in(server, "race-group", net)
    count = 24
    barrier = threading.Barrier(count)

    def create(i):
        http = requests.Session()
        http.headers["x-access-tokens"] = server.token
        kind, fields = [("node", {"group": group}), ("switch", {"network": net}),
                        ("otherdev", {"network": net})][i % 3]
        name = f"race-{kind}-{i}"
        barrier.wait()
        answer = http.post(f"{server.url}/config/{kind}/{name}", json={"config": {kind: {name: fields}}})
        return answer.status_code, name

    with ThreadPoolExecutor(max_workers=count) as pool:
        results = list(pool.map(create, range(count)))
    assert [status for status, dummy in results] == [201] * count
    listed = taken(server, net)
    assert sorted(name for name in listed.values() if name != "gateway") == sorted(n for dummy, n in results)
    assert set(listed) == {host(n) for n in range(1, count + 1)} | {host(254)}
