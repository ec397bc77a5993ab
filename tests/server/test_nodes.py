"""/config/node over HTTP: CRUD, addresses, rename, clone, delete, interfaces,
inheritance, MAC addresses, names, group moves, IPv6 and validation.

Every test uses its own names and networks: the server is shared by the
module (one per database engine) and overlapping networks are refused.
"""

import pytest

from conftest import addresses, assert_bad, cluster_network, make_group, make_node, next_free, taken

INHERITED = ("netboot", "bootmenu", "localinstall", "provision_method", "provision_fallback",
             "provision_interface", "prescript", "postscript", "partscript", "osimagetag")


# -- helpers -----------------------------------------------------------------

def node_body(name, fields):
    return {"config": {"node": {name: fields}}}


def address_status(server, network, ip):
    answer = server.get(f"/config/network/{network}/{ip}")
    assert answer.status_code == 200, answer.text
    return answer.json()["config"]["network"][ip]


def assert_absent(server, node):
    assert server.get(f"/config/node/{node}").status_code == 404
    assert node not in server.get("/config/node").json()["config"]["node"]


def post_interfaces(server, node, interfaces):
    return server.post(f"/config/node/{node}/interfaces",
                       node_body(node, {"interfaces": interfaces}))


@pytest.fixture(scope="module")
def basic(server):
    """A group "basic" with BOOTIF in network "basicnet" (10.10.0.0/16)."""
    cluster_network(server, "basicnet", "10.10.0.0/16")
    make_group(server, "basic", [("BOOTIF", "basicnet")])
    return "basic"


# -- list and get --------------------------------------------------------------

def test_list_and_get(server, basic):
    make_node(server, "lg-1", basic, comment="one")
    make_node(server, "lg-2", basic)
    answer = server.get("/config/node")
    assert answer.status_code == 200
    nodes = answer.json()["config"]["node"]
    assert {"lg-1", "lg-2"} <= set(nodes)
    assert nodes["lg-1"]["comment"] == "one"
    assert nodes["lg-1"]["group"] == basic
    answer = server.get("/config/node/lg-1")
    assert answer.status_code == 200
    assert answer.json() == {"config": {"node": {"lg-1": nodes["lg-1"]}}}


def test_get_unknown_is_404(server):
    answer = server.get("/config/node/no-such-node")
    assert answer.status_code == 404
    assert "no-such-node" in answer.json()["message"]


def test_record_has_the_spec_fields(server, basic):
    make_node(server, "rec-1", basic)
    record = server.record("node", "rec-1")
    for key in ("group", "interfaces", "macaddr", "switch", "switchport", "service", "setupbmc",
                "status", "comment", "osimage", "osimagetag", "prescript", "postscript",
                "partscript", "netboot", "bootmenu", "localinstall", "provision_interface",
                "provision_method", "provision_fallback", "tpm_uuid", "tpm_pubkey",
                "tpm_sha256", "_override"):
        assert key in record, key
    assert record["service"] is False
    assert record["macaddr"] is None
    assert record["_override"] is False


# -- create and update -----------------------------------------------------------

def test_create_201_then_partial_update_204(server, basic):
    answer = server.save("node", "cu-1", {"group": basic, "comment": "first", "status": "new",
                                          "switchport": 7, "service": True})
    assert answer.status_code == 201, answer.text
    assert "cu-1" in answer.json()["message"]
    before = server.record("node", "cu-1")
    answer = server.save("node", "cu-1", {"comment": "second"})
    assert answer.status_code == 204, answer.text
    assert answer.text == ""
    after = server.record("node", "cu-1")
    assert after["comment"] == "second"
    assert {k: v for k, v in after.items() if k != "comment"} == \
        {k: v for k, v in before.items() if k != "comment"}
    assert after["switchport"] == 7
    assert after["service"] is True
    assert after["interfaces"] == before["interfaces"]


def test_create_stores_every_plain_field(server, basic):
    fields = {"switchport": 65535, "service": True, "setupbmc": True, "status": "installer.ok",
              "comment": "c", "osimagetag": "v3", "prescript": "cHJl", "postscript": "cG9zdA==",
              "partscript": "cGFydA==", "netboot": False, "bootmenu": True, "localinstall": True,
              "provision_interface": "eth3", "provision_method": "http",
              "provision_fallback": "torrent", "tpm_uuid": "uuid-1", "tpm_pubkey": "key",
              "tpm_sha256": "abc"}
    make_node(server, "all-fields", basic, **fields)
    record = server.record("node", "all-fields")
    for key, value in fields.items():
        assert record[key] == value, key


def test_group_is_required_to_create(server):
    assert_bad(server.save("node", "nogroup-1", {"comment": "x"}), "group")
    assert_absent(server, "nogroup-1")
    assert_bad(server.save("node", "nogroup-1", {"group": None}), "group")
    assert_absent(server, "nogroup-1")


def test_unknown_group_is_refused(server):
    answer = server.save("node", "badgroup-1", {"group": "no-such-group"})
    assert_bad(answer, "group")
    assert "no-such-group" in answer.json()["message"]
    assert_absent(server, "badgroup-1")


def test_update_cannot_clear_the_group(server, basic):
    make_node(server, "clear-group", basic)
    assert_bad(server.save("node", "clear-group", {"group": None}), "group")
    assert server.record("node", "clear-group")["group"] == basic


@pytest.mark.parametrize("fields, field", [
    ({"netboot": "yes"}, "netboot"),
    ({"service": "true"}, "service"),
    ({"bootmenu": 0}, "bootmenu"),
    ({"switchport": -1}, "switchport"),
    ({"switchport": "1"}, "switchport"),
    ({"switchport": 65536}, "switchport"),
    ({"switchport": 1.5}, "switchport"),
    ({"switchport": True}, "switchport"),
    ({"provision_method": "tftp"}, "provision_method"),
    ({"status": 3}, "status"),
    ({"comment": ["x"]}, "comment"),
    ({"unknown_field": 1}, "unknown_field"),
    ({"_override": True}, "_override"),
    ({"interfaces": {"interface": "BOOTIF"}}, "interfaces"),
    ({"interfaces": ["BOOTIF"]}, "interfaces.0"),
    ({"interfaces": [{"network": "basicnet"}]}, "interfaces.0.interface"),
    ({"interfaces": [{"interface": "BOOTIF", "speed": 10}]}, "interfaces.0.speed"),
    ({"interfaces": [{"interface": "BOOTIF", "ipaddress": "10.10.0.300"}]},
     "interfaces.0.ipaddress"),
    ({"interfaces": [{"interface": "BOOTIF", "ipaddress": 5}]}, "interfaces.0.ipaddress"),
    ({"interfaces": [{"interface": "BOOTIF"}, {"interface": "BOOTIF"}]}, "interfaces.1.interface"),
])
def test_wrong_fields_are_refused_naming_the_field(server, basic, fields, field):
    answer = server.save("node", "wrong-1", {"group": basic, **fields})
    assert_bad(answer, field)
    assert_absent(server, "wrong-1")


def test_wrong_field_on_update_changes_nothing(server, basic):
    make_node(server, "wrong-upd", basic, comment="kept", switchport=3)
    before = server.record("node", "wrong-upd")
    assert_bad(server.save("node", "wrong-upd", {"comment": "lost", "switchport": -1}), "switchport")
    assert_bad(server.save("node", "wrong-upd", {"comment": "lost", "netboot": "yes"}), "netboot")
    assert server.record("node", "wrong-upd") == before


@pytest.mark.parametrize("field", ["osimage", "switch"])
def test_unknown_referenced_object_is_refused(server, basic, field):
    answer = server.save("node", f"ref-{field}", {"group": basic, field: "nothing-like-it"})
    assert_bad(answer, field)
    assert_absent(server, f"ref-{field}")


def test_body_must_name_the_node_of_the_url(server, basic):
    answer = server.post("/config/node/body-1", node_body("body-2", {"group": basic}))
    assert answer.status_code == 400
    assert_absent(server, "body-1")
    assert_absent(server, "body-2")
    answer = server.post("/config/node/body-1", {"config": {"node": {"body-1": {"group": basic}},
                                                            "group": {}}})
    assert answer.status_code == 400
    assert server.post("/config/node/body-1", data="[]").status_code == 400
    assert server.post("/config/node/body-1").status_code == 400
    assert_absent(server, "body-1")


# -- names -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["node_1", "-bad", "bad-", "a" * 64, "node.1", "nöde"])
def test_invalid_host_name_in_the_url_is_refused(server, basic, name):
    assert_bad(server.save("node", name, {"group": basic}), "name")
    assert server.get(f"/config/node/{name}").status_code == 404
    assert name not in server.get("/config/node").json()["config"]["node"]
    assert name not in taken(server, "basicnet").values()


def test_longest_valid_host_name_is_accepted(server, basic):
    name = "n" * 63
    make_node(server, name, basic)
    assert server.record("node", name)["group"] == basic


@pytest.mark.parametrize("name", ["node_2", "-bad", "a" * 64])
def test_invalid_new_host_name_is_refused(server, basic, name):
    if server.get("/config/node/badrename-src").status_code == 404:
        make_node(server, "badrename-src", basic)
    answer = server.save("node", "badrename-src", {"newhostname": name})
    assert_bad(answer, "newhostname")
    assert server.get("/config/node/badrename-src").status_code == 200
    answer = server.post("/config/node/badrename-src/_clone",
                         node_body("badrename-src", {"newhostname": name}))
    assert_bad(answer, "newhostname")
    assert server.get(f"/config/node/{name}").status_code == 404


def test_names_differing_only_in_case_are_one_host_name(server, basic):
    """DNS compares names without case: NODE-CASE would be node-case in a zone."""
    make_node(server, "node-case", basic)
    answer = server.save("node", "NODE-Case", {"group": basic})
    assert answer.status_code == 409, answer.text
    assert answer.json()["field"] == "name" and "node-case" in answer.json()["message"]
    make_node(server, "other-case", basic)
    answer = server.save("node", "other-case", {"newhostname": "Node-CASE"})
    assert answer.status_code == 409 and answer.json()["field"] == "newhostname"
    answer = server.post("/config/node/other-case/_clone",
                         node_body("other-case", {"newhostname": "NODE-CASE"}))
    assert answer.status_code == 409
    assert "NODE-Case" not in server.get("/config/node").json()["config"]["node"]
    # A rename may change just the case of the node's own name.
    assert server.save("node", "node-case", {"newhostname": "Node-Case"}).status_code == 204
    assert server.record("node", "Node-Case")["group"] == basic


# -- addresses on creation -----------------------------------------------------------

def test_creation_numbers_every_group_interface_first_free(server):
    cluster_network(server, "alloc-a", "10.20.0.0/24", gateway="10.20.0.1",
                    dhcp=True, dhcp_range_begin="10.20.0.2", dhcp_range_end="10.20.0.10")
    cluster_network(server, "alloc-b", "10.20.1.0/24")
    cluster_network(server, "alloc-c", "10.20.2.0/24")
    make_group(server, "alloc", [("BOOTIF", "alloc-a"), ("BMC", "alloc-b"), ("ib0", "alloc-c")])
    make_node(server, "alloc-1", "alloc")
    # The gateway and the DHCP range are never handed out.
    assert addresses(server, "alloc-1") == {"BOOTIF": ("alloc-a", "10.20.0.11"),
                                            "BMC": ("alloc-b", "10.20.1.1"),
                                            "ib0": ("alloc-c", "10.20.2.1")}
    assert [i["interface"] for i in server.record("node", "alloc-1")["interfaces"]] == \
        ["BOOTIF", "BMC", "ib0"]
    make_node(server, "alloc-2", "alloc")
    assert addresses(server, "alloc-2") == {"BOOTIF": ("alloc-a", "10.20.0.12"),
                                            "BMC": ("alloc-b", "10.20.1.2"),
                                            "ib0": ("alloc-c", "10.20.2.2")}
    assert taken(server, "alloc-b") == {"10.20.1.1": "alloc-1", "10.20.1.2": "alloc-2"}
    listing = taken(server, "alloc-a")
    assert listing["10.20.0.11"] == "alloc-1"
    assert listing["10.20.0.12"] == "alloc-2"
    assert address_status(server, "alloc-c", "10.20.2.2") == {"status": "taken", "device": "alloc-2"}
    # A hole left by a deleted node is the first free address again.
    assert server.get("/config/node/alloc-1/_delete").status_code == 204
    assert next_free(server, "alloc-a") == "10.20.0.11"
    make_node(server, "alloc-3", "alloc")
    assert addresses(server, "alloc-3")["BOOTIF"] == ("alloc-a", "10.20.0.11")
    make_node(server, "alloc-4", "alloc")
    assert addresses(server, "alloc-4")["BMC"] == ("alloc-b", "10.20.1.3")


def test_node_of_a_group_without_interfaces_has_none(server):
    make_group(server, "noif")
    make_node(server, "noif-1", "noif")
    assert server.record("node", "noif-1")["interfaces"] == []
    answer = server.get("/config/node/noif-1/interfaces")
    assert answer.status_code == 200
    assert answer.json()["config"]["node"]["noif-1"]["interfaces"] == []


def test_explicit_address_is_honoured(server):
    cluster_network(server, "expl-a", "10.21.0.0/24")
    cluster_network(server, "expl-b", "10.21.1.0/24")
    make_group(server, "expl", [("BOOTIF", "expl-a"), ("BMC", "expl-b")])
    make_node(server, "expl-1", "expl", interfaces=[{"interface": "BMC", "ipaddress": "10.21.1.77"}])
    assert addresses(server, "expl-1") == {"BOOTIF": ("expl-a", "10.21.0.1"),
                                           "BMC": ("expl-b", "10.21.1.77")}
    make_node(server, "expl-2", "expl", interfaces=[
        {"interface": "BOOTIF", "network": "expl-a", "ipaddress": "10.21.0.200"}])
    assert addresses(server, "expl-2") == {"BOOTIF": ("expl-a", "10.21.0.200"),
                                           "BMC": ("expl-b", "10.21.1.1")}
    # An extra interface in the body comes along with the group's.
    make_node(server, "expl-3", "expl", interfaces=[
        {"interface": "eth9", "network": "expl-b", "ipaddress": "10.21.1.99"}])
    assert addresses(server, "expl-3") == {"BOOTIF": ("expl-a", "10.21.0.2"),
                                           "BMC": ("expl-b", "10.21.1.2"),
                                           "eth9": ("expl-b", "10.21.1.99")}


def test_explicit_address_that_is_the_next_free_one(server):
    """An address asked for wins over the automatic numbering of the same request."""
    cluster_network(server, "expl2-a", "10.21.2.0/24")
    make_group(server, "expl2", [("BOOTIF", "expl2-a")])
    assert next_free(server, "expl2-a") == "10.21.2.1"
    make_node(server, "expl2-1", "expl2", interfaces=[
        {"interface": "eth1", "network": "expl2-a", "ipaddress": "10.21.2.1"}])
    assert addresses(server, "expl2-1") == {"BOOTIF": ("expl2-a", "10.21.2.2"),
                                            "eth1": ("expl2-a", "10.21.2.1")}
    assert taken(server, "expl2-a") == {"10.21.2.1": "expl2-1", "10.21.2.2": "expl2-1"}


def test_same_address_asked_twice_in_one_request_is_refused(server):
    cluster_network(server, "expl3-a", "10.21.3.0/24")
    make_group(server, "expl3", [("BOOTIF", "expl3-a")])
    answer = server.save("node", "expl3-1", {"group": "expl3", "interfaces": [
        {"interface": "eth1", "network": "expl3-a", "ipaddress": "10.21.3.9"},
        {"interface": "eth2", "network": "expl3-a", "ipaddress": "10.21.3.9"}]})
    assert_bad(answer, "interfaces.1.ipaddress")
    assert_absent(server, "expl3-1")
    make_node(server, "expl3-2", "expl3")
    answer = post_interfaces(server, "expl3-2", [
        {"interface": "eth1", "network": "expl3-a", "ipaddress": "10.21.3.9"},
        {"interface": "BOOTIF", "ipaddress": "10.21.3.9"}])
    assert_bad(answer, "interfaces.1.ipaddress")
    assert addresses(server, "expl3-2") == {"BOOTIF": ("expl3-a", "10.21.3.1")}


@pytest.fixture(scope="module")
def reserved(server):
    """Group "resv": BOOTIF on resv-a (gateway .1, DHCP .200-.250), BMC on resv-b.

    Node "resv-holder" has 10.22.0.2 and 10.22.1.1."""
    cluster_network(server, "resv-a", "10.22.0.0/24", gateway="10.22.0.1",
                    dhcp=True, dhcp_range_begin="10.22.0.200", dhcp_range_end="10.22.0.250")
    cluster_network(server, "resv-b", "10.22.1.0/24")
    make_group(server, "resv", [("BOOTIF", "resv-a"), ("BMC", "resv-b")])
    make_node(server, "resv-holder", "resv")
    assert addresses(server, "resv-holder") == {"BOOTIF": ("resv-a", "10.22.0.2"),
                                                "BMC": ("resv-b", "10.22.1.1")}
    return "resv"


@pytest.mark.parametrize("ip, why", [
    ("10.99.0.5", "not in network"),
    ("10.22.0.0", "reserved"),      # the network address
    ("10.22.0.255", "reserved"),    # broadcast
    ("10.22.0.1", "reserved"),      # gateway
    ("10.22.0.200", "reserved"),    # DHCP range, first
    ("10.22.0.222", "reserved"),    # DHCP range
    ("10.22.0.250", "reserved"),    # DHCP range, last
    ("10.22.0.2", "taken by resv-holder"),
    ("fd00::1", "not in network"),
])
def test_refused_explicit_address_creates_nothing(server, reserved, ip, why):
    before = taken(server, "resv-b")
    answer = server.save("node", "resv-new", {"group": reserved, "interfaces": [
        {"interface": "BMC", "ipaddress": "10.22.1.50"},
        {"interface": "BOOTIF", "ipaddress": ip}]})
    assert_bad(answer, "interfaces.1.ipaddress")
    assert why in answer.json()["message"]
    assert_absent(server, "resv-new")
    assert taken(server, "resv-b") == before
    assert "resv-new" not in taken(server, "resv-a").values()


def test_refused_explicit_address_on_update_changes_nothing(server, reserved):
    make_node(server, "resv-upd", reserved)
    before = server.record("node", "resv-upd")
    for ip in ("10.22.0.1", "10.22.0.2", "10.22.0.210", "10.23.0.1"):
        answer = server.save("node", "resv-upd", {"comment": "changed", "interfaces": [
            {"interface": "BOOTIF", "ipaddress": ip}]})
        assert_bad(answer, "interfaces.0.ipaddress")
        answer = post_interfaces(server, "resv-upd", [{"interface": "BOOTIF", "ipaddress": ip}])
        assert_bad(answer, "interfaces.0.ipaddress")
    assert server.record("node", "resv-upd") == before


def test_changing_an_address_frees_the_old_one(server):
    cluster_network(server, "chg-a", "10.24.0.0/24")
    make_group(server, "chg", [("BOOTIF", "chg-a")])
    make_node(server, "chg-1", "chg")
    assert addresses(server, "chg-1")["BOOTIF"] == ("chg-a", "10.24.0.1")
    answer = server.save("node", "chg-1", {"interfaces": [{"interface": "BOOTIF", "ipaddress": "10.24.0.40"}]})
    assert answer.status_code == 204, answer.text
    assert addresses(server, "chg-1")["BOOTIF"] == ("chg-a", "10.24.0.40")
    assert taken(server, "chg-a") == {"10.24.0.40": "chg-1"}
    assert next_free(server, "chg-a") == "10.24.0.1"
    # Asking for the address it has already is fine.
    answer = server.save("node", "chg-1", {"interfaces": [{"interface": "BOOTIF", "ipaddress": "10.24.0.40"}]})
    assert answer.status_code == 204, answer.text
    assert addresses(server, "chg-1")["BOOTIF"] == ("chg-a", "10.24.0.40")


# -- rename ----------------------------------------------------------------------------

def test_rename_keeps_interfaces_and_addresses(server):
    cluster_network(server, "ren-a", "10.25.0.0/24")
    cluster_network(server, "ren-b", "10.25.1.0/24")
    make_group(server, "ren", [("BOOTIF", "ren-a"), ("BMC", "ren-b")])
    make_node(server, "ren-old", "ren", macaddr="02:00:00:00:25:01", comment="me")
    before = server.record("node", "ren-old")
    answer = server.save("node", "ren-old", {"newhostname": "ren-new"})
    assert answer.status_code == 204, answer.text
    assert_absent(server, "ren-old")
    after = server.record("node", "ren-new")
    assert after == before
    assert taken(server, "ren-a") == {"10.25.0.1": "ren-new"}
    assert taken(server, "ren-b") == {"10.25.1.1": "ren-new"}
    assert address_status(server, "ren-b", "10.25.1.1") == {"status": "taken", "device": "ren-new"}
    assert server.get("/config/group/ren/_list").json()["config"]["group"]["ren"]["members"] == ["ren-new"]
    # The old name is free again, and a new node by that name gets new addresses.
    make_node(server, "ren-old", "ren")
    assert addresses(server, "ren-old") == {"BOOTIF": ("ren-a", "10.25.0.2"),
                                            "BMC": ("ren-b", "10.25.1.2")}


def test_rename_with_changes_in_one_request(server, basic):
    make_node(server, "ren2-old", basic, comment="a")
    answer = server.save("node", "ren2-old", {"newhostname": "ren2-new", "comment": "b"})
    assert answer.status_code == 204, answer.text
    assert server.record("node", "ren2-new")["comment"] == "b"
    assert_absent(server, "ren2-old")


def test_rename_onto_an_existing_node_is_a_conflict(server, basic):
    make_node(server, "ren3-a", basic, comment="a")
    make_node(server, "ren3-b", basic, comment="b")
    a, b = server.record("node", "ren3-a"), server.record("node", "ren3-b")
    answer = server.save("node", "ren3-a", {"newhostname": "ren3-b", "comment": "x"})
    assert answer.status_code == 409, answer.text
    assert answer.json().get("field") == "newhostname"
    assert server.record("node", "ren3-a") == a
    assert server.record("node", "ren3-b") == b


def test_rename_of_an_unknown_node_creates_nothing(server, basic):
    # Without a group there is nothing to create; with one, the node is made
    # under the new name (create-or-update with a rename).
    assert_bad(server.save("node", "ren4-none", {"newhostname": "ren4-new"}), "group")
    assert_absent(server, "ren4-none")
    assert_absent(server, "ren4-new")


# -- clone --------------------------------------------------------------------------------

def test_clone_gets_new_addresses_and_no_mac(server):
    cluster_network(server, "cl-a", "10.26.0.0/24")
    cluster_network(server, "cl-b", "10.26.1.0/24")
    make_group(server, "cl", [("BOOTIF", "cl-a"), ("BMC", "cl-b")])
    make_node(server, "cl-src", "cl", macaddr="02:00:00:00:26:01", comment="src", netboot=False,
              switchport=12, status="installer.completed", tpm_uuid="tpm-1",
              interfaces=[{"interface": "eth5", "network": "cl-b", "ipaddress": "10.26.1.50"}])
    source = server.record("node", "cl-src")
    answer = server.post("/config/node/cl-src/_clone", node_body("cl-src", {"newhostname": "cl-dst"}))
    assert answer.status_code == 201, answer.text
    copy = server.record("node", "cl-dst")
    assert copy["macaddr"] is None
    assert copy["status"] is None
    assert copy["tpm_uuid"] is None
    for key in ("group", "comment", "netboot", "switchport", "_override"):
        assert copy[key] == source[key], key
    assert addresses(server, "cl-dst") == {"BOOTIF": ("cl-a", "10.26.0.2"),
                                           "BMC": ("cl-b", "10.26.1.2"),
                                           "eth5": ("cl-b", "10.26.1.3")}
    assert addresses(server, "cl-src") == {i["interface"]: (i["network"], i["ipaddress"])
                                           for i in source["interfaces"]}
    assert server.record("node", "cl-src")["macaddr"] == "02:00:00:00:26:01"
    assert taken(server, "cl-b") == {"10.26.1.1": "cl-src", "10.26.1.50": "cl-src",
                                     "10.26.1.2": "cl-dst", "10.26.1.3": "cl-dst"}


def test_clone_takes_overrides_from_the_body(server):
    cluster_network(server, "cl2-a", "10.26.2.0/24")
    make_group(server, "cl2", [("BOOTIF", "cl2-a")])
    make_node(server, "cl2-src", "cl2", comment="src", bootmenu=True)
    answer = server.post("/config/node/cl2-src/_clone", node_body("cl2-src", {
        "newhostname": "cl2-dst", "comment": "dst", "macaddr": "02-00-00-00-26-02",
        "interfaces": [{"interface": "BOOTIF", "ipaddress": "10.26.2.100"}]}))
    assert answer.status_code == 201, answer.text
    copy = server.record("node", "cl2-dst")
    assert copy["comment"] == "dst"
    assert copy["bootmenu"] is True
    assert copy["macaddr"] == "02:00:00:00:26:02"
    assert addresses(server, "cl2-dst") == {"BOOTIF": ("cl2-a", "10.26.2.100")}
    assert server.record("node", "cl2-src")["comment"] == "src"


def test_clone_requires_newhostname(server, basic):
    make_node(server, "cl3-src", basic)
    answer = server.post("/config/node/cl3-src/_clone", node_body("cl3-src", {"comment": "x"}))
    assert_bad(answer, "newhostname")


def test_clone_refusals_create_nothing(server):
    cluster_network(server, "cl4-a", "10.26.4.0/24")
    make_group(server, "cl4", [("BOOTIF", "cl4-a")])
    make_node(server, "cl4-src", "cl4", macaddr="02:00:00:00:26:04")
    make_node(server, "cl4-other", "cl4", comment="other")
    before = taken(server, "cl4-a")
    answer = server.post("/config/node/cl4-src/_clone",
                         node_body("cl4-src", {"newhostname": "cl4-other"}))
    assert answer.status_code == 409, answer.text
    assert server.record("node", "cl4-other")["comment"] == "other"
    answer = server.post("/config/node/cl4-src/_clone", node_body("cl4-src", {
        "newhostname": "cl4-dst", "macaddr": "02:00:00:00:26:04"}))
    assert_bad(answer, "macaddr")
    answer = server.post("/config/node/cl4-src/_clone", node_body("cl4-src", {
        "newhostname": "cl4-dst", "interfaces": [{"interface": "BOOTIF", "ipaddress": "10.26.4.1"}]}))
    assert_bad(answer, "interfaces.0.ipaddress")
    answer = server.post("/config/node/cl4-src/_clone", node_body("cl4-src", {
        "newhostname": "cl4-dst", "netboot": "no"}))
    assert_bad(answer, "netboot")
    assert_absent(server, "cl4-dst")
    assert taken(server, "cl4-a") == before
    answer = server.post("/config/node/cl4-none/_clone", node_body("cl4-none", {"newhostname": "cl4-dst"}))
    assert answer.status_code == 404, answer.text
    assert_absent(server, "cl4-dst")


# -- delete -------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST"])
def test_delete_frees_addresses(server, method):
    net = f"del-{method.lower()}"
    cluster_network(server, net, "10.27.0.0/24" if method == "GET" else "10.27.1.0/24")
    make_group(server, net, [("BOOTIF", net), ("eth1", net)])
    make_node(server, f"{net}-1", net, macaddr="02:00:00:00:27:0" + ("1" if method == "GET" else "2"))
    make_node(server, f"{net}-2", net)
    mine = {ip for dummy, ip in addresses(server, f"{net}-1").values()}
    assert len(mine) == 2
    answer = server.http.request(method, f"{server.url}/config/node/{net}-1/_delete")
    assert answer.status_code == 204, answer.text
    assert_absent(server, f"{net}-1")
    listing = taken(server, net)
    assert not mine & set(listing)
    assert set(listing.values()) == {f"{net}-2"}
    for ip in mine:
        assert address_status(server, net, ip) == {"status": "free"}
    assert next_free(server, net) == min(mine, key=lambda ip: int(ip.rsplit(".", 1)[1]))
    assert server.get(f"/config/group/{net}/_list").json()["config"]["group"][net]["members"] == [f"{net}-2"]
    answer = server.http.request(method, f"{server.url}/config/node/{net}-1/_delete")
    assert answer.status_code == 404
    # Its MAC address and name are free for another node.
    make_node(server, f"{net}-3", net, macaddr="02:00:00:00:27:0" + ("1" if method == "GET" else "2"))
    make_node(server, f"{net}-1", net)


def test_deleting_every_node_leaves_nothing_behind(server):
    cluster_network(server, "del3-a", "10.27.2.0/24")
    cluster_network(server, "del3-b", "10.27.3.0/24")
    make_group(server, "del3", [("BOOTIF", "del3-a"), ("BMC", "del3-b")])
    make_node(server, "del3-1", "del3")
    make_node(server, "del3-2", "del3")
    assert server.post("/config/node/del3-1/_clone", node_body("del3-1", {"newhostname": "del3-3"})).status_code == 201
    assert server.save("node", "del3-2", {"newhostname": "del3-4"}).status_code == 204
    for node in ("del3-1", "del3-3", "del3-4"):
        assert server.get(f"/config/node/{node}/_delete").status_code == 204
    assert taken(server, "del3-a") == {}
    assert taken(server, "del3-b") == {}
    # Nothing refers to the group or the networks any more: they can go.
    assert server.get("/config/group/del3/_delete").status_code == 204
    assert server.get("/config/network/del3-a/_delete").status_code == 204
    assert server.get("/config/network/del3-b/_delete").status_code == 204


# -- interfaces endpoints -------------------------------------------------------------------

def test_interface_endpoints(server):
    cluster_network(server, "ifs-a", "10.28.0.0/24")
    cluster_network(server, "ifs-b", "10.28.1.0/24")
    make_group(server, "ifs", [("BOOTIF", "ifs-a")])
    make_node(server, "ifs-1", "ifs")
    answer = server.get("/config/node/ifs-1/interfaces")
    assert answer.status_code == 200
    assert answer.json() == {"config": {"node": {"ifs-1": {"interfaces": [
        {"interface": "BOOTIF", "network": "ifs-a", "ipaddress": "10.28.0.1"}]}}}}
    # Add an extra interface, first free and explicit.
    answer = post_interfaces(server, "ifs-1", [{"interface": "eth1", "network": "ifs-b"},
                                               {"interface": "eth2", "network": "ifs-b",
                                                "ipaddress": "10.28.1.20"}])
    assert answer.status_code == 204, answer.text
    assert addresses(server, "ifs-1") == {"BOOTIF": ("ifs-a", "10.28.0.1"),
                                          "eth1": ("ifs-b", "10.28.1.1"),
                                          "eth2": ("ifs-b", "10.28.1.20")}
    answer = server.get("/config/node/ifs-1/interfaces/eth2")
    assert answer.status_code == 200
    assert answer.json() == {"config": {"node": {"ifs-1": {"interfaces": [
        {"interface": "eth2", "network": "ifs-b", "ipaddress": "10.28.1.20"}]}}}}
    # Change an address; the network may be left out for an interface it has.
    answer = post_interfaces(server, "ifs-1", [{"interface": "BOOTIF", "ipaddress": "10.28.0.9"}])
    assert answer.status_code == 204, answer.text
    assert addresses(server, "ifs-1")["BOOTIF"] == ("ifs-a", "10.28.0.9")
    # Move an interface to another network: it is numbered there.
    answer = post_interfaces(server, "ifs-1", [{"interface": "eth1", "network": "ifs-a"}])
    assert answer.status_code == 204, answer.text
    assert addresses(server, "ifs-1")["eth1"] == ("ifs-a", "10.28.0.1")
    assert taken(server, "ifs-b") == {"10.28.1.20": "ifs-1"}
    # Delete one: GET and POST.
    assert server.get("/config/node/ifs-1/interfaces/eth2/_delete").status_code == 204
    assert server.get("/config/node/ifs-1/interfaces/eth2").status_code == 404
    assert server.post("/config/node/ifs-1/interfaces/eth1/_delete").status_code == 204
    assert addresses(server, "ifs-1") == {"BOOTIF": ("ifs-a", "10.28.0.9")}
    assert taken(server, "ifs-b") == {}
    assert taken(server, "ifs-a") == {"10.28.0.9": "ifs-1"}


def test_interface_endpoint_errors(server):
    cluster_network(server, "ife-a", "10.28.2.0/24")
    make_group(server, "ife", [("BOOTIF", "ife-a")])
    make_node(server, "ife-1", "ife")
    before = server.record("node", "ife-1")
    # A new interface needs a network.
    assert_bad(post_interfaces(server, "ife-1", [{"interface": "eth7"}]), "interfaces.0.network")
    assert_bad(post_interfaces(server, "ife-1", [{"interface": "eth7", "network": "nowhere"}]),
               "interfaces.0.network")
    assert_bad(post_interfaces(server, "ife-1", [{"interface": "eth7", "network": "ife-a",
                                                  "bogus": 1}]), "interfaces.0.bogus")
    assert_bad(server.post("/config/node/ife-1/interfaces", node_body("ife-1", {})), "interfaces")
    assert_bad(server.post("/config/node/ife-1/interfaces", node_body("ife-1", {
        "interfaces": [], "comment": "x"})), "comment")
    assert server.record("node", "ife-1") == before
    assert server.get("/config/node/ife-1/interfaces/eth7").status_code == 404
    assert server.get("/config/node/ife-1/interfaces/eth7/_delete").status_code == 404
    assert server.get("/config/node/ife-none/interfaces").status_code == 404
    assert server.get("/config/node/ife-none/interfaces/BOOTIF").status_code == 404
    assert server.get("/config/node/ife-none/interfaces/BOOTIF/_delete").status_code == 404
    answer = post_interfaces(server, "ife-none", [{"interface": "BOOTIF", "network": "ife-a"}])
    assert answer.status_code == 404, answer.text
    assert_absent(server, "ife-none")


def test_interfaces_in_the_node_body(server):
    cluster_network(server, "ifb-a", "10.28.3.0/24")
    make_group(server, "ifb", [("BOOTIF", "ifb-a")])
    make_node(server, "ifb-1", "ifb")
    answer = server.save("node", "ifb-1", {"interfaces": [
        {"interface": "eth1", "network": "ifb-a", "ipaddress": "10.28.3.30"}]})
    assert answer.status_code == 204, answer.text
    assert addresses(server, "ifb-1") == {"BOOTIF": ("ifb-a", "10.28.3.1"),
                                          "eth1": ("ifb-a", "10.28.3.30")}
    assert_bad(server.save("node", "ifb-1", {"interfaces": [{"interface": "eth2"}]}),
               "interfaces.0.network")
    assert set(addresses(server, "ifb-1")) == {"BOOTIF", "eth1"}


# -- inheritance ------------------------------------------------------------------------------

def test_unset_fields_come_from_the_group(server):
    make_group(server, "inh", netboot=False, bootmenu=True, localinstall=True,
               provision_method="http", provision_fallback="torrent", provision_interface="eth0",
               prescript="cHJl", postscript="cG9zdA==", partscript="cGFydA==", osimagetag="gv1")
    group = server.record("group", "inh")
    make_node(server, "inh-1", "inh")
    node = server.record("node", "inh-1")
    for field in INHERITED:
        assert node[field] == group[field], field
        assert node[f"_{field}_source"] == "group", field
    assert node["_override"] is False


def test_unset_everywhere_comes_from_the_cluster_or_defaults(server):
    make_group(server, "inh0")
    make_node(server, "inh0-1", "inh0")
    node = server.record("node", "inh0-1")
    cluster = server.get("/config/cluster").json()["config"]["cluster"]
    assert (node["provision_method"], node["_provision_method_source"]) == \
        (cluster["provision_method"], "cluster")
    assert (node["provision_fallback"], node["_provision_fallback_source"]) == \
        (cluster["provision_fallback"], "cluster")
    assert (node["netboot"], node["_netboot_source"]) == (True, "default")
    assert (node["bootmenu"], node["_bootmenu_source"]) == (False, "default")
    assert (node["localinstall"], node["_localinstall_source"]) == (False, "default")
    assert node["_prescript_source"] == "default"
    assert node["_osimagetag_source"] == "default"
    assert node["_override"] is False


@pytest.mark.parametrize("field, own, group_value", [
    ("netboot", False, True),
    ("bootmenu", True, False),
    ("localinstall", True, False),
    ("provision_method", "http", "torrent"),
    ("provision_fallback", "torrent", "http"),
    ("provision_interface", "eth9", "BOOTIF"),
    ("prescript", "bm9kZQ==", "Z3JvdXA="),
    ("osimagetag", "node-tag", "group-tag"),
])
def test_own_value_overrides_and_null_inherits_again(server, field, own, group_value):
    group = f"ovr-{field.replace('_', '-')}"
    make_group(server, group, **{field: group_value})
    make_node(server, f"{group}-n", group)
    node = server.record("node", f"{group}-n")
    assert (node[field], node[f"_{field}_source"], node["_override"]) == (group_value, "group", False)
    assert server.save("node", f"{group}-n", {field: own}).status_code == 204
    node = server.record("node", f"{group}-n")
    assert (node[field], node[f"_{field}_source"], node["_override"]) == (own, "node", True)
    # The group changing does not reach a node with its own value.
    other = "torrent" if group_value == "http" else ("http" if group_value == "torrent" else None)
    if isinstance(group_value, bool):
        other = not group_value
    if other is None:
        other = group_value + "x" if field != "prescript" else "b3RoZXI="
    assert server.save("group", group, {field: other}).status_code == 204
    assert server.record("node", f"{group}-n")[field] == own
    assert server.save("node", f"{group}-n", {field: None}).status_code == 204
    node = server.record("node", f"{group}-n")
    assert (node[field], node[f"_{field}_source"], node["_override"]) == (other, "group", False)


def test_own_value_equal_to_the_group_still_says_node(server):
    make_group(server, "same", netboot=True)
    make_node(server, "same-1", "same", netboot=True)
    node = server.record("node", "same-1")
    assert (node["netboot"], node["_netboot_source"], node["_override"]) == (True, "node", True)


# -- MAC addresses ------------------------------------------------------------------------------

@pytest.mark.parametrize("node, spelling", [("mac-dashes", "AA-BB-CC-DD-EE-01"),
                                            ("mac-dots", "aabb.ccdd.ee01"),
                                            ("mac-upper", "AA:BB:CC:DD:EE:01"),
                                            ("mac-lower", "aa:bb:cc:dd:ee:01")])
def test_mac_is_stored_lower_case_with_colons(server, basic, node, spelling):
    make_node(server, node, basic, macaddr=spelling)
    assert server.record("node", node)["macaddr"] == "aa:bb:cc:dd:ee:01"
    # The next node with the same address, in any spelling, is refused.
    answer = server.save("node", node + "x", {"group": basic, "macaddr": "aabb.ccdd.ee01"})
    assert_bad(answer, "macaddr")
    assert node in answer.json()["message"]
    assert_absent(server, node + "x")
    assert server.get(f"/config/node/{node}/_delete").status_code == 204


def test_duplicate_mac_on_update_is_refused(server, basic):
    make_node(server, "macu-1", basic, macaddr="02:00:00:00:00:a1")
    make_node(server, "macu-2", basic, macaddr="02:00:00:00:00:a2")
    assert_bad(server.save("node", "macu-2", {"macaddr": "02-00-00-00-00-A1", "comment": "x"}), "macaddr")
    assert server.record("node", "macu-2")["macaddr"] == "02:00:00:00:00:a2"
    assert server.record("node", "macu-2")["comment"] is None
    # Saving a node with its own MAC address is no conflict, and null clears it.
    assert server.save("node", "macu-1", {"macaddr": "02:00:00:00:00:A1"}).status_code == 204
    assert server.save("node", "macu-1", {"macaddr": None}).status_code == 204
    assert server.record("node", "macu-1")["macaddr"] is None
    assert server.save("node", "macu-2", {"macaddr": "02:00:00:00:00:a1"}).status_code == 204
    assert server.record("node", "macu-2")["macaddr"] == "02:00:00:00:00:a1"


@pytest.mark.parametrize("mac", ["aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:ff:00", "gg:bb:cc:dd:ee:ff",
                                 "aabbccddeeff00", "aa bb cc dd ee ff", "", 123456])
def test_invalid_mac_is_refused(server, basic, mac):
    assert_bad(server.save("node", "macbad-1", {"group": basic, "macaddr": mac}), "macaddr")
    assert_absent(server, "macbad-1")


# -- moving between groups -------------------------------------------------------------------------

def test_move_keeps_addresses_in_the_same_network_and_renumbers_the_rest(server):
    cluster_network(server, "mv-boot", "10.29.0.0/24")
    cluster_network(server, "mv-bmc1", "10.29.1.0/24")
    cluster_network(server, "mv-bmc2", "10.29.2.0/24")
    cluster_network(server, "mv-ib", "10.29.3.0/24")
    make_group(server, "mv-from", [("BOOTIF", "mv-boot"), ("BMC", "mv-bmc1"), ("ib0", "mv-ib")])
    make_group(server, "mv-to", [("BOOTIF", "mv-boot"), ("BMC", "mv-bmc2"), ("eth5", "mv-ib")])
    make_node(server, "mv-filler", "mv-to")  # holds the first addresses of mv-to's networks
    make_node(server, "mv-1", "mv-from", interfaces=[{"interface": "BOOTIF", "ipaddress": "10.29.0.50"}])
    assert addresses(server, "mv-1") == {"BOOTIF": ("mv-boot", "10.29.0.50"),
                                         "BMC": ("mv-bmc1", "10.29.1.1"),
                                         "ib0": ("mv-ib", "10.29.3.2")}
    answer = server.save("node", "mv-1", {"group": "mv-to"})
    assert answer.status_code == 204, answer.text
    assert server.record("node", "mv-1")["group"] == "mv-to"
    assert addresses(server, "mv-1") == {
        "BOOTIF": ("mv-boot", "10.29.0.50"),  # same network: kept
        "BMC": ("mv-bmc2", "10.29.2.2"),      # other network: renumbered, first free
        "ib0": ("mv-ib", "10.29.3.2"),        # not in the new group: kept
        "eth5": ("mv-ib", "10.29.3.3"),       # new in the new group: numbered
    }
    assert taken(server, "mv-bmc1") == {}
    assert taken(server, "mv-bmc2") == {"10.29.2.1": "mv-filler", "10.29.2.2": "mv-1"}
    assert server.get("/config/group/mv-from/_list").json()["config"]["group"]["mv-from"]["members"] == []
    assert sorted(server.get("/config/group/mv-to/_list").json()["config"]["group"]["mv-to"]["members"]) \
        == ["mv-1", "mv-filler"]
    # Saving the same group again changes nothing.
    before = server.record("node", "mv-1")
    assert server.save("node", "mv-1", {"group": "mv-to"}).status_code == 204
    assert server.record("node", "mv-1") == before


def test_move_with_an_explicit_address_in_the_same_request(server):
    cluster_network(server, "mv2-a", "10.29.4.0/24")
    cluster_network(server, "mv2-b", "10.29.5.0/24")
    make_group(server, "mv2-from", [("BOOTIF", "mv2-a")])
    make_group(server, "mv2-to", [("BOOTIF", "mv2-b")])
    make_node(server, "mv2-1", "mv2-from")
    answer = server.save("node", "mv2-1", {"group": "mv2-to", "interfaces": [
        {"interface": "BOOTIF", "ipaddress": "10.29.5.77"}]})
    assert answer.status_code == 204, answer.text
    assert addresses(server, "mv2-1") == {"BOOTIF": ("mv2-b", "10.29.5.77")}
    assert taken(server, "mv2-a") == {}


def test_move_into_a_full_network_changes_nothing(server):
    cluster_network(server, "mv3-a", "10.29.6.0/24")
    cluster_network(server, "mv3-full", "10.29.7.0/30")  # two host addresses
    make_group(server, "mv3-from", [("BOOTIF", "mv3-a")])
    make_group(server, "mv3-to", [("BOOTIF", "mv3-full")])
    make_node(server, "mv3-f1", "mv3-to")
    make_node(server, "mv3-f2", "mv3-to")
    make_node(server, "mv3-1", "mv3-from")
    before = server.record("node", "mv3-1")
    answer = server.save("node", "mv3-1", {"group": "mv3-to", "comment": "moved"})
    assert answer.status_code == 400, answer.text
    assert server.record("node", "mv3-1") == before
    assert_bad(server.save("node", "mv3-2", {"group": "mv3-to"}), "interfaces")
    assert_absent(server, "mv3-2")


def test_failed_creation_leaves_no_address_behind(server):
    cluster_network(server, "tx-ok", "10.29.8.0/24")
    cluster_network(server, "tx-full", "10.29.9.0/30")  # two host addresses
    make_group(server, "tx", [("BOOTIF", "tx-ok"), ("ib0", "tx-full")])
    make_node(server, "tx-1", "tx")
    make_node(server, "tx-2", "tx")
    before = taken(server, "tx-ok")
    assert next_free(server, "tx-ok") == "10.29.8.3"
    assert_bad(server.save("node", "tx-3", {"group": "tx"}), "interfaces")
    assert_absent(server, "tx-3")
    assert taken(server, "tx-ok") == before
    assert next_free(server, "tx-ok") == "10.29.8.3"
    # Room again: the next node gets the first free addresses, nothing skipped.
    assert server.get("/config/node/tx-1/_delete").status_code == 204
    make_node(server, "tx-3", "tx")
    assert addresses(server, "tx-3") == {"BOOTIF": ("tx-ok", "10.29.8.1"), "ib0": ("tx-full", "10.29.9.1")}


# -- IPv6 ---------------------------------------------------------------------------------------------

def test_ipv6_network_gives_ipv6_addresses(server):
    import ipaddress
    cluster_network(server, "v6-a", "fd00:29::/64")
    cluster_network(server, "v6-b", "10.30.0.0/24")
    make_group(server, "v6", [("BOOTIF", "v6-b"), ("ib0", "v6-a")])
    make_node(server, "v6-1", "v6")
    make_node(server, "v6-2", "v6")
    make_node(server, "v6-3", "v6", interfaces=[{"interface": "ib0", "ipaddress": "fd00:29::ffff:1"}])
    net = ipaddress.ip_network("fd00:29::/64")
    seen = set()
    for node in ("v6-1", "v6-2", "v6-3"):
        network, ip = addresses(server, node)["ib0"]
        assert network == "v6-a"
        assert ipaddress.ip_address(ip) in net
        seen.add(ip)
    assert addresses(server, "v6-1")["ib0"][1] == "fd00:29::1"
    assert addresses(server, "v6-2")["ib0"][1] == "fd00:29::2"
    assert addresses(server, "v6-3")["ib0"][1] == "fd00:29::ffff:1"
    assert set(taken(server, "v6-a")) == seen
    # Any spelling of an address is stored in its canonical form.
    assert server.save("node", "v6-3", {"interfaces": [
        {"interface": "ib0", "ipaddress": "FD00:29:0:0::FFFF:2"}]}).status_code == 204
    assert addresses(server, "v6-3")["ib0"] == ("v6-a", "fd00:29::ffff:2")
    assert address_status(server, "v6-a", "fd00:29::ffff:1") == {"status": "free"}
    assert server.save("node", "v6-3", {"interfaces": [
        {"interface": "ib0", "ipaddress": "fd00:29::ffff:1"}]}).status_code == 204
    assert_bad(server.save("node", "v6-4", {"group": "v6", "interfaces": [
        {"interface": "ib0", "ipaddress": "10.30.0.9"}]}), "interfaces.0.ipaddress")
    assert_bad(server.save("node", "v6-4", {"group": "v6", "interfaces": [
        {"interface": "ib0", "ipaddress": "fd00:29::ffff:1"}]}), "interfaces.0.ipaddress")
    assert_absent(server, "v6-4")
    # The highest address of a /64 is an address like any other.
    make_node(server, "v6-5", "v6", interfaces=[
        {"interface": "ib0", "ipaddress": "fd00:29::ffff:ffff:ffff:ffff"}])
    assert addresses(server, "v6-5")["ib0"] == ("v6-a", "fd00:29::ffff:ffff:ffff:ffff")
    assert server.get("/config/node/v6-2/_delete").status_code == 204
    assert next_free(server, "v6-a") == "fd00:29::2"


# -- consistency -------------------------------------------------------------------------------------

def test_every_address_is_held_once_after_mixed_changes(server):
    cluster_network(server, "mix-a", "10.31.0.0/24")
    cluster_network(server, "mix-b", "10.31.1.0/24")
    make_group(server, "mix", [("BOOTIF", "mix-a"), ("BMC", "mix-b")])
    for n in range(6):
        make_node(server, f"mix-{n}", "mix")
    assert server.get("/config/node/mix-1/_delete").status_code == 204
    assert server.save("node", "mix-2", {"newhostname": "mix-20"}).status_code == 204
    assert server.post("/config/node/mix-3/_clone", node_body("mix-3", {"newhostname": "mix-30"})).status_code == 201
    assert server.get("/config/node/mix-4/interfaces/BMC/_delete").status_code == 204
    make_node(server, "mix-6", "mix")
    nodes = {name: rec for name, rec in server.get("/config/node").json()["config"]["node"].items()
             if name.startswith("mix-")}
    assert set(nodes) == {"mix-0", "mix-20", "mix-3", "mix-30", "mix-4", "mix-5", "mix-6"}
    for network in ("mix-a", "mix-b"):
        from_nodes = {i["ipaddress"]: name for name, rec in nodes.items()
                      for i in rec["interfaces"] if i["network"] == network}
        held = [i["ipaddress"] for rec in nodes.values() for i in rec["interfaces"]
                if i["network"] == network]
        assert len(held) == len(set(held)), network
        assert taken(server, network) == from_nodes
