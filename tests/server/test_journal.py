"""/journal over HTTP: every write leaves an entry; entries posted by peers are stored, not replayed."""

import json

import pytest

from conftest import assert_bad, assert_error, cluster_network, make_admin, make_group
from cairn.service.audit import MASK, masked


def controller(server):
    """The name this server registered itself under."""
    record = server.get("/config/cluster").json()["config"]["cluster"]
    [name] = [key for key, value in record.items() if isinstance(value, dict)]
    return name


def journal(server, **params):
    answer = server.get(f"/journal/{controller(server)}", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["journal"]


def test_a_write_leaves_an_entry_naming_who_what_and_the_change(server):
    cluster_network(server, "jnet", "10.61.0.0/24", comment="journaled")
    [entry] = [e for e in journal(server) if e["object"] == "jnet"]
    assert entry["function"] == "networks.save"
    assert entry["principal"] == "admin"
    assert entry["sendby"] == controller(server)
    assert json.loads(entry["payload"])["comment"] == "journaled"
    assert entry["masteronly"] == "0"
    assert entry["created"].isdigit()


def test_renames_clones_and_deletes_are_journaled_in_order(server):
    make_group(server, "jgrp")
    assert server.save("group", "jgrp", {"newgroupname": "jgrp2"}).status_code == 204
    assert server.save("group", "jgrp2", {"newgroupname": "jgrp3"}, "/_clone").status_code == 201
    assert server.get("/config/group/jgrp3/_delete").status_code == 204
    entries = [(e["function"], e["object"]) for e in journal(server)
               if e["object"] in ("jgrp", "jgrp2", "jgrp3")]
    assert entries == [("groups.save", "jgrp"), ("groups.save", "jgrp"),
                       ("groups.clone", "jgrp2"), ("groups.delete", "jgrp3")]


def test_a_refused_write_leaves_no_entry(server):
    assert_bad(server.save("network", "jbad", {"network": "not-a-cidr"}), "network")
    assert server.get("/config/group/jmissing/_delete").status_code == 404
    assert not [e for e in journal(server) if e["object"] in ("jbad", "jmissing")]


def test_reads_leave_no_entry(server):
    before = len(journal(server))
    server.get("/config/network")
    server.get("/config/cluster")
    assert len(journal(server)) == before


def test_limit_and_since(server):
    for name in ("jlim1", "jlim2", "jlim3"):
        make_group(server, name)
    newest = journal(server, limit=2)
    assert [e["object"] for e in newest] == ["jlim2", "jlim3"]
    assert journal(server, since=4102444800) == []  # 2100-01-01
    assert_bad(server.get(f"/journal/{controller(server)}?limit=x"), "limit")
    assert_bad(server.get(f"/journal/{controller(server)}?since=-1"), "since")


def test_unknown_controller_is_404(server):
    assert_error(server.get("/journal/no-such-controller"), 404)


def test_posted_entries_are_stored_as_sent_and_not_replayed(server):
    entries = [
        {"function": "node_update", "object": "peer-node", "param": None,
         "payload": "IyBUaGlz", "masteronly": "0", "misc": None,
         "sendfor": controller(server), "sendby": "controller1", "created": "1713520340"},
        {"function": "osimage_pack", "object": "compute", "masteronly": "1",
         "misc": "1703678426.7211", "sendfor": controller(server), "sendby": "controller1",
         "created": 1713520344},
    ]
    answer = server.post("/journal", {"journal": entries})
    assert answer.status_code == 200, answer.text
    stored = [e for e in journal(server) if e["sendby"] == "controller1"]
    assert [(e["function"], e["object"], e["created"], e["masteronly"]) for e in stored] == [
        ("node_update", "peer-node", "1713520340", "0"), ("osimage_pack", "compute", "1713520344", "1")]
    assert stored[0]["payload"] == "IyBUaGlz"
    assert server.get("/config/node/peer-node").status_code == 404  # stored, never replayed


@pytest.mark.parametrize("body, field", [
    ({"journal": {"function": "x"}}, "journal"),
    ({"journal": [{"object": "x"}]}, "journal.0.function"),
    ({"journal": [{"function": "x", "created": "yesterday"}]}, "journal.0.created"),
    ({"journal": [{"function": "x", "masteronly": "maybe"}]}, "journal.0.masteronly"),
    ({"journal": [{"function": "x", "colour": "red"}]}, "journal.0.colour"),
    ({"entries": []}, "journal"),
])
def test_malformed_posts_are_400_naming_the_field_and_store_nothing(server, body, field):
    before = len(journal(server))
    assert_bad(server.post("/journal", body), field)
    assert len(journal(server)) == before


def test_journal_needs_a_token_and_posting_needs_write(server):
    assert server.http.get(f"{server.url}/journal/{controller(server)}",
                           headers={"x-access-tokens": ""}).status_code == 401
    token = make_admin(server, "jreader", ["role.readonly"])
    reader = {"x-access-tokens": token}
    assert server.http.get(f"{server.url}/journal/{controller(server)}", headers=reader).status_code == 200
    answer = server.http.post(f"{server.url}/journal", json={"journal": [{"function": "x"}]}, headers=reader)
    assert_error(answer, 403)


def test_sensitive_values_are_masked_at_any_depth():
    change = {"username": "root", "password": "calvin", "items": [{"content": "s3cret", "path": "/p"}],
              "rw": "private", "unset": {"password": None}}
    assert masked(change) == {"username": "root", "password": MASK,
                              "items": [{"content": MASK, "path": "/p"}],
                              "rw": MASK, "unset": {"password": None}}
