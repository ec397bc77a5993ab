"""Network management over HTTP: /config/network and its sub-routes.

The server is shared by the tests of this module, so every test uses its own
names and its own address blocks (overlapping networks are refused).
"""

import ipaddress
import itertools

import pytest

from conftest import assert_error, next_free

_names = itertools.count(1)
_v4_16 = itertools.count(20)     # 10.N.0.0/16
_v4_28 = itertools.count(1)      # 172.16.N.0/28 and friends
_v6 = itertools.count(0x100)     # fd00:N::/64


def uniq(prefix):
    return f"{prefix}{next(_names)}"


def cidr16():
    return f"10.{next(_v4_16)}.0.0/16"


def cidr_small(prefix=28):
    return f"172.16.{next(_v4_28)}.0/{prefix}"


def cidr6():
    return f"fd00:{next(_v6):x}::/64"


def host(cidr, offset):
    net = ipaddress.ip_network(cidr)
    return str(net.network_address + offset)


def create_network(server, name, cidr, **extra):
    answer = server.save("network", name, {"network": cidr, **extra})
    assert answer.status_code == 201, answer.text
    return server.record("network", name)


def spec_network(cidr, name):
    """A network like the spec's 'cluster' example, in ``cidr`` (a /16)."""
    return {
        "network": cidr,
        "gateway": host(cidr, 65534),
        "ns_hostname": f"controller.{name}",
        "ns_ip": host(cidr, 65534),
        "ntp_server": host(cidr, 65534),
        "comment": "Default cluster network",
        "dhcp": True,
        "dhcp_range_begin": host(cidr, 200),
        "dhcp_range_end": host(cidr, 253),
    }


def make_group(server, network, name=None, interface="BOOTIF"):
    name = name or uniq("grp")
    answer = server.save("group", name, {"interfaces": [{"interface": interface, "network": network}]})
    assert answer.status_code == 201, answer.text
    return name


def make_node(server, group, name=None, **fields):
    name = name or uniq("node")
    answer = server.save("node", name, {"group": group, **fields})
    assert answer.status_code == 201, answer.text
    return name


def node_ip(server, node, interface="BOOTIF"):
    for item in server.record("node", node)["interfaces"]:
        if item["interface"] == interface:
            return item["ipaddress"]
    raise AssertionError(f"node {node} has no interface {interface}")


def status_of(server, network, ip):
    answer = server.get(f"/config/network/{network}/{ip}")
    assert answer.status_code == 200, answer.text
    content = answer.json()["config"]["network"]
    assert list(content) == [ip]
    return content[ip]


def taken_list(server, network):
    answer = server.get(f"/config/network/{network}/_list")
    assert answer.status_code == 200, answer.text
    return answer.json()["config"]["network"][network]["taken"]


def absent(server, name):
    assert_error(server.get(f"/config/network/{name}"), 404)


# -- list, get, create, update ------------------------------------------------

def test_create_answers_201_and_get_reads_it_back(server):
    name, cidr = uniq("net"), cidr16()
    fields = spec_network(cidr, name)
    answer = server.save("network", name, fields)
    assert answer.status_code == 201, answer.text
    assert isinstance(answer.json()["message"], str)

    answer = server.get(f"/config/network/{name}")
    assert answer.status_code == 200
    assert answer.json() == {"config": {"network": {name: {"name": name, **fields}}}}


def test_list_holds_every_network(server):
    first, second = uniq("net"), uniq("net")
    one = create_network(server, first, cidr16(), comment="first")
    two = create_network(server, second, cidr_small(), comment="second")
    answer = server.get("/config/network")
    assert answer.status_code == 200
    networks = answer.json()["config"]["network"]
    assert networks[first] == one
    assert networks[second] == two
    assert networks[first]["network"] != networks[second]["network"]


def test_defaults_of_a_minimal_network(server):
    name, cidr = uniq("net"), cidr16()
    record = create_network(server, name, cidr)
    assert record == {"name": name, "network": cidr, "gateway": None, "ns_hostname": None,
                      "ns_ip": None, "ntp_server": None, "comment": None, "dhcp": False,
                      "dhcp_range_begin": None, "dhcp_range_end": None}


def test_unknown_network_is_404_on_every_route(server):
    name = uniq("missing")
    for path in ("", "/_list", "/_nextfreeip", "/10.0.0.1", "/_delete"):
        assert_error(server.get(f"/config/network/{name}{path}"), 404)
    assert_error(server.post(f"/config/network/{name}/_delete"), 404)
    assert_error(server.save("network", name, {"newnetname": uniq("copy"), "network": cidr16()},
                             "/_clone"), 404)


def test_update_answers_204_and_changes_only_what_is_given(server):
    name, cidr = uniq("net"), cidr16()
    create_network(server, name, cidr, **spec_network(cidr, name))
    answer = server.save("network", name, {"comment": "changed", "ntp_server": "ntp.example.org"})
    assert answer.status_code == 204, answer.text
    assert answer.text == ""
    expected = {"name": name, **spec_network(cidr, name), "comment": "changed",
                "ntp_server": "ntp.example.org"}
    assert server.record("network", name) == expected

    # null clears an optional field; dhcp off leaves the range stored but inert
    assert server.save("network", name, {"comment": None, "dhcp": False}).status_code == 204
    record = server.record("network", name)
    assert record["comment"] is None and record["dhcp"] is False


def test_update_with_the_same_values_is_204(server):
    name, cidr = uniq("net"), cidr16()
    fields = spec_network(cidr, name)
    create_network(server, name, cidr, **fields)
    assert server.save("network", name, fields).status_code == 204
    assert server.record("network", name) == {"name": name, **fields}


# -- rename ------------------------------------------------------------------

def test_rename_moves_everything_to_the_new_name(server):
    old, new, cidr = uniq("net"), uniq("net"), cidr16()
    create_network(server, old, cidr, **spec_network(cidr, old))
    before = server.record("network", old)
    group = make_group(server, old)
    node = make_node(server, group)
    address = node_ip(server, node)

    answer = server.save("network", old, {"newnetname": new})
    assert answer.status_code == 204, answer.text

    absent(server, old)
    assert server.record("network", new) == {**before, "name": new}
    listed = server.get("/config/network").json()["config"]["network"]
    assert new in listed and old not in listed

    # groups and nodes that use it follow the new name
    assert server.record("group", group)["interfaces"] == [{"interface": "BOOTIF", "network": new}]
    interfaces = server.get(f"/config/group/{group}/interfaces").json()
    assert interfaces["config"]["group"][group]["interfaces"][0]["network"] == new
    bootif = server.record("node", node)["interfaces"][0]
    assert bootif == {"interface": "BOOTIF", "network": new, "ipaddress": address}
    assert status_of(server, new, address) == {"status": "taken", "device": node}

    # and keep working: a new member is numbered in the renamed network
    other = make_node(server, group)
    assert ipaddress.ip_address(node_ip(server, other)) in ipaddress.ip_network(cidr)
    assert node_ip(server, other) != address


def test_rename_together_with_other_changes(server):
    old, new, cidr = uniq("net"), uniq("net"), cidr16()
    create_network(server, old, cidr)
    assert server.save("network", old, {"newnetname": new, "comment": "renamed"}).status_code == 204
    absent(server, old)
    assert server.record("network", new)["comment"] == "renamed"


def test_rename_to_an_existing_name_is_409(server):
    first, second = uniq("net"), uniq("net")
    one = create_network(server, first, cidr16())
    two = create_network(server, second, cidr16())
    assert_error(server.save("network", first, {"newnetname": second, "comment": "x"}), 409,
                 "newnetname")
    assert server.record("network", first) == one
    assert server.record("network", second) == two


def test_rename_to_an_invalid_name_is_400(server):
    name = uniq("net")
    record = create_network(server, name, cidr16())
    for bad in ("bad_name", "-dash", "a" * 64, "", 7):
        assert_error(server.save("network", name, {"newnetname": bad}), 400, "newnetname")
    assert server.record("network", name) == record


# -- clone -------------------------------------------------------------------

def test_clone_copies_with_a_new_network(server):
    source, copy = uniq("net"), uniq("net")
    cidr, new_cidr = cidr16(), cidr16()
    create_network(server, source, cidr, **spec_network(cidr, source))
    original = server.record("network", source)
    changes = {"newnetname": copy, "network": new_cidr, "gateway": host(new_cidr, 1),
               "ns_ip": host(new_cidr, 2), "dhcp_range_begin": host(new_cidr, 100),
               "dhcp_range_end": host(new_cidr, 120)}
    answer = server.save("network", source, changes, "/_clone")
    assert answer.status_code == 201, answer.text
    assert copy in answer.json()["message"]

    cloned = server.record("network", copy)
    expected = {**original, **changes, "name": copy}
    del expected["newnetname"]
    assert cloned == expected
    assert cloned["comment"] == original["comment"]
    assert cloned["ns_hostname"] == original["ns_hostname"]
    assert server.record("network", source) == original


def test_clone_requires_newnetname(server):
    source = uniq("net")
    create_network(server, source, cidr16())
    before = server.get("/config/network").json()
    assert_error(server.save("network", source, {"network": cidr16()}, "/_clone"), 400, "newnetname")
    assert server.get("/config/network").json() == before


def test_clone_with_the_same_cidr_overlaps(server):
    source, copy = uniq("net"), uniq("net")
    cidr = cidr16()
    create_network(server, source, cidr)
    body = assert_error(server.save("network", source, {"newnetname": copy}, "/_clone"), 400, "network")
    assert source in body["message"]
    body = assert_error(server.save("network", source, {"newnetname": copy, "network": cidr},
                                    "/_clone"), 400, "network")
    assert "overlap" in body["message"]
    absent(server, copy)


def test_clone_to_an_existing_name_is_409(server):
    source, other = uniq("net"), uniq("net")
    create_network(server, source, cidr16())
    existing = create_network(server, other, cidr16())
    assert_error(server.save("network", source, {"newnetname": other, "network": cidr16()},
                             "/_clone"), 409, "newnetname")
    assert server.record("network", other) == existing


def test_clone_keeps_copied_addresses_in_the_new_network(server):
    """The source's gateway is copied: outside the clone's new network it is a 400."""
    source, copy = uniq("net"), uniq("net")
    cidr = cidr16()
    create_network(server, source, cidr, gateway=host(cidr, 1))
    assert_error(server.save("network", source, {"newnetname": copy, "network": cidr16()},
                             "/_clone"), 400, "gateway")
    absent(server, copy)


def test_clone_accepts_the_spec_aliases(server):
    source, copy = uniq("net"), uniq("net")
    create_network(server, source, cidr16(), comment="aliased")
    new_cidr = cidr16()
    answer = server.save("network", source, {
        "newnetname": copy, "network": new_cidr, "dhcp_enable": True,
        "dhcp_begin": host(new_cidr, 200), "dhcp_end": host(new_cidr, 253)}, "/_clone")
    assert answer.status_code == 201, answer.text
    cloned = server.record("network", copy)
    assert cloned["dhcp"] is True
    assert cloned["dhcp_range_begin"] == host(new_cidr, 200)
    assert cloned["dhcp_range_end"] == host(new_cidr, 253)
    assert cloned["comment"] == "aliased"
    assert "dhcp_enable" not in cloned and "dhcp_begin" not in cloned


def test_alias_and_field_together_is_400(server):
    name = uniq("net")
    cidr = cidr16()
    assert_error(server.save("network", name, {"network": cidr, "dhcp": True, "dhcp_enable": True,
                                               "dhcp_range_begin": host(cidr, 10),
                                               "dhcp_range_end": host(cidr, 20)}), 400, "dhcp_enable")
    absent(server, name)


# -- delete ------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST"])
def test_delete(server, method):
    name = uniq("net")
    create_network(server, name, cidr16())
    answer = server.http.request(method, f"{server.url}/config/network/{name}/_delete")
    assert answer.status_code == 204, answer.text
    assert answer.text == ""
    absent(server, name)
    assert name not in server.get("/config/network").json()["config"]["network"]
    assert_error(server.http.request(method, f"{server.url}/config/network/{name}/_delete"), 404)


def test_delete_frees_the_cidr(server):
    name, cidr = uniq("net"), cidr16()
    create_network(server, name, cidr)
    assert server.get(f"/config/network/{name}/_delete").status_code == 204
    create_network(server, uniq("net"), cidr)


def test_delete_refused_while_in_use(server):
    name, cidr = uniq("net"), cidr16()
    create_network(server, name, cidr)
    before = server.record("network", name)
    group = make_group(server, name)
    body = assert_error(server.get(f"/config/network/{name}/_delete"), 400)
    assert group in body["message"]

    node = make_node(server, group)
    address = node_ip(server, node)
    body = assert_error(server.post(f"/config/network/{name}/_delete"), 400)
    assert group in body["message"] and node in body["message"]
    # nothing was deleted
    assert server.record("network", name) == before
    assert server.record("node", node)["interfaces"][0]["ipaddress"] == address
    assert status_of(server, name, address) == {"status": "taken", "device": node}

    # once nothing uses it, it goes
    assert server.get(f"/config/node/{node}/_delete").status_code == 204
    assert server.get(f"/config/group/{group}/_delete").status_code == 204
    assert server.get(f"/config/network/{name}/_delete").status_code == 204
    absent(server, name)


def test_delete_refused_while_a_node_alone_uses_it(server):
    boot, extra = uniq("net"), uniq("net")
    create_network(server, boot, cidr16())
    create_network(server, extra, cidr16())
    node = make_node(server, make_group(server, boot),
                     interfaces=[{"interface": "ib0", "network": extra}])
    body = assert_error(server.get(f"/config/network/{extra}/_delete"), 400)
    assert node in body["message"]
    assert server.record("network", extra)["name"] == extra


# -- addresses ---------------------------------------------------------------

def test_address_status(server):
    name, cidr = uniq("net"), cidr16()
    create_network(server, name, cidr, gateway=host(cidr, 65534), ns_ip=host(cidr, 65533),
                   ns_hostname=f"controller.{name}", dhcp=True,
                   dhcp_range_begin=host(cidr, 200), dhcp_range_end=host(cidr, 253))
    node = make_node(server, make_group(server, name))
    address = node_ip(server, node)
    assert address == host(cidr, 1)

    assert status_of(server, name, address) == {"status": "taken", "device": node}
    assert status_of(server, name, host(cidr, 7)) == {"status": "free"}
    assert status_of(server, name, host(cidr, 65534)) == {"status": "taken", "device": "gateway"}
    assert status_of(server, name, host(cidr, 65533)) == {"status": "taken", "device": "controller"}
    assert status_of(server, name, host(cidr, 0))["status"] == "taken"
    assert status_of(server, name, host(cidr, 65535))["status"] == "taken"
    assert status_of(server, name, host(cidr, 210))["status"] == "taken"

    assert_error(server.get(f"/config/network/{name}/{host(cidr16(), 5)}"), 404)
    assert_error(server.get(f"/config/network/{name}/192.168.1.1"), 404)
    assert_error(server.get(f"/config/network/{name}/fd00::1"), 404)
    for bad in ("not-an-ip", "10.1.2", "10.1.2.300", "10.1.2.3.4", "1" * 60):
        assert_error(server.get(f"/config/network/{name}/{bad}"), 400, "ipaddress")


def test_list_of_taken_addresses(server):
    name, cidr = uniq("net"), cidr16()
    create_network(server, name, cidr, gateway=host(cidr, 65534), ns_ip=host(cidr, 65533),
                   ns_hostname=f"controller.{name}")
    assert taken_list(server, name) == [
        {"ipaddress": host(cidr, 65533), "device": "controller"},
        {"ipaddress": host(cidr, 65534), "device": "gateway"},
    ]
    group = make_group(server, name)
    first, second = make_node(server, group), make_node(server, group)
    taken = taken_list(server, name)
    assert {"ipaddress": host(cidr, 1), "device": first} in taken
    assert {"ipaddress": host(cidr, 2), "device": second} in taken
    assert {"ipaddress": host(cidr, 65533), "device": "controller"} in taken
    assert len(taken) == 4
    # every entry is taken according to the single-address route too
    for entry in taken:
        assert status_of(server, name, entry["ipaddress"]) == {"status": "taken",
                                                               "device": entry["device"]}


def test_list_when_gateway_is_the_name_server(server):
    name, cidr = uniq("net"), cidr16()
    create_network(server, name, cidr, **spec_network(cidr, name))
    assert taken_list(server, name) == [{"ipaddress": host(cidr, 65534), "device": "controller"}]


def test_nextfreeip_walks_a_small_network_to_the_end(server):
    name, cidr = uniq("net"), cidr_small(28)
    # offsets: 0 network, 1 gateway, 2 name server, 5-7 DHCP, 15 broadcast
    create_network(server, name, cidr, gateway=host(cidr, 1), ns_ip=host(cidr, 2),
                   dhcp=True, dhcp_range_begin=host(cidr, 5), dhcp_range_end=host(cidr, 7))
    expected = [host(cidr, offset) for offset in (3, 4, 8, 9, 10, 11, 12, 13, 14)]
    group = make_group(server, name)
    nodes = []
    for address in expected:
        assert next_free(server, name) == address
        assert next_free(server, name) == address  # no reservation is made
        nodes.append(make_node(server, group))
        assert node_ip(server, nodes[-1]) == address
        assert status_of(server, name, address) == {"status": "taken", "device": nodes[-1]}

    # full
    assert_error(server.get(f"/config/network/{name}/_nextfreeip"), 400, "network")
    late = uniq("node")
    assert_error(server.save("node", late, {"group": group}), 400)
    assert_error(server.get(f"/config/node/{late}"), 404)  # nothing half-written
    assert len(taken_list(server, name)) == 2 + len(expected)

    # a freed address is the next free one again
    assert server.get(f"/config/node/{nodes[3]}/_delete").status_code == 204
    assert next_free(server, name) == expected[3]
    assert status_of(server, name, expected[3]) == {"status": "free"}
    assert node_ip(server, make_node(server, group)) == expected[3]


def test_nextfreeip_skips_addresses_chosen_by_hand(server):
    name, cidr = uniq("net"), cidr_small(29)
    create_network(server, name, cidr)
    group = make_group(server, name)
    chosen = make_node(server, group, interfaces=[{"interface": "BOOTIF", "ipaddress": host(cidr, 1)}])
    assert node_ip(server, chosen) == host(cidr, 1)
    assert next_free(server, name) == host(cidr, 2)
    make_node(server, group, interfaces=[{"interface": "BOOTIF", "ipaddress": host(cidr, 3)}])
    assert next_free(server, name) == host(cidr, 2)
    assert node_ip(server, make_node(server, group)) == host(cidr, 2)
    assert next_free(server, name) == host(cidr, 4)


def test_nextfreeip_of_a_network_made_full_by_reservations(server):
    name, cidr = uniq("net"), cidr_small(30)  # two hosts: offsets 1 and 2
    create_network(server, name, cidr, gateway=host(cidr, 1), ns_ip=host(cidr, 2))
    assert_error(server.get(f"/config/network/{name}/_nextfreeip"), 400, "network")


# -- IPv6 --------------------------------------------------------------------

def test_ipv6_network(server):
    name, cidr = uniq("net"), cidr6()
    gateway = host(cidr, 0xfffe)
    answer = server.save("network", name, {"network": cidr, "gateway": gateway, "ns_ip": gateway,
                                           "ns_hostname": f"controller.{name}"})
    assert answer.status_code == 201, answer.text
    record = server.record("network", name)
    assert record["network"] == cidr and record["gateway"] == gateway

    node = make_node(server, make_group(server, name))
    address = node_ip(server, node)
    assert address == host(cidr, 1)
    assert ipaddress.ip_address(address).version == 6
    assert next_free(server, name) == host(cidr, 2)

    assert status_of(server, name, address) == {"status": "taken", "device": node}
    assert status_of(server, name, host(cidr, 2)) == {"status": "free"}
    assert status_of(server, name, gateway) == {"status": "taken", "device": "controller"}
    # a long spelling of the address is answered in its short form
    exploded = ipaddress.ip_address(host(cidr, 2)).exploded
    answer = server.get(f"/config/network/{name}/{exploded}")
    assert answer.status_code == 200
    assert answer.json()["config"]["network"] == {host(cidr, 2): {"status": "free"}}

    assert_error(server.get(f"/config/network/{name}/fd99::1"), 404)
    assert_error(server.get(f"/config/network/{name}/10.0.0.1"), 404)
    assert_error(server.get(f"/config/network/{name}/fd00::zz"), 400, "ipaddress")

    taken = taken_list(server, name)
    assert {"ipaddress": address, "device": node} in taken
    assert {"ipaddress": gateway, "device": "controller"} in taken


def test_ipv6_network_larger_than_64_is_refused(server):
    name = uniq("net")
    for cidr in ("fd00:4800::/48", "fd00:4900::/63"):
        assert_error(server.save("network", name, {"network": cidr}), 400, "network")
    absent(server, name)


# -- validation --------------------------------------------------------------

_BAD = "10.250.0.0/16"


@pytest.mark.parametrize("fields, field", [
    ({"network": "10.250.0.0/33"}, "network"),
    ({"network": "not-a-network"}, "network"),
    ({"network": "10.250.0.0"}, "network"),
    ({"network": "10.250.0.1/16"}, "network"),            # host bits set
    ({"network": "10.250.0.0/31"}, "network"),            # no room for hosts
    ({"network": 10}, "network"),
    ({"network": None}, "network"),
    ({"comment": "no network"}, "network"),               # required on create
    ({"network": _BAD, "gateway": "10.251.0.1"}, "gateway"),
    ({"network": _BAD, "ns_ip": "10.251.0.1"}, "ns_ip"),
    ({"network": _BAD, "gateway": "fd00::1"}, "gateway"),
    ({"network": _BAD, "gateway": "gateway"}, "gateway"),
    ({"network": _BAD, "dhcp": True}, "dhcp_range_begin"),
    ({"network": _BAD, "dhcp": True, "dhcp_range_begin": "10.250.0.10"}, "dhcp_range_end"),
    ({"network": _BAD, "dhcp": True, "dhcp_range_begin": "10.250.0.20",
      "dhcp_range_end": "10.250.0.10"}, "dhcp_range_end"),
    ({"network": _BAD, "dhcp": True, "dhcp_range_begin": "10.251.0.10",
      "dhcp_range_end": "10.251.0.20"}, "dhcp_range_begin"),
    ({"network": _BAD, "dhcp": "yes"}, "dhcp"),
    ({"network": _BAD, "dhcp": 1}, "dhcp"),
    ({"network": _BAD, "dhcp": None}, "dhcp"),
    ({"network": _BAD, "comment": 5}, "comment"),
    ({"network": _BAD, "ntp_server": ["a"]}, "ntp_server"),
    ({"network": _BAD, "ns_hostname": "not a hostname"}, "ns_hostname"),
    ({"network": _BAD, "ns_hostname": "a" * 300}, "ns_hostname"),
    ({"network": _BAD, "newnetname": "no_underscores"}, "newnetname"),
    ({"network": _BAD, "vlan": 5}, "vlan"),
    ({"network": _BAD, "name": "other"}, "name"),
])
def test_invalid_network_is_400_naming_the_field(server, fields, field):
    name = uniq("bad")
    assert_error(server.save("network", name, fields), 400, field)
    absent(server, name)


def test_overlapping_networks_are_refused(server):
    name, cidr = uniq("net"), cidr16()
    create_network(server, name, cidr)
    net = ipaddress.ip_network(cidr)
    inside = str(list(net.subnets(new_prefix=24))[3])
    supernet = str(net.supernet(new_prefix=12))
    for overlapping in (cidr, inside, supernet):
        other = uniq("net")
        body = assert_error(server.save("network", other, {"network": overlapping}), 400, "network")
        assert "overlaps" in body["message"]
        if overlapping != supernet:  # the supernet may overlap other tests' networks first
            assert name in body["message"]
        absent(server, other)

    # an update that would overlap another network is refused as well
    moved = uniq("net")
    own = create_network(server, moved, cidr16())
    assert_error(server.save("network", moved, {"network": inside}), 400, "network")
    assert server.record("network", moved) == own


def test_failed_update_changes_nothing(server):
    name, cidr = uniq("net"), cidr16()
    create_network(server, name, cidr, **spec_network(cidr, name))
    before = server.record("network", name)
    for fields, field in (({"comment": "new", "gateway": "192.168.0.1"}, "gateway"),
                          ({"comment": "new", "dhcp": "no"}, "dhcp"),
                          ({"comment": "new", "newnetname": uniq("net"), "bogus": 1}, "bogus"),
                          ({"comment": "new", "dhcp_range_end": host(cidr, 100)}, "dhcp_range_end")):
        assert_error(server.save("network", name, fields), 400, field)
        assert server.record("network", name) == before


# -- changing the address plan -----------------------------------------------

def test_changing_the_cidr_keeps_address_offsets(server):
    name, cidr, new_cidr = uniq("net"), cidr16(), cidr16()
    create_network(server, name, cidr, gateway=host(cidr, 65534), ns_ip=host(cidr, 65534),
                   ns_hostname=f"controller.{name}")
    group = make_group(server, name)
    node = make_node(server, group, interfaces=[{"interface": "BOOTIF", "ipaddress": host(cidr, 5)}])
    far = make_node(server, group, interfaces=[{"interface": "BOOTIF", "ipaddress": host(cidr, 1000)}])
    assert node_ip(server, node) == host(cidr, 5)

    answer = server.save("network", name, {"network": new_cidr, "gateway": host(new_cidr, 65534),
                                           "ns_ip": host(new_cidr, 65534)})
    assert answer.status_code == 204, answer.text
    assert server.record("network", name)["network"] == new_cidr
    assert node_ip(server, node) == host(new_cidr, 5)
    assert node_ip(server, far) == host(new_cidr, 1000)
    assert status_of(server, name, host(new_cidr, 5)) == {"status": "taken", "device": node}
    assert_error(server.get(f"/config/network/{name}/{host(cidr, 5)}"), 404)
    assert {"ipaddress": host(new_cidr, 1000), "device": far} in taken_list(server, name)
    # the old block is free for another network now
    create_network(server, uniq("net"), cidr)


def test_cidr_too_small_for_taken_addresses_is_refused(server):
    name, cidr = uniq("net"), cidr16()
    create_network(server, name, cidr)
    group = make_group(server, name)
    node = make_node(server, group, interfaces=[{"interface": "BOOTIF", "ipaddress": host(cidr, 266)}])
    before = server.record("network", name)

    too_small = cidr.replace("/16", "/24")   # offset 266 does not fit a /24
    assert_error(server.save("network", name, {"network": too_small}), 400, "network")
    assert server.record("network", name) == before
    assert node_ip(server, node) == host(cidr, 266)

    fits = cidr.replace("/16", "/23")        # ... but a /23 holds it
    assert server.save("network", name, {"network": fits}).status_code == 204
    assert server.record("network", name)["network"] == fits
    assert node_ip(server, node) == host(cidr, 266)


def test_dhcp_range_over_taken_addresses_is_refused(server):
    name, cidr = uniq("net"), cidr16()
    create_network(server, name, cidr)
    node = make_node(server, make_group(server, name),
                     interfaces=[{"interface": "BOOTIF", "ipaddress": host(cidr, 20)}])
    before = server.record("network", name)
    assert_error(server.save("network", name, {"dhcp": True, "dhcp_range_begin": host(cidr, 10),
                                               "dhcp_range_end": host(cidr, 30)}),
                 400, "dhcp_range_begin")
    assert server.record("network", name) == before

    answer = server.save("network", name, {"dhcp": True, "dhcp_range_begin": host(cidr, 40),
                                           "dhcp_range_end": host(cidr, 50)})
    assert answer.status_code == 204, answer.text
    # moving the range over the node later is refused as well
    assert_error(server.save("network", name, {"dhcp_range_begin": host(cidr, 15)}),
                 400, "dhcp_range_begin")
    assert server.record("network", name)["dhcp_range_begin"] == host(cidr, 40)
    assert node_ip(server, node) == host(cidr, 20)


def test_gateway_onto_a_taken_address_is_refused(server):
    name, cidr = uniq("net"), cidr16()
    create_network(server, name, cidr)
    node = make_node(server, make_group(server, name))
    address = node_ip(server, node)
    body = assert_error(server.save("network", name, {"gateway": address}), 400, "gateway")
    assert node in body["message"]
    assert_error(server.save("network", name, {"ns_ip": address}), 400, "ns_ip")
    assert server.record("network", name)["gateway"] is None


def test_node_cannot_take_a_reserved_address(server):
    name, cidr = uniq("net"), cidr16()
    create_network(server, name, cidr, gateway=host(cidr, 1), dhcp=True,
                   dhcp_range_begin=host(cidr, 10), dhcp_range_end=host(cidr, 20))
    group = make_group(server, name)
    for reserved in (host(cidr, 0), host(cidr, 1), host(cidr, 15), host(cidr, 65535)):
        node = uniq("node")
        assert_error(server.save("node", node, {
            "group": group, "interfaces": [{"interface": "BOOTIF", "ipaddress": reserved}]}), 400)
        assert_error(server.get(f"/config/node/{node}"), 404)


def test_network_routes_require_a_token(server):
    name = uniq("net")
    create_network(server, name, cidr16())
    for path in ("", f"/{name}", f"/{name}/_list", f"/{name}/_nextfreeip", f"/{name}/10.0.0.1"):
        answer = server.http.get(f"{server.url}/config/network{path}", headers={"x-access-tokens": None})
        assert_error(answer, 401)
    answer = server.http.post(f"{server.url}/config/network/{name}/_delete",
                              headers={"x-access-tokens": None})
    assert_error(answer, 401)
    assert server.record("network", name)["name"] == name
