"""Tenancies over HTTP: created from a hostlist and/or nodes (the name in the body or a
Tenancy header), shown, listed, deleted into Quarantine, and Quarantine kept the system's."""

import pytest

from conftest import assert_bad, assert_error, cluster_network, make_group, make_node
from test_tenants import as_token, assert_documented, create_tenant, tenant, tenant_token

NODES = [f"node{i:03d}" for i in range(1, 21)]


@pytest.fixture(scope="module")
def cluster(server):
    """Twenty nodes and the tenants Acme and Other."""
    cluster_network(server, "tenancynet", "10.150.0.0/16")
    make_group(server, "tenancy-compute", [("BOOTIF", "tenancynet")])
    for name in NODES:
        make_node(server, name, "tenancy-compute")
    create_tenant(server, "Acme")
    create_tenant(server, "Other")
    return server


def create_tenancy(server, ident, body, **headers):
    return server.post(f"/tenant/{ident}/tenancies", body, headers=headers)


def tenancy(server, name):
    answer = server.get(f"/tenancy/{name}")
    assert answer.status_code == 200, answer.text
    assert answer.json()["success"] is True
    return answer.json()["data"]


def test_create_from_a_hostlist(cluster):
    answer = create_tenancy(cluster, "Acme", {"name": "ta", "hostlist": "node[001-004]",
                                              "description": "four nodes"})
    assert answer.status_code == 201, answer.text
    assert answer.json() == {"success": True, "result": "Tenancy ta created with 4 nodes"}
    record = tenancy(cluster, "ta")
    assert record["tenant"] == "Acme"
    assert record["nodes"] == ["node001", "node002", "node003", "node004"]
    assert record["hostlist"] == "node[001-004]"
    assert record["system"] is False
    assert record["description"] == "four nodes"
    assert isinstance(record["created"], int)
    assert tenant(cluster, "Acme")["tenancies"] == ["ta"]


def test_create_from_nodes_and_a_hostlist_named_by_the_tenancy_header(cluster):
    uid = tenant(cluster, "Acme")["uid"]
    answer = create_tenancy(cluster, uid, {"hostlist": "node[005-006]",
                                           "nodes": ["node008", "node006"]}, Tenancy="tb")
    assert answer.status_code == 201, answer.text
    assert "tb" in answer.json()["result"]
    record = tenancy(cluster, "tb")
    assert record["nodes"] == ["node005", "node006", "node008"]
    assert record["hostlist"] == "node[005-006,008]"
    # The header may repeat the body's name.
    answer = create_tenancy(cluster, "Acme", {"name": "tc", "nodes": ["node009"]}, Tenancy="tc")
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize("body, headers, field", [
    ({"hostlist": "node010"}, {}, "name"),
    ({"name": "td", "hostlist": "node010"}, {"Tenancy": "te"}, "name"),
    ({"hostlist": "node010"}, {"Tenancy": "bad_name"}, "Tenancy"),
    ({"name": "bad_name", "hostlist": "node010"}, {}, "name"),
    ({"name": "td"}, {}, "nodes"),
    ({"name": "td", "hostlist": "", "nodes": []}, {}, "nodes"),
    ({"name": "td", "hostlist": "node[010"}, {}, "hostlist"),
    ({"name": "td", "hostlist": "node[1-1000000]"}, {}, "hostlist"),
    ({"name": "td", "hostlist": 5}, {}, "hostlist"),
    ({"name": "td", "nodes": "node010"}, {}, "nodes"),
    ({"name": "td", "nodes": ["node010", 7]}, {}, "nodes.1"),
    ({"name": "td", "hostlist": "node[010-011],node404"}, {}, "hostlist"),
    ({"name": "td", "nodes": ["node010", "node404"]}, {}, "nodes.1"),
    ({"name": "td", "nodes": ["node010"], "bogus": 1}, {}, "bogus"),
])
def test_bad_tenancy_requests_are_400(cluster, body, headers, field):
    answer = create_tenancy(cluster, "Acme", body, **headers)
    assert_bad(answer, field)
    if "node404" in str(body):
        assert "node404" in answer.json()["message"]
    for name in ("td", "te"):
        assert_error(cluster.get(f"/tenancy/{name}"), 404)
    assert "td" not in tenant(cluster, "Acme")["tenancies"]


def test_a_node_belongs_to_one_tenancy(cluster):
    answer = create_tenancy(cluster, "Acme", {"name": "one1", "nodes": ["node011", "node012"]})
    assert answer.status_code == 201, answer.text
    answer = create_tenancy(cluster, "Other", {"name": "two1", "hostlist": "node[012-013]"})
    body = assert_error(answer, 409, "hostlist")
    assert "node012" in body["message"] and "one1" in body["message"]
    answer = create_tenancy(cluster, "Other", {"name": "two1", "nodes": ["node013", "node011"]})
    assert_error(answer, 409, "nodes.1")
    # Nothing was written: node013 is still free.
    assert_error(cluster.get("/tenancy/two1"), 404)
    answer = create_tenancy(cluster, "Other", {"name": "two1", "nodes": ["node013"]})
    assert answer.status_code == 201, answer.text


def test_tenancy_names_are_unique_and_quarantine_is_reserved(cluster):
    answer = create_tenancy(cluster, "Acme", {"name": "uniq1", "nodes": ["node014"]})
    assert answer.status_code == 201, answer.text
    assert_error(create_tenancy(cluster, "Other", {"name": "uniq1", "nodes": ["node015"]}), 409, "name")
    for name in ("Quarantine", "quarantine"):
        assert_error(create_tenancy(cluster, "Acme", {"name": name, "nodes": ["node015"]}), 409, "name")


def test_unknown_tenant_or_tenancy_is_404(cluster):
    assert_error(create_tenancy(cluster, "Nobody", {"name": "x1", "nodes": ["node016"]}), 404)
    assert_error(cluster.get("/tenancy/nothing"), 404)
    assert_error(cluster.http.delete(cluster.url + "/tenant/Acme/tenancy/nothing"), 404)


def test_list_a_tenants_tenancies(cluster):
    create_tenant(cluster, "Lister")
    for name, node in (("lb", "node017"), ("la", "node018")):
        answer = create_tenancy(cluster, "Lister", {"name": name, "nodes": [node]})
        assert answer.status_code == 201, answer.text
    answer = cluster.get("/tenant/Lister/tenancies")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"success": True, "data": ["la", "lb"]}
    answer = cluster.get("/tenant/Lister/tenancies?show_details=true")
    assert answer.status_code == 200, answer.text
    details = answer.json()["data"]
    assert [d["name"] for d in details] == ["la", "lb"]
    assert details[0] == tenancy(cluster, "la")
    assert details[0]["nodes"] == ["node018"] and details[0]["tenant"] == "Lister"
    assert cluster.get("/tenant/Lister/tenancies?show_details=false").json()["data"] == ["la", "lb"]
    assert_bad(cluster.get("/tenant/Lister/tenancies?show_details=maybe"), "show_details")
    assert tenant(cluster, "Lister")["tenancies"] == ["la", "lb"]
    listed = {t["name"]: t for t in cluster.get("/tenants").json()["data"]}
    assert listed["Lister"]["tenancies"] == ["la", "lb"]


def test_delete_moves_the_nodes_to_quarantine(cluster):
    create_tenant(cluster, "Leaver")
    answer = create_tenancy(cluster, "Leaver", {"name": "gone1", "hostlist": "node[019-020]"})
    assert answer.status_code == 201, answer.text
    # Another tenant's tenancy is not found under this one.
    assert_error(cluster.http.delete(cluster.url + "/tenant/Acme/tenancy/gone1"), 404)
    answer = cluster.http.delete(cluster.url + "/tenant/Leaver/tenancy/gone1")
    assert answer.status_code == 200, answer.text
    assert answer.json()["success"] is True
    assert "gone1" in answer.json()["result"] and "Quarantine" in answer.json()["result"]
    assert_error(cluster.get("/tenancy/gone1"), 404)
    assert tenant(cluster, "Leaver")["tenancies"] == []
    quarantine = tenancy(cluster, "Quarantine")
    assert {"node019", "node020"} <= set(quarantine["nodes"])
    assert quarantine["tenant"] is None and quarantine["system"] is True

    # Quarantine cannot be deleted, nor taken over by a name, but its nodes can be
    # taken by a new tenancy.
    for owner in ("Acme", "Leaver"):
        assert_error(cluster.http.delete(cluster.url + f"/tenant/{owner}/tenancy/Quarantine"), 404)
    assert tenancy(cluster, "Quarantine")["system"] is True
    answer = create_tenancy(cluster, "Acme", {"name": "back1", "nodes": ["node019"]})
    assert answer.status_code == 201, answer.text
    assert "1 taken from Quarantine" in answer.json()["result"]
    assert tenancy(cluster, "back1")["nodes"] == ["node019"]
    assert "node019" not in tenancy(cluster, "Quarantine")["nodes"]
    assert "node020" in tenancy(cluster, "Quarantine")["nodes"]


def test_node_records_name_their_tenancy_read_only(cluster):
    create_tenant(cluster, "Holder")
    answer = create_tenancy(cluster, "Holder", {"name": "held1", "nodes": ["node010"]})
    assert answer.status_code == 201, answer.text
    record = cluster.get("/config/node/node010").json()["config"]["node"]["node010"]
    assert record["tenancy"] == "held1"
    listed = cluster.get("/config/node").json()["config"]["node"]
    assert listed["node010"]["tenancy"] == "held1" and listed["node016"]["tenancy"] is None
    # The tenant sees its own tenancy on its node; the node of another stays unknown to it.
    token = tenant_token(cluster, "Holder")
    answer = as_token(cluster, token, "GET", "/config/node/node010")
    assert answer.json()["config"]["node"]["node010"]["tenancy"] == "held1"
    assert as_token(cluster, token, "GET", "/config/node/node016").status_code == 404
    # A node joins a tenancy through the tenancy API only.
    for name in ("node010", "node016"):
        assert_bad(cluster.post(f"/config/node/{name}", {"config": {"node": {name: {"tenancy": "held1"}}}}),
                   "tenancy")
    assert cluster.get("/config/node/node016").json()["config"]["node"]["node016"]["tenancy"] is None


def test_no_tenancy_for_a_tenant_scheduled_for_deletion(cluster):
    create_tenant(cluster, "Closing")
    assert cluster.http.delete(cluster.url + "/tenant/Closing").status_code == 202
    answer = create_tenancy(cluster, "Closing", {"name": "late1", "nodes": ["node020"]})
    assert_error(answer, 409)
    assert_error(cluster.get("/tenancy/late1"), 404)


def test_answers_follow_the_document(cluster):
    create_tenant(cluster, "Documents")
    answer = create_tenancy(cluster, "Documents", {"name": "doc1", "nodes": ["node010"]})
    assert_documented(cluster, "POST", "/tenant/{ident}/tenancies", answer)
    for template, path in [("/tenancy/{name}", "/tenancy/doc1"),
                           ("/tenant/{ident}/tenancies", "/tenant/Documents/tenancies"),
                           ("/tenant/{ident}/tenancies", "/tenant/Documents/tenancies?show_details=true"),
                           ("/tenancy/{name}", "/tenancy/nothing")]:
        assert_documented(cluster, "GET", template, cluster.get(path))
    answer = cluster.http.delete(cluster.url + "/tenant/Documents/tenancy/doc1")
    assert_documented(cluster, "DELETE", "/tenant/{ident}/tenancy/{tenancy}", answer)
    assert_documented(cluster, "GET", "/tenancy/{name}", cluster.get("/tenancy/Quarantine"))
