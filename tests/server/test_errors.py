"""Error answers: always JSON {"message"[, "field"]}, never a redirect, never a 5xx.

Also: a request that fails leaves nothing half-written.
"""

import itertools
import re

import pytest
import requests

_names = itertools.count(1)
_blocks = itertools.count(20)


def uniq(prefix="err"):
    return f"{prefix}{next(_names)}"


def cidr():
    return f"10.{next(_blocks)}.0.0/16"


def assert_error(answer, status=None, field=None):
    """JSON {"message": str, optional "field": str}, with a 4xx status (``status`` when given)."""
    if status is not None:
        assert answer.status_code == status, answer.text
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text)
    assert answer.headers["Content-Type"].startswith("application/json"), answer.headers
    body = answer.json()
    assert isinstance(body, dict), body
    assert isinstance(body.get("message"), str) and body["message"], body
    assert set(body) <= {"message", "field"}, body
    if "field" in body:
        assert isinstance(body["field"], str) and body["field"]
    if field is not None:
        assert body.get("field") == field, body
    return body


def network_body(name, **fields):
    return {"config": {"network": {name: fields}}}


def make_network(server, name=None, **fields):
    name = name or uniq("net")
    answer = server.save("network", name, {"network": cidr(), **fields})
    assert answer.status_code == 201, answer.text
    return name


# -- routes and methods --------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/nope", "/config", "/config/nothing", "/config/network/a/b/c",
    "/config/network/a/_list/x", "/token/x", "/version/x", "/%7E",
])
def test_unknown_route_is_404_json(server, path):
    for method in ("GET", "POST"):
        answer = server.http.request(method, server.url + path, allow_redirects=False)
        assert_error(answer, 404)


@pytest.mark.parametrize("method, path", [
    ("PUT", "/config/network"),
    ("DELETE", "/config/network/x"),
    ("PATCH", "/config/cluster"),
    ("POST", "/version"),
    ("GET", "/token"),
    ("PUT", "/token"),
    ("DELETE", "/config/cluster"),
    ("POST", "/config/network/x/_list"),
    ("POST", "/config/network/x/_nextfreeip"),
])
def test_wrong_method_is_405_json(server, method, path):
    answer = server.http.request(method, server.url + path, allow_redirects=False)
    assert_error(answer, 405)


def test_405_and_404_need_no_token_to_be_json(server):
    assert_error(requests.put(server.url + "/config/network"), 405)
    assert_error(requests.get(server.url + "/nope"), 404)


# -- bodies ----------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "{", "}", "{'config': {}}", '{"config": }', "[1, 2", "nul", "config=1",
    '{"config": {"network": {"x": {"network": "10.1.0.0/16",}}}}', "   ", "",
])
def test_malformed_json_is_400(server, raw):
    name = uniq()
    answer = server.post(f"/config/network/{name}", data=raw,
                         headers={"Content-Type": "application/json"})
    assert_error(answer, 400, "body")
    assert server.get(f"/config/network/{name}").status_code == 404


@pytest.mark.parametrize("raw", ["null", "[]", '"config"', "123", "true", "[{}]", '[{"config": {}}]'])
def test_body_that_is_no_object_is_400(server, raw):
    name = uniq()
    answer = server.post(f"/config/network/{name}", data=raw)
    assert_error(answer, 400, "config")
    assert server.get(f"/config/network/{name}").status_code == 404


@pytest.mark.parametrize("make_body, field", [
    (lambda n: {"config": {"node": {n: {"network": "10.1.0.0/16"}}}}, "node"),
    (lambda n: {"config": {"network": {"other": {"network": "10.1.0.0/16"}}}}, "config.network"),
    (lambda n: {"config": {"network": {n: {"network": "10.1.0.0/16"},
                                       "other": {"network": "10.2.0.0/16"}}}}, "config.network"),
    (lambda n: {"config": {"network": {}}}, "config.network"),
    (lambda n: {"config": {"network": {n: {"network": "10.1.0.0/16"}}}, "extra": 1}, "extra"),
    (lambda n: {"config": {"network": {n: {"network": "10.1.0.0/16"}}, "node": {}}}, "node"),
    (lambda n: {"network": {n: {"network": "10.1.0.0/16"}}}, "config"),
    (lambda n: {"config": None}, "config"),
    (lambda n: {"config": []}, "config"),
    (lambda n: {"config": {"network": None}}, "config.network"),
    (lambda n: {"config": {"network": [n]}}, "config.network"),
    (lambda n: {"config": {"network": {n: None}}}, None),
    (lambda n: {"config": {"network": {n: "10.1.0.0/16"}}}, None),
    (lambda n: {"config": {"network": {n: []}}}, None),
])
def test_wrong_envelope_is_400_naming_the_part(server, make_body, field):
    name = uniq()
    body = assert_error(server.post(f"/config/network/{name}", make_body(name)), 400,
                        field or f"config.network.{name}")
    assert body["field"] in body["message"]
    assert server.get(f"/config/network/{name}").status_code == 404


def test_wrong_envelope_on_clone_and_update(server):
    name = make_network(server, comment="kept")
    before = server.record("network", name)
    copy = uniq()
    assert_error(server.post(f"/config/network/{name}/_clone",
                             {"config": {"network": {copy: {"newnetname": copy}}}}), 400, "config.network")
    assert_error(server.post(f"/config/network/{name}",
                             {"config": {"group": {name: {"comment": "changed"}}}}), 400, "group")
    assert server.record("network", name) == before
    assert server.get(f"/config/network/{copy}").status_code == 404


# -- trailing slashes: accepted, never redirected --------------------------------

def test_trailing_slash_is_accepted_without_redirect(server):
    name = uniq("net")
    block = cidr()
    answer = server.post(f"/config/network/{name}/", network_body(name, network=block),
                         allow_redirects=False)
    assert answer.status_code == 201, answer.text
    answer = server.post(f"/config/network/{name}/", network_body(name, comment="slash"),
                         allow_redirects=False)
    assert answer.status_code == 204, answer.text

    for path, key in ((f"/config/network/{name}/", name), ("/config/network/", name),
                      (f"/config/network/{name}/_list/", name),
                      (f"/config/network/{name}/_nextfreeip/", name)):
        answer = server.get(path, allow_redirects=False)
        assert answer.status_code == 200, (path, answer.status_code, answer.text)
        assert key in answer.json()["config"]["network"]
    assert server.record("network", name)["comment"] == "slash"
    assert server.get("/version/", allow_redirects=False).status_code == 200
    assert server.get("/config/cluster/", allow_redirects=False).status_code == 200

    answer = server.post("/token/", allow_redirects=False,
                         json={"username": "admin", "password": "test-admin-password"})
    assert answer.status_code == 201
    answer = server.get(f"/config/network/{name}/_delete/", allow_redirects=False)
    assert answer.status_code == 204
    answer = server.get(f"/config/network/{name}/", allow_redirects=False)
    assert_error(answer, 404)


def test_no_answer_is_a_redirect(server):
    paths = ["/", "/config", "/config/", "/config/network", "/config/network/",
             "/config/network/x/", "/version", "/version/", "/config/cluster/"]
    for path in paths:
        for method in ("GET", "POST"):
            answer = server.http.request(method, server.url + path, allow_redirects=False)
            assert not 300 <= answer.status_code < 400, (method, path, answer.status_code)
            assert answer.status_code < 500, (method, path, answer.text)


def test_a_path_starting_with_two_slashes_is_400_not_a_redirect(server):
    # cheroot reads "//config" as an absolute URI and answers 400 itself, then
    # closes the connection without saying "Connection: close": each request
    # goes on a connection of its own, so none lands on a closed one.
    for method in ("GET", "POST"):
        answer = requests.request(method, server.url + "//config//network//",
                                  allow_redirects=False, headers={"Connection": "close"})
        assert answer.status_code == 400, (method, answer.status_code, answer.text)


# -- oversized values --------------------------------------------------------------

@pytest.mark.parametrize("fields, field", [
    ({"comment": "c" * ((1 << 20) + 1)}, "comment"),
    ({"ntp_server": "n" * 256}, "ntp_server"),
    ({"ns_hostname": "h" * 254}, "ns_hostname"),
    ({"ns_hostname": ("a" * 64) + ".example"}, "ns_hostname"),
    ({"gateway": "1" * 100}, "gateway"),
    ({"newnetname": "n" * 64}, "newnetname"),
])
def test_huge_strings_are_400(server, fields, field):
    name = uniq()
    assert_error(server.save("network", name, {"network": cidr(), **fields}), 400, field)
    assert server.get(f"/config/network/{name}").status_code == 404


def test_huge_names_in_the_url(server):
    long_name = "n" * 64
    assert_error(server.save("network", long_name, {"network": cidr()}), 400)
    assert_error(server.get(f"/config/network/{long_name}"), 404)
    assert_error(server.get("/config/network/" + "n" * 5000), 404)
    name = make_network(server)
    assert_error(server.get(f"/config/network/{name}/" + "1" * 5000), 400, "ipaddress")


def test_huge_body_is_4xx(server):
    name = uniq()
    body = '{"config": {"network": {"%s": {"comment": "%s"}}}}' % (name, "x" * (17 * 1024 * 1024))
    answer = server.post(f"/config/network/{name}", data=body)
    assert_error(answer)
    assert server.get(f"/config/network/{name}").status_code == 404


# -- nothing answers 5xx -------------------------------------------------------------

GARBAGE_RAW = [
    "null", "[]", '"str"', "123", "-1", "1e999", "NaN", "true", "{}", "[null]", '{"": null}',
    '{"config": null}', '{"config": {"network": null}}', '{"config": {"network": {"x": null}}}',
    '{"config": {"cluster": null}}', '{"config": {"group": {"x": null}}}',
    '{"config": {"node": {"x": {"interfaces": null}}}}',
    '{"config": {"node": {"x": {"interfaces": [null]}}}}',
    '{"config": {"group": {"x": {"interfaces": [{"interface": null, "network": null}]}}}}',
    '{"config": {"network": {"x": {"network": null, "gateway": null, "dhcp": null}}}}',
    '{"username": null, "password": null}', '{"username": {}, "password": []}',
    "[" * 5000 + "]" * 5000, '{"a":' * 3000 + "1" + "}" * 3000,
    '{"config": {"network": {"x": {"comment": "\\u0000"}}}}', '{"\\u0000": 1}',
    '"\\ud800"', '{"config": {"network": {"x": {"comment": "\\udfff"}}}}',
    '{"config": {"network": {"x": {"network": "10.1.0.0/16", "comment": 1e400}}}}',
    '{"config": {"network": {"x": {"network": 99999999999999999999999999999999}}}}',
]
GARBAGE_BYTES = [b"\xff\xfe\xfd", b"\x00\x00\x00", b"\xef\xbb\xbf{}", b"\xc3\x28", b"{\"a\": \"\xff\"}"]


def _post_routes(server):
    paths = requests.get(server.url + "/openapi.json").json()["paths"]
    return [path for path, methods in paths.items() if "post" in methods]


def _fill(path, name):
    return re.sub(r"\{(\w+)\}", lambda m: "10.0.0.1" if m.group(1) == "ipaddress" else name, path)


def test_garbage_bodies_never_answer_5xx(server):
    existing = make_network(server, "x")  # named like the envelopes above
    before = server.get("/config/network").json()
    routes = _post_routes(server)
    assert "/config/network/{name}" in routes and "/token" in routes
    failures = []
    for route in routes:
        # _delete takes no body: there, only a name that does not exist
        for name in ((uniq(),) if route.endswith("/_delete") else ("x", uniq())):
            url = server.url + _fill(route, name)
            for raw in GARBAGE_RAW + GARBAGE_BYTES:
                answer = server.http.post(url, data=raw, allow_redirects=False)
                if not 400 <= answer.status_code < 500:
                    failures.append((route, name, raw[:60], answer.status_code, answer.text[:200]))
                else:
                    assert_error(answer)
    assert not failures, failures
    assert server.get("/config/network").json() == before
    assert server.record("network", existing)["name"] == "x"


@pytest.mark.parametrize("name", ["%00", "a%00b", "%FF", "%C3%A9", "%2E%2E", "..", "-", "_",
                                  "a" * 300, "%20", "x%0Ay", "%F0%9F%92%A9", "'", '"', "%25",
                                  "%ED%A0%80"])
def test_odd_names_in_paths_never_answer_5xx(server, name):
    for suffix in ("", "/_list", "/_nextfreeip", "/_delete", "/10.0.0.1", f"/{name}"):
        for method in ("GET", "POST"):
            path = f"/config/network/{name}{suffix}"
            answer = server.http.request(method, server.url + path, allow_redirects=False,
                                         json=network_body(name, network="10.1.0.0/16"))
            assert answer.status_code < 500, (method, path, answer.text)
            if answer.status_code >= 400:
                assert_error(answer)
    for kind in ("group", "node"):
        answer = server.get(f"/config/{kind}/{name}")
        assert answer.status_code < 500 and answer.status_code >= 400, answer.text
        assert_error(answer)


_WRONG_VALUES = [123, -1, 1.5, True, False, [], {}, ["10.1.0.0/16"], {"a": 1}, "", " ", "garbage",
                 "\u00e9\u00e8", "10.1.0.0/16/16", "999.1.1.1", "::g", "10.1.0.0/-1", "1" * 80]
_NETWORK_FIELDS = ["network", "gateway", "ns_hostname", "ns_ip", "ntp_server", "comment", "dhcp",
                   "dhcp_range_begin", "dhcp_range_end", "newnetname", "dhcp_enable", "dhcp_begin",
                   "dhcp_end"]


def _valid_value(field, value):
    """Values that are acceptable for a field (strings for the free-text ones)."""
    if field in ("comment", "ntp_server"):
        return isinstance(value, str) and len(value) <= 255
    if field in ("dhcp", "dhcp_enable"):
        return isinstance(value, bool)  # true is refused for the missing range, elsewhere
    if field == "ns_hostname":
        return value in ("garbage", "999.1.1.1")
    if field == "newnetname":
        return value == "garbage"
    return False


def test_wrong_types_for_every_network_field_are_400(server):
    block = cidr()
    failures = []
    for field in _NETWORK_FIELDS:
        for value in _WRONG_VALUES:
            if _valid_value(field, value):
                continue
            name = uniq()
            fields = {"network": block, field: value}
            answer = server.save("network", name, fields)
            if answer.status_code != 400 or answer.json().get("field") != field:
                failures.append((field, value, answer.status_code, answer.text[:200]))
            else:
                assert_error(answer)
    assert not failures, failures
    # none of them created anything
    listed = server.get("/config/network").json()["config"]["network"]
    assert all(entry["network"] != block for entry in listed.values())


def test_wrong_types_on_update_leave_the_network_unchanged(server):
    name = make_network(server, comment="kept", ntp_server="ntp.example.org")
    before = server.record("network", name)
    for field in _NETWORK_FIELDS:
        for value in (123, [], {}, "garbage\u00e9", True):
            if _valid_value(field, value):
                continue
            answer = server.save("network", name, {"comment": "changed", field: value})
            assert_error(answer, 400, field)
    assert server.record("network", name) == before


# -- nothing half-written --------------------------------------------------------------

def test_failed_create_writes_nothing(server):
    name = uniq()
    block = cidr()
    before = server.get("/config/network").json()
    # every field valid but one
    answer = server.save("network", name, {"network": block, "comment": "almost",
                                           "ns_hostname": "controller.cluster",
                                           "gateway": "192.0.2.1"})
    assert_error(answer, 400, "gateway")
    assert_error(server.get(f"/config/network/{name}"), 404)
    assert server.get("/config/network").json() == before
    # the block and the name are still free to use
    assert server.save("network", name, {"network": block}).status_code == 201


def test_failed_rename_and_clone_write_nothing(server):
    name, other = make_network(server), make_network(server)
    before = server.get("/config/network").json()
    new = uniq()
    assert_error(server.save("network", name, {"newnetname": new, "dhcp": "on"}), 400, "dhcp")
    assert_error(server.save("network", name, {"newnetname": other}), 409)
    assert_error(server.save("network", name, {"newnetname": new, "network": "10.1.0.0/33"},
                             "/_clone"), 400, "network")
    assert_error(server.save("network", name, {"newnetname": new, "bogus": True}, "/_clone"),
                 400, "bogus")
    assert server.get("/config/network").json() == before
    assert_error(server.get(f"/config/network/{new}"), 404)


def test_failed_group_and_node_writes_leave_nothing(server):
    net = make_network(server)
    group = uniq("grp")
    # a group whose second interface names a network that does not exist
    answer = server.save("group", group, {"interfaces": [{"interface": "BOOTIF", "network": net},
                                                         {"interface": "ib0", "network": uniq()}]})
    assert_error(answer, 400, "interfaces.1.network")
    assert_error(server.get(f"/config/group/{group}"), 404)
    assert server.get(f"/config/network/{net}/_delete").status_code == 204  # nothing uses it

    net = make_network(server)
    assert server.save("group", group, {"interfaces": [{"interface": "BOOTIF", "network": net}]}
                       ).status_code == 201
    node = uniq("node")
    answer = server.save("node", node, {"group": group, "macaddr": "not-a-mac"})
    assert_error(answer, 400, "macaddr")
    assert_error(server.get(f"/config/node/{node}"), 404)
    taken = server.get(f"/config/network/{net}/_list").json()["config"]["network"][net]["taken"]
    assert taken == []
