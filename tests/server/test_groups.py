"""/config/group over HTTP: CRUD, rename, clone, delete, members, interfaces, inheritance.

Every test uses its own names and networks: the server is shared by the
module (one per database engine) and overlapping networks are refused.
"""

import pytest

from conftest import addresses, assert_bad, cluster_network, make_group, make_node, members, next_free, taken


# -- helpers -----------------------------------------------------------------

def group_body(name, fields):
    return {"config": {"group": {name: fields}}}


# -- list and get ---------------------------------------------------------------

def test_list_shows_every_group_with_its_interfaces(server):
    cluster_network(server, "lnet", "10.1.0.0/24")
    make_group(server, "list-a", [("BOOTIF", "lnet")], comment="first")
    make_group(server, "list-b")
    answer = server.get("/config/group")
    assert answer.status_code == 200
    groups = answer.json()["config"]["group"]
    assert {"list-a", "list-b"} <= set(groups)
    assert groups["list-a"]["interfaces"] == [{"interface": "BOOTIF", "network": "lnet"}]
    assert groups["list-a"]["comment"] == "first"
    assert groups["list-b"]["interfaces"] == []
    assert groups["list-b"]["_override"] is False


def test_get_one_group_and_404_for_unknown(server):
    make_group(server, "get-a", domain="cluster", comment="hello")
    record = server.record("group", "get-a")
    assert record["domain"] == "cluster"
    assert record["comment"] == "hello"
    answer = server.get("/config/group/get-missing")
    assert answer.status_code == 404
    assert "get-missing" in answer.json()["message"]


def test_requests_without_a_token_are_refused(server):
    answer = server.http.get(server.url + "/config/group", headers={"x-access-tokens": ""})
    assert answer.status_code == 401
    answer = server.http.post(server.url + "/config/group/anon",
                              json=group_body("anon", {}), headers={"x-access-tokens": ""})
    assert answer.status_code == 401
    assert server.get("/config/group/anon").status_code == 404


# -- create and update ----------------------------------------------------------

def test_create_answers_201_and_update_204(server):
    answer = server.save("group", "cu-a", {"comment": "one", "netboot": False})
    assert answer.status_code == 201, answer.text
    assert "cu-a" in answer.json()["message"]
    answer = server.save("group", "cu-a", {"comment": "two"})
    assert answer.status_code == 204, answer.text
    assert answer.text == ""
    record = server.record("group", "cu-a")
    assert record["comment"] == "two"
    assert record["netboot"] is False  # a partial update leaves the rest alone


def test_update_to_null_clears_a_field(server):
    make_group(server, "null-a", comment="x", osimagetag="v1")
    assert server.save("group", "null-a", {"comment": None}).status_code == 204
    record = server.record("group", "null-a")
    assert record["comment"] is None
    assert record["osimagetag"] == "v1"


def test_create_stores_every_plain_field(server):
    fields = {"bmcsetup": True, "domain": "cluster.local", "osimagetag": "v2",
              "prescript": "IyEvYmluL2Jhc2gKZXhpdCAw", "partscript": "cGFydA==",
              "postscript": "cG9zdA==", "netboot": False, "localinstall": True,
              "bootmenu": True, "provision_interface": "eth0", "provision_method": "http",
              "provision_fallback": "torrent", "comment": "all of them"}
    make_group(server, "all-fields", **fields)
    record = server.record("group", "all-fields")
    for key, value in fields.items():
        assert record[key] == value, key


@pytest.mark.parametrize("name", ["grp_1", "-bad", "bad-", "a" * 64, "a.b"])
def test_invalid_name_in_the_url_is_refused(server, name):
    answer = server.save("group", name, {})
    assert_bad(answer, "name")
    assert server.get(f"/config/group/{name}").status_code == 404


def test_longest_valid_name_is_accepted(server):
    name = "g" * 63
    make_group(server, name)
    assert server.record("group", name)["interfaces"] == []


@pytest.mark.parametrize("fields, field", [
    ({"netboot": "yes"}, "netboot"),
    ({"bootmenu": 1}, "bootmenu"),
    ({"provision_method": "ftp"}, "provision_method"),
    ({"provision_fallback": 3}, "provision_fallback"),
    ({"comment": 5}, "comment"),
    ({"domain": "bad_domain"}, "domain"),
    ({"unknown": 1}, "unknown"),
    ({"interfaces": "BOOTIF"}, "interfaces"),
    ({"interfaces": [{"interface": "BOOTIF"}]}, "interfaces.0.network"),
    ({"interfaces": [{"network": "x"}]}, "interfaces.0.interface"),
    ({"interfaces": [{"interface": "BOOTIF", "network": "x", "ipaddress": "10.0.0.1"}]},
     "interfaces.0.ipaddress"),
    ({"interfaces": [{"interface": "bad interface name", "network": "x"}]},
     "interfaces.0.interface"),
])
def test_invalid_fields_are_refused_naming_the_field(server, fields, field):
    answer = server.save("group", "inv-g", fields)
    assert_bad(answer, field)
    assert server.get("/config/group/inv-g").status_code == 404


def test_invalid_update_changes_nothing(server):
    make_group(server, "inv-upd", comment="kept", netboot=True)
    assert_bad(server.save("group", "inv-upd", {"comment": "changed", "netboot": "no"}), "netboot")
    record = server.record("group", "inv-upd")
    assert record["comment"] == "kept"
    assert record["netboot"] is True


def test_unknown_network_is_refused_naming_the_interface(server):
    cluster_network(server, "unet", "10.2.0.0/24")
    answer = server.save("group", "unknown-net", {"interfaces": [
        {"interface": "BOOTIF", "network": "unet"},
        {"interface": "ib0", "network": "no-such-net"}]})
    assert_bad(answer, "interfaces.1.network")
    assert "no-such-net" in answer.json()["message"]
    assert server.get("/config/group/unknown-net").status_code == 404


def test_duplicate_interface_is_refused(server):
    cluster_network(server, "dupnet", "10.3.0.0/24")
    answer = server.save("group", "dup-if", {"interfaces": [
        {"interface": "BOOTIF", "network": "dupnet"},
        {"interface": "BOOTIF", "network": "dupnet"}]})
    assert_bad(answer, "interfaces.1.interface")
    assert server.get("/config/group/dup-if").status_code == 404


@pytest.mark.parametrize("field", ["osimage", "bmcsetupname"])
def test_unknown_referenced_object_is_refused(server, field):
    answer = server.save("group", f"ref-{field}", {field: "nothing-like-it"})
    assert_bad(answer, field)
    assert "nothing-like-it" in answer.json()["message"]
    assert server.get(f"/config/group/ref-{field}").status_code == 404


def test_body_must_name_the_group_of_the_url(server):
    answer = server.post("/config/group/body-a", group_body("body-b", {}))
    assert answer.status_code == 400
    assert server.get("/config/group/body-a").status_code == 404
    assert server.get("/config/group/body-b").status_code == 404
    answer = server.post("/config/group/body-a", {"config": {"node": {"body-a": {}}}})
    assert answer.status_code == 400
    answer = server.post("/config/group/body-a", data="{not json")
    assert answer.status_code == 400
    assert server.get("/config/group/body-a").status_code == 404


# -- rename -------------------------------------------------------------------

def test_rename_moves_members_along(server):
    cluster_network(server, "rnet", "10.4.0.0/24")
    make_group(server, "ren-old", [("BOOTIF", "rnet")], comment="renamed")
    make_node(server, "ren-n1", "ren-old")
    make_node(server, "ren-n2", "ren-old")
    before = addresses(server, "ren-n1")
    answer = server.save("group", "ren-old", {"newgroupname": "ren-new"})
    assert answer.status_code == 204, answer.text
    assert server.get("/config/group/ren-old").status_code == 404
    record = server.record("group", "ren-new")
    assert record["comment"] == "renamed"
    assert record["interfaces"] == [{"interface": "BOOTIF", "network": "rnet"}]
    assert server.record("node", "ren-n1")["group"] == "ren-new"
    assert server.record("node", "ren-n2")["group"] == "ren-new"
    assert addresses(server, "ren-n1") == before
    assert members(server, "group", "ren-new") == ["ren-n1", "ren-n2"]
    assert server.get("/config/group/ren-old/_list").status_code == 404


def test_rename_with_other_changes_in_one_request(server):
    make_group(server, "ren2-old", comment="a")
    answer = server.save("group", "ren2-old", {"newgroupname": "ren2-new", "comment": "b"})
    assert answer.status_code == 204, answer.text
    assert server.record("group", "ren2-new")["comment"] == "b"


def test_rename_onto_an_existing_group_is_a_conflict(server):
    make_group(server, "ren3-a", comment="a")
    make_group(server, "ren3-b", comment="b")
    answer = server.save("group", "ren3-a", {"newgroupname": "ren3-b", "comment": "changed"})
    assert answer.status_code == 409, answer.text
    assert answer.json().get("field") == "newgroupname"
    assert server.record("group", "ren3-a")["comment"] == "a"
    assert server.record("group", "ren3-b")["comment"] == "b"


def test_rename_to_an_invalid_name_is_refused(server):
    make_group(server, "ren4-a")
    assert_bad(server.save("group", "ren4-a", {"newgroupname": "ren4_b"}), "newgroupname")
    assert server.get("/config/group/ren4-a").status_code == 200


def test_rename_to_its_own_name_changes_nothing(server):
    make_group(server, "ren5-a", comment="same")
    assert server.save("group", "ren5-a", {"newgroupname": "ren5-a"}).status_code == 204
    assert server.record("group", "ren5-a")["comment"] == "same"


# -- clone ----------------------------------------------------------------------

def test_clone_copies_fields_and_interfaces_but_not_members(server):
    cluster_network(server, "cnet1", "10.5.0.0/24")
    cluster_network(server, "cnet2", "10.5.1.0/24")
    make_group(server, "clone-src", [("BOOTIF", "cnet1"), ("ib0", "cnet2")],
               comment="source", netboot=False, provision_method="http", osimagetag="v7")
    make_node(server, "clone-member", "clone-src")
    answer = server.post("/config/group/clone-src/_clone",
                         group_body("clone-src", {"newgroupname": "clone-dst"}))
    assert answer.status_code == 201, answer.text
    source, copy = server.record("group", "clone-src"), server.record("group", "clone-dst")
    for key in ("comment", "netboot", "provision_method", "osimagetag", "interfaces"):
        assert copy[key] == source[key], key
    assert copy["interfaces"] == [{"interface": "BOOTIF", "network": "cnet1"},
                                  {"interface": "ib0", "network": "cnet2"}]
    assert members(server, "group", "clone-dst") == []
    assert members(server, "group", "clone-src") == ["clone-member"]
    assert server.record("node", "clone-member")["group"] == "clone-src"


def test_clone_takes_overrides_from_the_body(server):
    cluster_network(server, "cnet3", "10.5.2.0/24")
    cluster_network(server, "cnet4", "10.5.3.0/24")
    make_group(server, "clone2-src", [("BOOTIF", "cnet3")], comment="source")
    answer = server.post("/config/group/clone2-src/_clone", group_body("clone2-src", {
        "newgroupname": "clone2-dst", "comment": "copy",
        "interfaces": [{"interface": "BMC", "network": "cnet4"}]}))
    assert answer.status_code == 201, answer.text
    copy = server.record("group", "clone2-dst")
    assert copy["comment"] == "copy"
    assert copy["interfaces"] == [{"interface": "BOOTIF", "network": "cnet3"},
                                  {"interface": "BMC", "network": "cnet4"}]
    source = server.record("group", "clone2-src")
    assert source["comment"] == "source"
    assert source["interfaces"] == [{"interface": "BOOTIF", "network": "cnet3"}]


def test_clone_requires_newgroupname(server):
    make_group(server, "clone3-src")
    answer = server.post("/config/group/clone3-src/_clone", group_body("clone3-src", {"comment": "x"}))
    assert_bad(answer, "newgroupname")


def test_clone_refuses_invalid_and_existing_names(server):
    make_group(server, "clone4-src", comment="src")
    make_group(server, "clone4-other", comment="other")
    answer = server.post("/config/group/clone4-src/_clone",
                         group_body("clone4-src", {"newgroupname": "clone4-other"}))
    assert answer.status_code == 409, answer.text
    assert server.record("group", "clone4-other")["comment"] == "other"
    answer = server.post("/config/group/clone4-src/_clone",
                         group_body("clone4-src", {"newgroupname": "clone4_x"}))
    assert_bad(answer, "newgroupname")
    assert server.get("/config/group/clone4_x").status_code == 404


def test_clone_of_an_unknown_group_is_404(server):
    answer = server.post("/config/group/clone5-none/_clone",
                         group_body("clone5-none", {"newgroupname": "clone5-dst"}))
    assert answer.status_code == 404, answer.text
    assert server.get("/config/group/clone5-dst").status_code == 404


def test_clone_with_unknown_network_creates_nothing(server):
    make_group(server, "clone6-src")
    answer = server.post("/config/group/clone6-src/_clone", group_body("clone6-src", {
        "newgroupname": "clone6-dst", "interfaces": [{"interface": "BOOTIF", "network": "nowhere"}]}))
    assert_bad(answer, "interfaces.0.network")
    assert server.get("/config/group/clone6-dst").status_code == 404


# -- delete ---------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST"])
def test_delete_answers_204_then_404(server, method):
    cluster_network(server, f"dnet-{method.lower()}", "10.6.0.0/24" if method == "GET" else "10.6.1.0/24")
    name = f"del-{method.lower()}"
    make_group(server, name, [("BOOTIF", f"dnet-{method.lower()}")])
    answer = server.http.request(method, f"{server.url}/config/group/{name}/_delete")
    assert answer.status_code == 204, answer.text
    assert server.get(f"/config/group/{name}").status_code == 404
    assert name not in server.get("/config/group").json()["config"]["group"]
    answer = server.http.request(method, f"{server.url}/config/group/{name}/_delete")
    assert answer.status_code == 404
    # The network it used is free to go now: nothing refers to it any more.
    assert server.get(f"/config/network/dnet-{method.lower()}/_delete").status_code == 204


def test_delete_with_members_is_refused_and_deletes_nothing(server):
    cluster_network(server, "dnet2", "10.6.2.0/24")
    make_group(server, "del-busy", [("BOOTIF", "dnet2")], comment="busy")
    make_node(server, "del-busy-n1", "del-busy")
    make_node(server, "del-busy-n2", "del-busy")
    before = addresses(server, "del-busy-n1")
    for method in ("GET", "POST"):
        answer = server.http.request(method, f"{server.url}/config/group/del-busy/_delete")
        assert answer.status_code == 400, answer.text
        assert "del-busy-n1" in answer.json()["message"]
        assert "del-busy-n2" in answer.json()["message"]
    assert server.record("group", "del-busy")["comment"] == "busy"
    assert members(server, "group", "del-busy") == ["del-busy-n1", "del-busy-n2"]
    assert addresses(server, "del-busy-n1") == before
    # Once the members are gone, the group goes too.
    assert server.get("/config/node/del-busy-n1/_delete").status_code == 204
    assert server.get("/config/node/del-busy-n2/_delete").status_code == 204
    assert server.get("/config/group/del-busy/_delete").status_code == 204
    assert server.get("/config/group/del-busy").status_code == 404


def test_deleted_name_can_be_created_again(server):
    make_group(server, "del-again", comment="first")
    assert server.get("/config/group/del-again/_delete").status_code == 204
    make_group(server, "del-again")
    assert server.record("group", "del-again")["comment"] is None


# -- members ----------------------------------------------------------------------

def test_members_lists_the_group_nodes(server):
    make_group(server, "mem-a")
    make_group(server, "mem-b")
    assert members(server, "group", "mem-a") == []
    for name in ("mem-n3", "mem-n1", "mem-n2"):
        make_node(server, name, "mem-a")
    make_node(server, "mem-other", "mem-b")
    assert sorted(members(server, "group", "mem-a")) == ["mem-n1", "mem-n2", "mem-n3"]
    assert members(server, "group", "mem-b") == ["mem-other"]
    assert server.save("node", "mem-n2", {"group": "mem-b"}).status_code == 204
    assert sorted(members(server, "group", "mem-a")) == ["mem-n1", "mem-n3"]
    assert sorted(members(server, "group", "mem-b")) == ["mem-n2", "mem-other"]
    assert server.get("/config/group/mem-none/_list").status_code == 404


# -- interfaces ---------------------------------------------------------------------

def test_interfaces_list_and_one(server):
    cluster_network(server, "inet1", "10.7.0.0/24")
    cluster_network(server, "inet2", "10.7.1.0/24")
    make_group(server, "if-a", [("BOOTIF", "inet1"), ("BMC", "inet2")])
    answer = server.get("/config/group/if-a/interfaces")
    assert answer.status_code == 200
    assert answer.json() == {"config": {"group": {"if-a": {"interfaces": [
        {"interface": "BOOTIF", "network": "inet1"}, {"interface": "BMC", "network": "inet2"}]}}}}
    answer = server.get("/config/group/if-a/interfaces/BMC")
    assert answer.status_code == 200
    assert answer.json() == {"config": {"group": {"if-a": {"interfaces": [
        {"interface": "BMC", "network": "inet2"}]}}}}
    assert server.get("/config/group/if-a/interfaces/eth9").status_code == 404
    assert server.get("/config/group/if-none/interfaces").status_code == 404
    assert server.get("/config/group/if-none/interfaces/BOOTIF").status_code == 404


def test_adding_an_interface_numbers_every_member(server):
    cluster_network(server, "inet3", "10.7.2.0/24")
    cluster_network(server, "inet4", "10.7.3.0/24")
    make_group(server, "if-add", [("BOOTIF", "inet3")])
    make_node(server, "if-add-n1", "if-add")
    make_node(server, "if-add-n2", "if-add")
    boot = {n: addresses(server, n)["BOOTIF"] for n in ("if-add-n1", "if-add-n2")}
    answer = server.post("/config/group/if-add/interfaces", group_body("if-add", {
        "interfaces": [{"interface": "ib0", "network": "inet4"}]}))
    assert answer.status_code == 204, answer.text
    assert server.record("group", "if-add")["interfaces"] == [
        {"interface": "BOOTIF", "network": "inet3"}, {"interface": "ib0", "network": "inet4"}]
    ib = {}
    for node in ("if-add-n1", "if-add-n2"):
        current = addresses(server, node)
        assert current["BOOTIF"] == boot[node]
        assert current["ib0"][0] == "inet4"
        ib[node] = current["ib0"][1]
    assert sorted(ib.values()) == ["10.7.3.1", "10.7.3.2"]
    assert taken(server, "inet4") == {ip: node for node, ip in ib.items()}
    # A node created afterwards gets the interface too, at the next free address.
    make_node(server, "if-add-n3", "if-add")
    assert addresses(server, "if-add-n3")["ib0"] == ("inet4", "10.7.3.3")


def test_moving_a_group_interface_renumbers_members(server):
    cluster_network(server, "inet5", "10.7.4.0/24")
    cluster_network(server, "inet6", "10.7.5.0/24")
    make_group(server, "if-move", [("BOOTIF", "inet5")])
    make_node(server, "if-move-n1", "if-move")
    assert addresses(server, "if-move-n1")["BOOTIF"] == ("inet5", "10.7.4.1")
    answer = server.post("/config/group/if-move/interfaces", group_body("if-move", {
        "interfaces": [{"interface": "BOOTIF", "network": "inet6"}]}))
    assert answer.status_code == 204, answer.text
    assert addresses(server, "if-move-n1")["BOOTIF"] == ("inet6", "10.7.5.1")
    assert taken(server, "inet5") == {}
    assert taken(server, "inet6") == {"10.7.5.1": "if-move-n1"}


def test_posting_interfaces_to_an_unknown_group_is_404(server):
    cluster_network(server, "inet7", "10.7.6.0/24")
    answer = server.post("/config/group/if-nogroup/interfaces", group_body("if-nogroup", {
        "interfaces": [{"interface": "BOOTIF", "network": "inet7"}]}))
    assert answer.status_code == 404, answer.text
    assert server.get("/config/group/if-nogroup").status_code == 404


def test_posting_an_unknown_network_changes_nothing(server):
    cluster_network(server, "inet8", "10.7.7.0/24")
    make_group(server, "if-bad", [("BOOTIF", "inet8")])
    make_node(server, "if-bad-n1", "if-bad")
    answer = server.post("/config/group/if-bad/interfaces", group_body("if-bad", {
        "interfaces": [{"interface": "BMC", "network": "inet8"},
                       {"interface": "ib0", "network": "no-such"}]}))
    assert_bad(answer, "interfaces.1.network")
    assert server.record("group", "if-bad")["interfaces"] == [
        {"interface": "BOOTIF", "network": "inet8"}]
    assert set(addresses(server, "if-bad-n1")) == {"BOOTIF"}
    answer = server.post("/config/group/if-bad/interfaces", group_body("if-bad", {}))
    assert_bad(answer, "interfaces")


def test_full_network_refuses_the_interface_and_changes_nothing(server):
    cluster_network(server, "inet-small", "10.7.8.0/30")  # two host addresses
    cluster_network(server, "inet-big", "10.7.9.0/24")
    make_group(server, "if-full", [("BOOTIF", "inet-big")])
    for n in range(3):
        make_node(server, f"if-full-n{n}", "if-full")
    answer = server.post("/config/group/if-full/interfaces", group_body("if-full", {
        "interfaces": [{"interface": "ib0", "network": "inet-small"}]}))
    assert_bad(answer, "interfaces.0")
    assert server.record("group", "if-full")["interfaces"] == [
        {"interface": "BOOTIF", "network": "inet-big"}]
    assert taken(server, "inet-small") == {}
    for n in range(3):
        assert set(addresses(server, f"if-full-n{n}")) == {"BOOTIF"}


def test_deleting_an_interface_frees_members_addresses(server):
    cluster_network(server, "inet9", "10.7.10.0/24")
    cluster_network(server, "inet10", "10.7.11.0/24")
    make_group(server, "if-del", [("BOOTIF", "inet9"), ("BMC", "inet10")])
    make_node(server, "if-del-n1", "if-del")
    make_node(server, "if-del-n2", "if-del")
    assert next_free(server, "inet10") == "10.7.11.3"
    answer = server.get("/config/group/if-del/interfaces/BMC/_delete")
    assert answer.status_code == 204, answer.text
    assert server.record("group", "if-del")["interfaces"] == [
        {"interface": "BOOTIF", "network": "inet9"}]
    for node in ("if-del-n1", "if-del-n2"):
        assert set(addresses(server, node)) == {"BOOTIF"}
        assert server.get(f"/config/node/{node}/interfaces/BMC").status_code == 404
    assert taken(server, "inet10") == {}
    assert next_free(server, "inet10") == "10.7.11.1"
    assert len(taken(server, "inet9")) == 2
    # POST works as well, and a second delete finds nothing.
    answer = server.post("/config/group/if-del/interfaces/BOOTIF/_delete")
    assert answer.status_code == 204, answer.text
    assert taken(server, "inet9") == {}
    assert server.get("/config/group/if-del/interfaces/BOOTIF/_delete").status_code == 404
    assert server.get("/config/group/if-none/interfaces/BOOTIF/_delete").status_code == 404
    # Both networks are unused now, and can be deleted.
    assert server.get("/config/network/inet9/_delete").status_code == 204
    assert server.get("/config/network/inet10/_delete").status_code == 204


def test_deleting_a_group_interface_keeps_members_interfaces_moved_elsewhere(server):
    cluster_network(server, "inet11", "10.7.12.0/24")
    cluster_network(server, "inet12", "10.7.13.0/24")
    make_group(server, "if-del2", [("BOOTIF", "inet11")])
    make_node(server, "if-del2-n1", "if-del2")
    make_node(server, "if-del2-n2", "if-del2")
    # n2 has its BOOTIF in another network than the group's: it is its own.
    answer = server.post("/config/node/if-del2-n2/interfaces", {"config": {"node": {"if-del2-n2": {
        "interfaces": [{"interface": "BOOTIF", "network": "inet12"}]}}}})
    assert answer.status_code == 204, answer.text
    assert server.get("/config/group/if-del2/interfaces/BOOTIF/_delete").status_code == 204
    assert addresses(server, "if-del2-n1") == {}
    assert addresses(server, "if-del2-n2") == {"BOOTIF": ("inet12", "10.7.13.1")}


# -- inheritance ------------------------------------------------------------------------

def test_unset_fields_come_from_the_cluster_or_defaults(server):
    make_group(server, "inh-a")
    record = server.record("group", "inh-a")
    cluster = server.get("/config/cluster").json()["config"]["cluster"]
    assert record["provision_method"] == cluster["provision_method"]
    assert record["_provision_method_source"] == "cluster"
    assert record["provision_fallback"] == cluster["provision_fallback"]
    assert record["_provision_fallback_source"] == "cluster"
    assert record["netboot"] is True
    assert record["_netboot_source"] == "default"
    assert record["bootmenu"] is False
    assert record["_bootmenu_source"] == "default"
    assert record["localinstall"] is False
    assert record["_localinstall_source"] == "default"
    assert record["provision_interface"] == "BOOTIF"
    assert record["_provision_interface_source"] == "default"


def test_set_fields_say_group_and_null_returns_to_inheriting(server):
    make_group(server, "inh-b", provision_method="http", provision_fallback="torrent",
               netboot=False, bootmenu=True, provision_interface="eth1")
    record = server.record("group", "inh-b")
    assert (record["provision_method"], record["_provision_method_source"]) == ("http", "group")
    assert (record["provision_fallback"], record["_provision_fallback_source"]) == ("torrent", "group")
    assert (record["netboot"], record["_netboot_source"]) == (False, "group")
    assert (record["bootmenu"], record["_bootmenu_source"]) == (True, "group")
    assert (record["provision_interface"], record["_provision_interface_source"]) == ("eth1", "group")
    assert server.save("group", "inh-b", {"provision_method": None, "netboot": None}).status_code == 204
    record = server.record("group", "inh-b")
    assert record["_provision_method_source"] == "cluster"
    assert record["_netboot_source"] == "default"
    assert record["netboot"] is True
    assert record["_bootmenu_source"] == "group"


def test_group_values_show_on_members_with_group_source(server):
    make_group(server, "inh-c", provision_method="http", netboot=False)
    make_node(server, "inh-c-n1", "inh-c")
    node = server.record("node", "inh-c-n1")
    assert (node["provision_method"], node["_provision_method_source"]) == ("http", "group")
    assert (node["netboot"], node["_netboot_source"]) == (False, "group")
    assert node["_provision_fallback_source"] == "cluster"
    assert node["_bootmenu_source"] == "default"
    # A change on the group shows on the member at once.
    assert server.save("group", "inh-c", {"netboot": True}).status_code == 204
    assert server.record("node", "inh-c-n1")["netboot"] is True
