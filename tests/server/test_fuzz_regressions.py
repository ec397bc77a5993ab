"""What test_fuzz.py's schemathesis run found, kept as plain HTTP requests.

Each test is one failing example as schemathesis reported it, with the answer it
got then and the one the document promises.
"""

from openapi_schema_validator import OAS30Validator

from conftest import cluster_network, make_group, make_node


def documented_errors(server, path, method, status, answer):
    """The ways ``answer``'s JSON body breaks /openapi.json's schema for that status."""
    document = server.get("/openapi.json").json()
    schema = document["paths"][path][method]["responses"][str(status)]["content"]["application/json"]["schema"]
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in OAS30Validator(schema).iter_errors(answer.json())]


def test_export_answer_matches_its_schema(server):
    """GET /config/cluster/export answered {"config": {..., "inventory": []}}, and the
    document said every section was an object: the rack inventory is a list."""
    answer = server.save("otherdev", "fuzz-pdu", {})
    assert answer.status_code == 201, answer.text
    answer = server.post("/config/rack/inventory",
                         {"config": {"rack": {"inventory": [{"name": "fuzz-pdu", "type": "otherdev"}]}}})
    assert answer.status_code == 201, answer.text
    answer = server.get("/config/cluster/export")
    assert answer.status_code == 200, answer.text
    assert isinstance(answer.json()["config"]["inventory"], list)
    assert documented_errors(server, "/config/cluster/export", "get", 200, answer) == []


def test_status_of_a_node_that_never_reported_matches_its_schema(server):
    """GET /monitor/status/node001 of a node whose installer never reported answered
    {"monitor": {"status": {"node001": {"state": null, "status": null}}}}, and the
    document said the state was a string."""
    cluster_network(server, "fuzzmonitor", "10.151.0.0/16")
    make_group(server, "fuzzmonitor", [("BOOTIF", "fuzzmonitor")])
    make_node(server, "fuzz-quiet", "fuzzmonitor")
    answer = server.get("/monitor/status/fuzz-quiet")
    assert answer.status_code == 200, answer.text
    assert answer.json()["monitor"]["status"]["fuzz-quiet"]["state"] is None
    assert documented_errors(server, "/monitor/status/{name}", "get", 200, answer) == []
