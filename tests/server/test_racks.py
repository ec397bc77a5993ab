"""/config/rack over HTTP: racks, the devices placed in them, and the inventory.

The server is shared by the module (one per database engine): every test
uses its own rack and device names.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from openapi_schema_validator import OAS30Validator

from conftest import assert_bad, assert_error, make_group, make_node


# -- helpers -------------------------------------------------------------------

@pytest.fixture(scope="module")
def group(server):
    make_group(server, "rackgrp")
    return "rackgrp"


def dev(name, position=None, type="node", **fields):
    item = {"name": name, "type": type, **fields}
    if position is not None:
        item["position"] = position
    return item


def make_rack(server, name, size=42, **fields):
    answer = server.save("rack", name, {"size": size, **fields})
    assert answer.status_code == 201, answer.text
    return answer


def place(server, rack, *devices, **fields):
    """POST the rack with ``devices`` as its whole list of devices."""
    return server.save("rack", rack, {"devices": list(devices), **fields})


def devices(server, rack):
    return server.record("rack", rack)["devices"]


def placed(server, rack):
    """{name: position} of the devices in a rack."""
    return {d["name"]: d["position"] for d in devices(server, rack)}


def inventory(server, subset=None):
    answer = server.get("/config/rack/inventory" + (f"/{subset}" if subset else ""))
    assert answer.status_code == 200, answer.text
    return answer.json()["config"]["rack"]["inventory"]


def entry(server, name, type="node"):
    """The inventory entry of a device, or None."""
    found = [e for e in inventory(server) if (e["name"], e["type"]) == (name, type)]
    assert len(found) <= 1
    return found[0] if found else None


def save_inventory(server, *items):
    return server.post("/config/rack/inventory", {"config": {"rack": {"inventory": list(items)}}})


def delete_entry(server, name, type="node", method="get"):
    return getattr(server, method)(f"/config/rack/inventory/{name}/type/{type}/_delete")


def nodes(server, group, *names):
    for name in names:
        make_node(server, name, group)


# -- racks -----------------------------------------------------------------------

def test_create_answers_201_and_get_shows_every_field(server):
    answer = make_rack(server, "r-create", 52, order="descending", room="Basement",
                       site="Amsterdam", comment="first row")
    assert "r-create" in answer.json()["message"]
    assert server.record("rack", "r-create") == {
        "name": "r-create", "size": 52, "order": "descending", "room": "Basement",
        "site": "Amsterdam", "comment": "first row", "devices": []}


def test_update_answers_204_and_leaves_the_rest(server):
    make_rack(server, "r-update", 42, room="A", site="S")
    answer = server.save("rack", "r-update", {"room": "B", "comment": None})
    assert answer.status_code == 204, answer.text
    assert answer.text == ""
    record = server.record("rack", "r-update")
    assert (record["room"], record["site"], record["size"], record["order"]) == ("B", "S", 42, "ascending")


def test_list_shows_every_rack_with_its_devices(server, group):
    nodes(server, group, "list-n1")
    make_rack(server, "r-list-a")
    make_rack(server, "r-list-b", 24)
    assert place(server, "r-list-a", dev("list-n1", 3, vendor="Dell", height=2)).status_code == 204
    answer = server.get("/config/rack")
    assert answer.status_code == 200, answer.text
    racks = answer.json()["config"]["rack"]
    assert {"r-list-a", "r-list-b"} <= set(racks)
    assert racks["r-list-a"]["devices"] == [{"name": "list-n1", "type": "node", "vendor": "Dell",
                                             "orientation": "front", "height": 2, "position": 3}]
    assert racks["r-list-b"] == server.record("rack", "r-list-b")
    assert racks["r-list-b"]["devices"] == []


def test_unknown_rack_answers_404(server):
    assert_error(server.get("/config/rack/r-missing"), 404)
    assert_error(server.get("/config/rack/r-missing/_delete"), 404)
    assert_error(server.post("/config/rack/r-missing/_delete"), 404)


def test_requests_without_a_token_are_refused(server):
    make_rack(server, "r-anon")
    anonymous = {"x-access-tokens": ""}
    for path in ("/config/rack", "/config/rack/r-anon", "/config/rack/inventory",
                 "/config/rack/inventory/configured", "/config/rack/r-anon/_delete",
                 "/config/rack/inventory/x/type/controller/_delete"):
        assert_error(server.http.get(server.url + path, headers=anonymous), 401)
    answer = server.http.post(server.url + "/config/rack/r-anon", headers=anonymous,
                              json={"config": {"rack": {"r-anon": {"size": 10}}}})
    assert_error(answer, 401)
    answer = server.http.post(server.url + "/config/rack/inventory", headers=anonymous,
                              json={"config": {"rack": {"inventory": []}}})
    assert_error(answer, 401)
    assert server.record("rack", "r-anon")["size"] == 42


def test_size_is_required_to_create(server):
    assert_bad(server.save("rack", "r-nosize", {"room": "A"}), "size")
    assert_error(server.get("/config/rack/r-nosize"), 404)


@pytest.mark.parametrize("fields, field", [
    ({"size": 0}, "size"),
    ({"size": 61}, "size"),
    ({"size": "42"}, "size"),
    ({"size": True}, "size"),
    ({"size": None}, "size"),
    ({"size": 42, "order": "upwards"}, "order"),
    ({"size": 42, "order": None}, "order"),
    ({"size": 42, "room": 5}, "room"),
    ({"size": 42, "bogus": 1}, "bogus"),
    ({"size": 42, "devices": "node001"}, "devices"),
    ({"size": 42, "devices": None}, "devices"),
    ({"size": 42, "devices": [dev("n1")]}, "devices.0.position"),
    ({"size": 42, "devices": [{"type": "node", "position": 1}]}, "devices.0.name"),
    ({"size": 42, "devices": [{"name": "n1", "position": 1}]}, "devices.0.type"),
    ({"size": 42, "devices": [dev("n1", 1, type="toaster")]}, "devices.0.type"),
    ({"size": 42, "devices": [dev("c1", 1, type="controller", orientation="side")]},
     "devices.0.orientation"),
    ({"size": 42, "devices": [dev("c1", 1, type="controller", height=0)]}, "devices.0.height"),
    ({"size": 42, "devices": [dev("c1", 0, type="controller")]}, "devices.0.position"),
    ({"size": 42, "devices": [dev("c1", 1, type="controller", rack="x")]}, "devices.0.rack"),
    ({"size": 42, "devices": [dev("bad_name", 1, type="controller")]}, "devices.0.name"),
    ({"size": 42, "devices": [dev("no-such-node", 1)]}, "devices.0.name"),
    ({"size": 42, "devices": [dev("no-such-switch", 1, type="switch")]}, "devices.0.name"),
    ({"size": 42, "devices": [dev("no-such-dev", 1, type="otherdev")]}, "devices.0.name"),
    ({"size": 42, "name": "another-rack"}, "name"),
])
def test_invalid_fields_are_refused_naming_the_field(server, fields, field):
    assert_bad(server.save("rack", "r-invalid", fields), field)
    assert_error(server.get("/config/rack/r-invalid"), 404)


@pytest.mark.parametrize("name", ["rack_1", "-bad", "r" * 64, "Inventory", "INVENTORY"])
def test_invalid_rack_names_are_refused(server, name):
    assert_bad(server.save("rack", name, {"size": 10}), "name")


def test_inventory_is_no_rack_name(server):
    # The path is the inventory's: a rack body there is a malformed inventory.
    answer = server.save("rack", "inventory", {"size": 10})
    assert_bad(answer, "inventory")
    assert "inventory" not in server.get("/config/rack").json()["config"]["rack"]


def test_name_in_the_body_may_repeat_the_urls(server):
    assert server.save("rack", "r-named", {"name": "r-named", "size": 20}).status_code == 201
    assert server.record("rack", "r-named")["size"] == 20


def test_a_record_posted_back_changes_nothing(server, group):
    nodes(server, group, "echo-n1")
    make_rack(server, "r-echo", order="descending", room="R")
    assert place(server, "r-echo", dev("echo-n1", 7, height=2, vendor="HP")).status_code == 204
    record = server.record("rack", "r-echo")
    assert server.save("rack", "r-echo", record).status_code == 204
    assert server.record("rack", "r-echo") == record


def test_rename_and_clone(server, group):
    nodes(server, group, "ren-n1")
    make_rack(server, "r-ren", 30, room="R1")
    assert place(server, "r-ren", dev("ren-n1", 1)).status_code == 204
    assert server.save("rack", "r-ren", {"newrackname": "r-ren2"}).status_code == 204
    assert_error(server.get("/config/rack/r-ren"), 404)
    assert placed(server, "r-ren2") == {"ren-n1": 1}
    answer = server.save("rack", "r-ren2", {"newrackname": "r-ren3", "room": "R2"}, "/_clone")
    assert answer.status_code == 201, answer.text
    copy = server.record("rack", "r-ren3")
    assert (copy["size"], copy["room"], copy["devices"]) == (30, "R2", [])  # devices stay put
    assert placed(server, "r-ren2") == {"ren-n1": 1}
    assert_error(server.save("rack", "r-ren2", {"newrackname": "r-ren3"}), 409, "newrackname")
    assert_bad(server.save("rack", "r-ren2", {"newrackname": "inventory"}), "newrackname")
    assert_bad(server.save("rack", "r-ren2", {}, "/_clone"), "newrackname")


# -- placing devices -----------------------------------------------------------

def test_devices_are_placed_and_shown_by_position(server, group):
    nodes(server, group, "pl-n1", "pl-n2")
    make_rack(server, "r-place", 42)
    answer = place(server, "r-place",
                   dev("pl-n2", 20, vendor="Lenovo", height=2, orientation="back"),
                   dev("ctl-pl", 5, type="controller", vendor="Supermicro"),
                   dev("pl-n1", 8))
    assert answer.status_code == 204, answer.text
    assert devices(server, "r-place") == [
        {"name": "ctl-pl", "type": "controller", "vendor": "Supermicro", "orientation": "front",
         "height": 1, "position": 5},
        {"name": "pl-n1", "type": "node", "vendor": None, "orientation": "front", "height": 1,
         "position": 8},
        {"name": "pl-n2", "type": "node", "vendor": "Lenovo", "orientation": "back", "height": 2,
         "position": 20}]
    assert entry(server, "pl-n2") == {"name": "pl-n2", "type": "node", "vendor": "Lenovo",
                                      "orientation": "back", "height": 2, "rack": "r-place",
                                      "position": 20}
    configured = {(e["name"], e["type"]) for e in inventory(server, "configured")}
    assert {("pl-n1", "node"), ("pl-n2", "node"), ("ctl-pl", "controller")} <= configured


def test_devices_fill_the_rack_to_its_top_unit(server, group):
    make_rack(server, "r-edge", 10)
    answer = place(server, "r-edge", dev("edge-lo", 1, type="pdu", height=2),
                   dev("edge-hi", 8, type="patchpanel", height=3))
    assert answer.status_code == 204, answer.text
    assert placed(server, "r-edge") == {"edge-lo": 1, "edge-hi": 8}


@pytest.mark.parametrize("item", [dev("out-c", 9, type="controller", height=3),
                                  dev("out-c", 11, type="controller"),
                                  dev("out-c", 61, type="controller")])
def test_a_device_past_the_top_is_refused(server, item):
    server.save("rack", "r-out", {"size": 10})
    assert_bad(place(server, "r-out", dev("out-ok", 1, type="other"), item), "devices.1.position")
    assert placed(server, "r-out") == {}
    assert entry(server, "out-c", "controller") is None


def test_overlap_within_a_request_is_refused(server, group):
    nodes(server, group, "ov-n1", "ov-n2")
    make_rack(server, "r-overlap")
    answer = place(server, "r-overlap", dev("ov-n1", 10, height=2), dev("ov-n2", 11))
    assert_bad(answer, "devices.1.position")
    assert "ov-n1" in answer.json()["message"] and "ov-n2" in answer.json()["message"]
    assert_bad(place(server, "r-overlap", dev("ov-n1", 10), dev("ov-n2", 10, height=4)),
               "devices.1.position")
    assert_bad(place(server, "r-overlap", dev("ov-n2", 12), dev("ov-n1", 9, height=4)),
               "devices.1.position")
    assert placed(server, "r-overlap") == {}
    assert place(server, "r-overlap", dev("ov-n1", 10, height=2), dev("ov-n2", 12)).status_code == 204


def test_a_device_moved_onto_one_that_stays_is_blamed(server, group):
    nodes(server, group, "stay-n1", "stay-n2")
    make_rack(server, "r-stay")
    assert place(server, "r-stay", dev("stay-n1", 5)).status_code == 204
    # The newcomer is at fault, though it comes first in the list.
    assert_bad(place(server, "r-stay", dev("stay-n2", 5), dev("stay-n1", 5)), "devices.0.position")
    # A device that stays but grows is blamed for its height.
    assert place(server, "r-stay", dev("stay-n1", 5), dev("stay-n2", 6)).status_code == 204
    assert_bad(place(server, "r-stay", dev("stay-n2", 6), dev("stay-n1", 5, height=2)),
               "devices.1.height")
    assert placed(server, "r-stay") == {"stay-n1": 5, "stay-n2": 6}


def test_the_same_device_twice_is_refused(server, group):
    nodes(server, group, "twice-n1")
    make_rack(server, "r-twice")
    assert_bad(place(server, "r-twice", dev("twice-n1", 1), dev("twice-n1", 5)), "devices.1.name")
    assert_bad(place(server, "r-twice", dev("c", 1, type="controller"),
                     dev("c", 5, type="controller")), "devices.1.name")
    # One name may be two pieces of hardware of different types.
    assert place(server, "r-twice", dev("twice-n1", 1), dev("twice-n1", 5, type="controller")).status_code == 204


def test_the_list_replaces_the_devices_of_the_rack(server, group):
    nodes(server, group, "rep-n1", "rep-n2")
    make_rack(server, "r-replace")
    assert place(server, "r-replace", dev("rep-n1", 1), dev("rep-n2", 2)).status_code == 204
    assert server.save("rack", "r-replace", {"room": "kept"}).status_code == 204
    assert placed(server, "r-replace") == {"rep-n1": 1, "rep-n2": 2}  # no list: unchanged
    assert place(server, "r-replace", dev("rep-n2", 3)).status_code == 204
    assert placed(server, "r-replace") == {"rep-n2": 3}
    left = entry(server, "rep-n1")
    assert (left["rack"], left["position"]) == (None, None)
    assert "rep-n1" in {e["name"] for e in inventory(server, "unconfigured")}
    assert place(server, "r-replace").status_code == 204
    assert placed(server, "r-replace") == {}
    assert entry(server, "rep-n2")["rack"] is None


def test_a_device_moves_between_racks(server, group):
    nodes(server, group, "mv-n1")
    make_rack(server, "r-move-a")
    make_rack(server, "r-move-b")
    assert place(server, "r-move-a", dev("mv-n1", 4, vendor="Dell", height=2)).status_code == 204
    assert place(server, "r-move-b", dev("mv-n1", 30)).status_code == 204
    assert placed(server, "r-move-a") == {}
    assert devices(server, "r-move-b") == [{"name": "mv-n1", "type": "node", "vendor": "Dell",
                                            "orientation": "front", "height": 2, "position": 30}]
    assert (entry(server, "mv-n1")["rack"], entry(server, "mv-n1")["position"]) == ("r-move-b", 30)


def test_a_failed_placement_changes_nothing(server, group):
    nodes(server, group, "fail-n1", "fail-n2")
    make_rack(server, "r-fail-a")
    make_rack(server, "r-fail-b")
    assert place(server, "r-fail-a", dev("fail-n1", 1, vendor="Old")).status_code == 204
    answer = place(server, "r-fail-b", dev("fail-n1", 1, vendor="New"), dev("fail-n2", 1),
                   room="changed")
    assert_bad(answer, "devices.1.position")
    assert placed(server, "r-fail-a") == {"fail-n1": 1}
    assert entry(server, "fail-n1")["vendor"] == "Old"
    assert entry(server, "fail-n2") is None
    assert server.record("rack", "r-fail-b")["room"] is None


def test_a_rack_cannot_shrink_below_its_devices(server):
    make_rack(server, "r-shrink", 42)
    assert place(server, "r-shrink", dev("shrink-c", 30, type="controller", height=2)).status_code == 204
    answer = server.save("rack", "r-shrink", {"size": 30})
    assert_bad(answer, "size")
    assert "shrink-c" in answer.json()["message"]
    assert server.save("rack", "r-shrink", {"size": 31}).status_code == 204
    assert server.record("rack", "r-shrink")["size"] == 31
    # A new size and a new list are checked together.
    assert server.save("rack", "r-shrink", {"size": 20, "devices": [
        dev("shrink-c", 19, type="controller", height=2)]}).status_code == 204
    assert_bad(server.save("rack", "r-shrink", {"size": 19, "devices": [
        dev("shrink-c", 19, type="controller", height=2)]}), "size")


def test_order_changes_no_position(server):
    make_rack(server, "r-order", 42, order="ascending")
    assert place(server, "r-order", dev("order-c", 3, type="controller")).status_code == 204
    assert server.save("rack", "r-order", {"order": "descending"}).status_code == 204
    record = server.record("rack", "r-order")
    assert record["order"] == "descending"
    assert record["devices"][0]["position"] == 3


# -- what follows the referenced objects ------------------------------------------

def test_a_renamed_node_shows_its_new_name(server, group):
    nodes(server, group, "old-name")
    make_rack(server, "r-rename")
    assert place(server, "r-rename", dev("old-name", 12)).status_code == 204
    assert server.save("node", "old-name", {"newhostname": "new-name"}).status_code == 204
    assert placed(server, "r-rename") == {"new-name": 12}
    assert entry(server, "new-name")["rack"] == "r-rename"
    assert entry(server, "old-name") is None
    # The device is known by its new name now.
    assert place(server, "r-rename", dev("new-name", 13)).status_code == 204
    assert placed(server, "r-rename") == {"new-name": 13}


def test_a_deleted_node_leaves_the_rack_and_the_inventory(server, group):
    nodes(server, group, "gone-n1", "gone-n2")
    make_rack(server, "r-gone")
    assert place(server, "r-gone", dev("gone-n1", 1), dev("gone-n2", 2)).status_code == 204
    assert server.get("/config/node/gone-n1/_delete").status_code == 204
    assert placed(server, "r-gone") == {"gone-n2": 2}
    assert entry(server, "gone-n1") is None
    # A new node of the same name is new hardware: it is in no rack.
    make_node(server, "gone-n1", group)
    assert entry(server, "gone-n1") is None


def test_deleting_a_rack_leaves_its_devices_in_the_inventory(server, group):
    nodes(server, group, "del-n1")
    make_rack(server, "r-delete")
    make_rack(server, "r-delete2")
    assert place(server, "r-delete", dev("del-n1", 2), dev("del-c", 4, type="controller")).status_code == 204
    answer = server.get("/config/rack/r-delete/_delete")
    assert answer.status_code == 204, answer.text
    assert answer.text == ""
    assert_error(server.get("/config/rack/r-delete"), 404)
    unconfigured = {(e["name"], e["type"]): e for e in inventory(server, "unconfigured")}
    for key in (("del-n1", "node"), ("del-c", "controller")):
        assert (unconfigured[key]["rack"], unconfigured[key]["position"]) == (None, None)
    assert server.post("/config/rack/r-delete2/_delete").status_code == 204
    assert_error(server.get("/config/rack/r-delete2"), 404)


# -- the inventory --------------------------------------------------------------

def test_inventory_post_creates_201_then_updates_204(server, group):
    nodes(server, group, "inv-n1")
    answer = save_inventory(server, dev("inv-n1", vendor="Dell", height=2),
                            dev("inv-pdu", type="pdu", orientation="back"))
    assert answer.status_code == 201, answer.text
    assert "inv-n1" in answer.json()["message"] and "inv-pdu" in answer.json()["message"]
    assert entry(server, "inv-n1") == {"name": "inv-n1", "type": "node", "vendor": "Dell",
                                       "orientation": "front", "height": 2, "rack": None,
                                       "position": None}
    assert entry(server, "inv-pdu", "pdu")["orientation"] == "back"
    answer = save_inventory(server, dev("inv-n1", vendor="HP"))
    assert answer.status_code == 204, answer.text
    assert (entry(server, "inv-n1")["vendor"], entry(server, "inv-n1")["height"]) == ("HP", 2)
    # One new entry among known ones makes a 201.
    answer = save_inventory(server, dev("inv-n1"), dev("inv-other", type="other"))
    assert answer.status_code == 201, answer.text
    assert save_inventory(server).status_code == 204


def test_inventory_subsets(server, group):
    make_rack(server, "r-subset")
    assert place(server, "r-subset", dev("sub-in", 1, type="other")).status_code == 204
    assert save_inventory(server, dev("sub-out", type="other")).status_code == 201
    everything = {e["name"] for e in inventory(server)}
    configured = {e["name"] for e in inventory(server, "configured")}
    unconfigured = {e["name"] for e in inventory(server, "unconfigured")}
    assert {"sub-in", "sub-out"} <= everything
    assert "sub-in" in configured and "sub-in" not in unconfigured
    assert "sub-out" in unconfigured and "sub-out" not in configured
    assert configured | unconfigured == everything
    assert all(e["rack"] for e in inventory(server, "configured"))
    assert_error(server.get("/config/rack/inventory/placed"), 404)


@pytest.mark.parametrize("items, field", [
    ([dev("x", type="pdu", rack="no-such-rack", position=1)], "inventory.0.rack"),
    ([dev("x", type="pdu", position=1)], "inventory.0.rack"),
    ([dev("x", type="pdu", rack="r-inv-bad")], "inventory.0.position"),
    ([dev("x", type="pdu", rack=None, position=1)], "inventory.0.position"),
    ([dev("x", type="pdu", height=61)], "inventory.0.height"),
    ([dev("x", type="pdu", bogus=1)], "inventory.0.bogus"),
    ([dev("x", type="pdu"), dev("x", type="pdu")], "inventory.1.name"),
    ([dev("no-such-node")], "inventory.0.name"),
    ([{"name": "x"}], "inventory.0.type"),
])
def test_invalid_inventory_items_are_refused(server, items, field):
    server.save("rack", "r-inv-bad", {"size": 10})
    assert_bad(save_inventory(server, *items), field)
    assert entry(server, "x", "pdu") is None


@pytest.mark.parametrize("body, field", [
    ({"config": {"rack": {}}}, "inventory"),
    ({"config": {"rack": {"inventory": None}}}, "inventory"),
    ({"config": {"rack": {"inventory": {"x": {}}}}}, "inventory"),
    ({"config": {"rack": {"inventory": [], "more": 1}}}, "more"),
])
def test_malformed_inventory_bodies_are_refused(server, body, field):
    assert_bad(server.post("/config/rack/inventory", body), field)


def test_inventory_places_moves_and_takes_out(server):
    make_rack(server, "r-inv-a", 20)
    make_rack(server, "r-inv-b", 20)
    assert save_inventory(server, dev("ip-c", type="controller", rack="r-inv-a", position=3)).status_code == 201
    assert placed(server, "r-inv-a") == {"ip-c": 3}
    assert save_inventory(server, dev("ip-c", type="controller", position=7)).status_code == 204
    assert placed(server, "r-inv-a") == {"ip-c": 7}  # position alone: within its rack
    assert save_inventory(server, dev("ip-c", type="controller", rack="r-inv-a", height=2)).status_code == 204
    assert devices(server, "r-inv-a")[0]["position"] == 7  # its rack again: stays put
    assert save_inventory(server, dev("ip-c", type="controller", rack="r-inv-b", position=1)).status_code == 204
    assert (placed(server, "r-inv-a"), placed(server, "r-inv-b")) == ({}, {"ip-c": 1})
    assert save_inventory(server, dev("ip-c", type="controller", rack=None)).status_code == 204
    assert placed(server, "r-inv-b") == {}
    assert (entry(server, "ip-c", "controller")["rack"], entry(server, "ip-c", "controller")["height"]) == (None, 2)


def test_an_inventory_listing_posted_back_changes_nothing(server, group):
    nodes(server, group, "echo-inv-n1")
    make_rack(server, "r-inv-echo")
    assert place(server, "r-inv-echo", dev("echo-inv-n1", 3, vendor="Dell")).status_code == 204
    assert save_inventory(server, dev("echo-inv-pdu", type="pdu")).status_code == 201
    listing = inventory(server)
    assert save_inventory(server, *listing).status_code == 204
    assert inventory(server) == listing


def test_inventory_overlap_with_devices_in_the_rack_is_refused(server):
    make_rack(server, "r-inv-ov", 20)
    assert place(server, "r-inv-ov", dev("iov-a", 5, type="other", height=2),
                 dev("iov-b", 8, type="other")).status_code == 204
    answer = save_inventory(server, dev("iov-new", type="other", rack="r-inv-ov", position=6))
    assert_bad(answer, "inventory.0.position")
    assert "iov-a" in answer.json()["message"]
    assert entry(server, "iov-new", "other") is None
    # Growing in place into a neighbour, or past the top, is refused on the height.
    assert_bad(save_inventory(server, dev("iov-a", type="other", height=4)), "inventory.0.height")
    assert_bad(save_inventory(server, dev("iov-b", type="other", height=14)), "inventory.0.height")
    assert_bad(save_inventory(server, dev("iov-b", type="other", position=20, height=2)),
               "inventory.0.position")
    assert placed(server, "r-inv-ov") == {"iov-a": 5, "iov-b": 8}
    assert entry(server, "iov-a", "other")["height"] == 2
    # Two devices swapping places in one request is fine.
    assert save_inventory(server, dev("iov-a", type="other", position=8, height=1),
                          dev("iov-b", type="other", position=5)).status_code == 204
    assert placed(server, "r-inv-ov") == {"iov-b": 5, "iov-a": 8}


def test_inventory_delete_removes_the_entry_and_its_place(server, group):
    nodes(server, group, "idel-n1")
    make_rack(server, "r-inv-del")
    assert place(server, "r-inv-del", dev("idel-n1", 1), dev("idel-c", 2, type="controller")).status_code == 204
    answer = delete_entry(server, "idel-n1")
    assert answer.status_code == 204, answer.text
    assert answer.text == ""
    assert placed(server, "r-inv-del") == {"idel-c": 2}
    assert entry(server, "idel-n1") is None
    assert server.get("/config/node/idel-n1").status_code == 200  # the node stays
    assert delete_entry(server, "idel-c", "controller", method="post").status_code == 204
    assert placed(server, "r-inv-del") == {}
    assert_error(delete_entry(server, "idel-c", "controller"), 404)
    assert_error(delete_entry(server, "idel-n1"), 404)
    assert_error(delete_entry(server, "no-such-node"), 404)
    assert_error(delete_entry(server, "idel-c", "toaster"), 404)


# -- switches and other devices ------------------------------------------------------

@pytest.mark.parametrize("kind, rename", [("switch", "newswitchname"), ("otherdev", "newotherdevname")])
def test_switches_and_other_devices_are_referenced(server, kind, rename):
    name = f"{kind}-r1"
    answer = server.save(kind, name, {"comment": "in a rack"})
    assert answer.status_code == 201, answer.text
    make_rack(server, f"r-{kind}")
    assert place(server, f"r-{kind}", dev(name, 40, type=kind, height=2)).status_code == 204
    assert server.save(kind, name, {rename: f"{kind}-r2"}).status_code == 204
    assert placed(server, f"r-{kind}") == {f"{kind}-r2": 40}
    assert server.get(f"/config/{kind}/{kind}-r2/_delete").status_code == 204
    assert placed(server, f"r-{kind}") == {}
    assert entry(server, f"{kind}-r2", kind) is None


# -- many writers at once ---------------------------------------------------------------

def run_threads(server, count, work):
    """Run ``work(index, http)`` in ``count`` threads started together, each with its own session."""
    barrier = threading.Barrier(count)

    def run(i):
        http = requests.Session()
        http.headers["x-access-tokens"] = server.token
        barrier.wait()
        return work(i, http)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_concurrent_placements_cannot_overlap(server):
    make_rack(server, "r-race", 20)

    def claim_unit_10(i, http):
        body = {"config": {"rack": {"inventory": [dev(f"race-{i}", type="other", rack="r-race",
                                                      position=10 - i % 2, height=2)]}}}
        return http.post(f"{server.url}/config/rack/inventory", json=body).status_code

    statuses = run_threads(server, 8, claim_unit_10)
    assert statuses.count(201) == 1, statuses
    assert statuses.count(400) == 7, statuses
    assert len(devices(server, "r-race")) == 1


def test_concurrent_rack_and_inventory_writes_leave_no_overlap(server):
    make_rack(server, "r-race2", 20)

    def write(i, http):
        if i % 2:
            body = {"config": {"rack": {"r-race2": {"devices": [
                dev(f"race2-{i}", 5 + i % 3, type="other", height=3)]}}}}
            return http.post(f"{server.url}/config/rack/r-race2", json=body).status_code
        body = {"config": {"rack": {"inventory": [
            dev(f"race2-{i}", type="other", rack="r-race2", position=6, height=2)]}}}
        return http.post(f"{server.url}/config/rack/inventory", json=body).status_code

    statuses = run_threads(server, 10, write)
    assert set(statuses) <= {201, 204, 400}, statuses
    units = [u for d in devices(server, "r-race2") for u in range(d["position"], d["position"] + d["height"])]
    assert units and len(units) == len(set(units))


# -- the OpenAPI document -----------------------------------------------------------

def test_answers_match_the_openapi_document(server, group):
    nodes(server, group, "doc-n1")
    make_rack(server, "r-doc")
    assert place(server, "r-doc", dev("doc-n1", 1, vendor="Dell")).status_code == 204
    doc = server.get("/openapi.json").json()["paths"]
    for path, template in [("/config/rack", "/config/rack"), ("/config/rack/r-doc", "/config/rack/{name}"),
                           ("/config/rack/inventory", "/config/rack/inventory"),
                           ("/config/rack/inventory/configured", "/config/rack/inventory/{subset}")]:
        schema = doc[template]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        errors = list(OAS30Validator(schema).iter_errors(server.get(path).json()))
        assert errors == [], (path, errors)
    request = doc["/config/rack/{name}"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert list(OAS30Validator(request).iter_errors({"config": {"rack": {"r-doc": server.record("rack", "r-doc")}}})) == []
