"""/openapi.json: a valid OpenAPI 3 document that says what the router does.

The document is fetched over HTTP from the real server; the router it must
match is the Bottle application built in-process by cairn.api.create_app.
"""

import re

import bottle
import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

import cairn.api
from cairn import auth
from cairn.api import PUBLIC, CairnPlugin, create_app
from cairn.config import Settings
from cairn.db.engine import make_engine
from cairn.db.migrate import upgrade
from conftest import cluster_network

_WILDCARD = re.compile(r"<([A-Za-z_][A-Za-z0-9_]*)(?::[^>]*)?>")
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
# Actions that take no body; every other POST must document its request.
BODILESS_ACTIONS = {"suspend", "resume", "_delete"}


def as_openapi(rule):
    return _WILDCARD.sub(r"{\1}", rule)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('openapi') / 'cairn.db'}", pool_size=2)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def app(engine):
    return create_app(engine, Settings(secret_key="x"))


@pytest.fixture(scope="module")
def doc(server):
    answer = server.get("/openapi.json", headers={"x-access-tokens": ""})
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    return answer.json()


def operations(doc):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def oas30(schema, instance):
    """The validation errors of ``instance`` against an OpenAPI 3.0 schema (nullable and all)."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in OAS30Validator(schema).iter_errors(instance)]


# -- the document -------------------------------------------------------------

def test_document_is_valid_openapi(doc):
    validate(doc)
    assert doc["openapi"].startswith("3.0")


def test_document_is_public(server):
    answer = server.http.get(server.url + "/openapi.json", headers={"x-access-tokens": ""})
    assert answer.status_code == 200


def test_routes_and_document_agree(doc, app):
    routed = {(as_openapi(route.rule), route.method.lower()) for route in app.routes}
    documented = {(path, method) for path, method, dummy in operations(doc)}
    assert routed - documented == set(), "routes missing from /openapi.json"
    assert documented - routed == set(), "operations in /openapi.json that no route serves"
    assert len(routed) == len(app.routes), "two routes for one path and method"


def test_path_parameters_match_placeholders(doc):
    for path, method, operation in operations(doc):
        placeholders = re.findall(r"{([^}]+)}", path)
        params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
        assert params == placeholders, f"{method} {path}"


def test_every_operation_has_summary_and_responses(doc):
    for path, method, operation in operations(doc):
        assert isinstance(operation.get("summary"), str) and operation["summary"].strip(), f"{method} {path}"
        assert operation.get("responses"), f"{method} {path}"
        for status, response in operation["responses"].items():
            assert response.get("description"), f"{method} {path} {status}"
        if not operation["summary"].startswith("Unsupported"):  # the spec's always-400 POSTs
            assert any(s.startswith("2") for s in operation["responses"]), f"{method} {path}: no success"


def test_operation_ids_are_unique(doc):
    ids = [operation["operationId"] for dummy, dummy, operation in operations(doc)]
    assert len(ids) == len(set(ids))


def test_every_post_documents_its_body(doc):
    for path, method, operation in operations(doc):
        if method != "post":
            continue
        action = path.rsplit("/", 1)[-1]
        if action in BODILESS_ACTIONS:
            assert "requestBody" not in operation, f"{method} {path} takes no body"
            continue
        schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        assert schema and schema.get("type") == "object", f"POST {path} has no request schema"


@pytest.mark.parametrize("path", ["/config/cluster", "/config/network/{name}", "/config/group/{name}",
                                  "/config/node/{name}", "/config/node/{name}/interfaces"])
def test_reads_document_their_answer(doc, path):
    schema = doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["type"] == "object"


def test_permissions_in_document(doc, app):
    permissions = {(as_openapi(r.rule), r.method.lower()): r.config["permission"] for r in app.routes}
    for path, method, operation in operations(doc):
        assert operation["x-permission"] == permissions[(path, method)]
        if operation["x-permission"] == PUBLIC:
            assert operation.get("security") == [], f"{method} {path} is public"
        else:
            assert "security" not in operation, f"{method} {path} needs a token"


# -- the router ---------------------------------------------------------------

def test_every_route_declares_a_permission(app):
    for route in app.routes:
        permission = route.config.get("permission")
        assert permission, f"{route.method} {route.rule}"
        assert permission == PUBLIC or permission in auth.PERMISSIONS, \
            f"{route.method} {route.rule}: unknown permission {permission}"


def test_config_writes_need_the_write_permission(app):
    for route in app.routes:
        if not route.rule.startswith(("/config/", "/journal")):
            continue
        if route.method == "POST" or route.rule.endswith("/_delete"):
            assert route.config["permission"] == "config.write", f"{route.method} {route.rule}"


def test_route_without_permission_fails_create_app(monkeypatch, engine):
    register = cairn.api.meta.register

    def register_with_an_unguarded_route(app):
        register(app)

        @app.get("/unguarded", summary="forgot its permission")
        def unguarded(ctx):
            return {}

    monkeypatch.setattr(cairn.api.meta, "register", register_with_an_unguarded_route)
    with pytest.raises(ValueError, match="declares no permission"):
        create_app(engine, Settings(secret_key="x"))


def test_plugin_refuses_a_route_without_permission(engine):
    app = bottle.Bottle()
    app.install(CairnPlugin(engine, Settings(secret_key="x")))

    @app.get("/guarded", permission=PUBLIC)
    def guarded(ctx):
        return {}

    @app.get("/unguarded")
    def unguarded(ctx):
        return {}

    guarded_route, unguarded_route = app.routes
    guarded_route.prepare()
    with pytest.raises(ValueError, match="GET /unguarded declares no permission"):
        unguarded_route.prepare()


# -- bodies and answers against their schemas -----------------------------------

NODE = {
    "group": "compute",
    "macaddr": "AA-BB-CC-DD-EE-01",
    "interfaces": [{"interface": "BOOTIF", "network": "cluster", "ipaddress": "10.141.0.10"},
                   {"interface": "ib0", "network": "cluster", "ipaddress": None}],
    "switchport": 12,
    "service": False,
    "setupbmc": True,
    "status": None,
    "comment": "a node",
    "netboot": True,
    "provision_method": "torrent",
    "provision_fallback": None,
}


def request_schema(doc, path, method="post"):
    return doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]


def answer_schema(doc, path, status="200"):
    return doc["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]


def test_sample_node_body_validates(doc):
    schema = request_schema(doc, "/config/node/{name}")
    assert oas30(schema, {"config": {"node": {"node001": NODE}}}) == []
    assert oas30(schema, {"config": {"node": {"node001": {"newhostname": "node002"}}}}) == []


@pytest.mark.parametrize("body", [
    {},
    {"config": {}},
    {"config": {"node": {"node001": {"bogus": 1}}}},
    {"config": {"node": {"node001": {"switchport": "12"}}}},
    {"config": {"node": {"node001": {"switchport": 70000}}}},
    {"config": {"node": {"node001": {"service": "yes"}}}},
    {"config": {"node": {"node001": {"group": None}}}},
    {"config": {"node": {"node001": {"group": "-bad"}}}},
    {"config": {"node": {"node001": {"provision_method": "ftp"}}}},
    {"config": {"node": {"node001": {"interfaces": [{"network": "cluster"}]}}}},
    {"config": {"node": {"node001": {"interfaces": [{"interface": "eth0", "mac": "x"}]}}}},
])
def test_invalid_node_bodies_do_not_validate(doc, body):
    assert oas30(request_schema(doc, "/config/node/{name}"), body) != []


@pytest.fixture(scope="module")
def populated(server):
    """A network, a group and the sample node, created through the API."""
    cluster_network(server)
    answer = server.save("group", "compute", {"interfaces": [{"interface": "BOOTIF", "network": "cluster"}]})
    assert answer.status_code == 201, answer.text
    answer = server.save("node", "node001", NODE)
    assert answer.status_code == 201, answer.text
    return server


def test_server_accepts_the_sample_body(populated):
    record = populated.record("node", "node001")
    assert record["macaddr"] == "aa:bb:cc:dd:ee:01"
    assert record["interfaces"][0] == {"interface": "BOOTIF", "network": "cluster", "ipaddress": "10.141.0.10"}


def test_node_answer_validates(doc, populated):
    answer = populated.get("/config/node/node001")
    assert answer.status_code == 200, answer.text
    assert oas30(answer_schema(doc, "/config/node/{name}"), answer.json()) == []


@pytest.mark.parametrize("path, template", [
    ("/version", "/version"),
    ("/config/cluster", "/config/cluster"),
    ("/config/network", "/config/network"),
    ("/config/network/cluster", "/config/network/{name}"),
    ("/config/group", "/config/group"),
    ("/config/group/compute", "/config/group/{name}"),
    ("/config/group/compute/interfaces", "/config/group/{name}/interfaces"),
    ("/config/group/compute/interfaces/BOOTIF", "/config/group/{name}/interfaces/{interface}"),
    ("/config/node", "/config/node"),
    ("/config/node/node001/interfaces", "/config/node/{name}/interfaces"),
    ("/config/node/node001/interfaces/BOOTIF", "/config/node/{name}/interfaces/{interface}"),
])
def test_answers_validate(doc, populated, path, template):
    answer = populated.get(path)
    assert answer.status_code == 200, answer.text
    assert oas30(answer_schema(doc, template), answer.json()) == []


@pytest.mark.parametrize("path, template, body, status", [
    ("/config/node/node001", "/config/node/{name}", {"config": {"node": {"node001": {"bogus": 1}}}}, "400"),
    ("/config/node/node404/_delete", "/config/node/{name}/_delete", None, "404"),
])
def test_error_answers_validate(doc, populated, path, template, body, status):
    answer = populated.post(path, body)
    assert str(answer.status_code) == status, answer.text
    schema = doc["paths"][template]["post"]["responses"][status]["content"]["application/json"]["schema"]
    assert oas30(schema, answer.json()) == []
