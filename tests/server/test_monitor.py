"""/monitor/status over HTTP: the installer's reports, kept in the node's status."""

import pytest

from conftest import assert_bad, assert_error, cluster_network, make_admin, make_group, make_node


@pytest.fixture(scope="module")
def node(server):
    cluster_network(server)
    make_group(server, "grp", [("BOOTIF", "cluster")])
    make_node(server, "node001", "grp")
    return server


def _report(name, fields):
    return {"monitor": {"status": {name: fields}}}


def test_a_report_reads_back(node):
    reported = {"state": "installer.ok", "status": "Luna installer: No errors"}
    answer = node.post("/monitor/status/node001", _report("node001", reported))
    assert answer.status_code == 204, answer.text
    assert node.get("/monitor/status/node001").json() == _report("node001", reported)
    assert node.record("node", "node001")["status"] == "installer.ok Luna installer: No errors"
    assert node.post("/monitor/status/node001", _report("node001", {"state": "installer.begin"})
                     ).status_code == 204
    assert node.get("/monitor/status/node001").json() == _report(
        "node001", {"state": "installer.begin", "status": None})


def test_a_node_that_never_reported(node):
    make_node(node, "silent", "grp")
    assert node.get("/monitor/status/silent").json() == _report("silent", {"state": None,
                                                                           "status": None})


def test_missing_nodes_are_404(node):
    assert_error(node.get("/monitor/status/ghost"), 404)
    assert_error(node.post("/monitor/status/ghost", _report("ghost", {"state": "x"})), 404)


@pytest.mark.parametrize("body, field", [
    ({"monitor": {"status": {"node001": {"status": "no state"}}}}, "state"),
    ({"monitor": {"status": {"node001": {"state": "two words"}}}}, "state"),
    ({"monitor": {"status": {"node001": {"state": "ok", "status": "a\nb"}}}}, "status"),
    ({"monitor": {"status": {"node001": {"state": "ok", "status": "x" * 254}}}}, "status"),
    ({"monitor": {"status": {"node001": {"state": "ok", "other": 1}}}}, "other"),
    ({"monitor": {"status": {"node002": {"state": "ok"}}}}, "monitor.status"),
    ({"monitor": {}}, "monitor"),
    ({"config": {}}, "body"),
])
def test_bad_reports_are_400(node, body, field):
    assert_bad(node.post("/monitor/status/node001", body), field)


def test_permissions(node):
    reader = make_admin(node, "reader", ["role.readonly"])
    headers = {"x-access-tokens": reader}
    assert node.http.get(node.url + "/monitor/status/node001", headers=headers).status_code == 200
    assert_error(node.http.post(node.url + "/monitor/status/node001", headers=headers,
                                json=_report("node001", {"state": "x"})), 403)
    assert_error(node.http.get(node.url + "/monitor/status/node001",
                               headers={"x-access-tokens": ""}), 401)
