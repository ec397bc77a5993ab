"""/tenants and /tenant/<ident> over HTTP: creating tenants and their accounts, listing,
showing, tenant tokens and their revocation, and the superadmin alone allowed.

The helpers at the top serve test_tenancies.py and test_tenant_lifecycle.py too.
"""

import re

import jwt
import pytest
import requests
from openapi_schema_validator import OAS30Validator

from conftest import assert_bad, assert_error, make_admin

USER_PASSWORD = "tenant-user-password"


# -- helpers (shared by the tenant test modules) --------------------------------

def create_tenant(server, name, **body):
    """POST /tenants; the answer's data."""
    answer = server.post("/tenants", {"name": name, **body})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["success"] is True
    return body["data"]


def tenant(server, ident):
    answer = server.get(f"/tenant/{ident}")
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]


def tenant_token(server, ident, **body):
    answer = server.post(f"/tenant/{ident}/newtoken", body)
    assert answer.status_code == 201, answer.text
    return answer.json()["data"]["token"]


def as_token(server, token, method, path, **kwargs):
    """A request with ``token`` alone (none of the session's headers)."""
    return requests.request(method, server.url + path, headers={"x-access-tokens": token}, **kwargs)


def login(server, username, password):
    return requests.post(server.url + "/token", json={"username": username, "password": password})


def accepted(server, *, token=None, basic=None):
    """Whether the server knows the credentials: a tenant route answers 403 (authenticated,
    not allowed) to a known principal and 401 to refused credentials."""
    headers = {"x-access-tokens": token} if token else {}
    answer = requests.get(server.url + "/tenants", headers=headers, auth=basic)
    assert answer.status_code in (401, 403), answer.text
    return answer.status_code == 403


def assert_documented(server, method, template, answer):
    """The answer follows the schema /openapi.json gives for its path and status."""
    doc = server.get("/openapi.json").json()
    response = doc["paths"][template][method.lower()]["responses"][str(answer.status_code)]
    schema = response["content"]["application/json"]["schema"]
    errors = [error.message for error in OAS30Validator(schema).iter_errors(answer.json())]
    assert errors == [], f"{method} {template}"


# -- creating ---------------------------------------------------------------------

def test_create_without_users_makes_a_tenant_admin_with_a_generated_password(server):
    answer = server.post("/tenants", {"name": "Gen1", "description": "a customer"})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["success"] is True
    data = body["data"]
    assert re.fullmatch(r"[0-9a-f]{32}", data["uid"])
    assert data["name"] == "Gen1"
    assert list(data["users"]) == ["Gen1-admin"]
    account = data["users"]["Gen1-admin"]
    assert account["roles"] == ["role.tenantadmin"]
    password = account["password"]
    assert len(password) >= 16
    # It logs in with POST /token and with HTTP Basic.
    answer = login(server, "Gen1-admin", password)
    assert answer.status_code == 201, answer.text
    claims = jwt.decode(answer.json()["token"], options={"verify_signature": False})
    assert claims["kind"] == "tenant" and claims["tenant"] == data["uid"]
    assert accepted(server, token=answer.json()["token"])
    assert accepted(server, basic=("Gen1-admin", password))
    assert not accepted(server, basic=("Gen1-admin", password + "x"))
    # The password is answered once: never again.
    assert password not in server.get("/tenant/Gen1").text
    assert password not in server.get("/tenants").text


def test_create_with_users_in_doradus_shape(server):
    data = create_tenant(server, "HelloKitty", users={
        "Katniss": {"password": USER_PASSWORD},
        "Peeta": {"password": USER_PASSWORD, "roles": ["role.tenantuser"]}})
    assert data["users"] == {"Katniss": {"roles": ["role.tenantadmin"]},
                             "Peeta": {"roles": ["role.tenantuser"]}}
    for user in ("Katniss", "Peeta"):
        assert login(server, user, USER_PASSWORD).status_code == 201
    assert USER_PASSWORD not in server.get("/tenant/HelloKitty").text
    assert tenant(server, "HelloKitty")["users"] == ["Katniss", "Peeta"]


def test_the_journal_keeps_no_password(server):
    generated = create_tenant(server, "Journaled")["users"]["Journaled-admin"]["password"]
    create_tenant(server, "Journaled2", users=[{"name": "journaled3", "password": USER_PASSWORD}])
    cluster = server.get("/config/cluster").json()["config"]["cluster"]
    [controller] = [key for key, value in cluster.items() if isinstance(value, dict)]
    answer = server.get(f"/journal/{controller}")
    assert answer.status_code == 200, answer.text
    created = [e for e in answer.json()["journal"] if e["function"] == "tenants.create"]
    assert any("journaled3" in entry["payload"] for entry in created)
    assert USER_PASSWORD not in answer.text and generated not in answer.text


def test_create_with_users_as_a_list(server):
    data = create_tenant(server, "Listed", users=[
        {"name": "lister1", "password": USER_PASSWORD},
        {"name": "lister2", "roles": ["role.tenantuser"]}])
    # A user without a password gets a generated one, answered once.
    assert data["users"]["lister1"] == {"roles": ["role.tenantadmin"]}
    generated = data["users"]["lister2"]["password"]
    assert data["users"]["lister2"]["roles"] == ["role.tenantuser"]
    assert login(server, "lister1", USER_PASSWORD).status_code == 201
    assert login(server, "lister2", generated).status_code == 201


def test_empty_users_make_the_generated_admin(server):
    data = create_tenant(server, "Empty1", users={})
    assert list(data["users"]) == ["Empty1-admin"]
    data = create_tenant(server, "Empty2", users=[])
    assert list(data["users"]) == ["Empty2-admin"]


@pytest.mark.parametrize("body, field", [
    ({"name": "1customer"}, "name"),
    ({"name": "-customer"}, "name"),
    ({"name": "cust_omer"}, "name"),
    ({"name": "customer-"}, "name"),
    ({"name": "c" * 64}, "name"),
    ({"name": "a" + "0" * 31}, "name"),  # reads as a uid
    ({"name": ""}, "name"),
    ({"name": None}, "name"),
    ({"name": 7}, "name"),
    ({}, "name"),
    ({"name": "Bad1", "bogus": 1}, "bogus"),
    ({"name": "Bad1", "description": 5}, "description"),
    ({"name": "Bad1", "users": "alice"}, "users"),
    ({"name": "Bad1", "users": None}, "users"),
    ({"name": "Bad1", "users": {"bad name": {}}}, "users.bad name"),
    ({"name": "Bad1", "users": {"alice1": []}}, "users.alice1"),
    ({"name": "Bad1", "users": {"alice1": {"password": "short"}}}, "users.alice1.password"),
    ({"name": "Bad1", "users": {"alice1": {"password": 12345678}}}, "users.alice1.password"),
    ({"name": "Bad1", "users": {"alice1": {"pass": USER_PASSWORD}}}, "users.alice1.pass"),
    ({"name": "Bad1", "users": {"alice1": {"roles": ["role.fulladmin"]}}}, "users.alice1.roles"),
    ({"name": "Bad1", "users": {"alice1": {"roles": ["role.nobody"]}}}, "users.alice1.roles"),
    ({"name": "Bad1", "users": [{"password": USER_PASSWORD}]}, "users.0.name"),
    ({"name": "Bad1", "users": [{"name": "alice1"}, {"name": "alice1"}]}, "users.1.name"),
    ({"name": "Bad1", "users": ["alice1"]}, "users.0"),
    ({"name": "c" * 60}, "users"),  # c...c-admin is longer than a name may be
])
def test_bad_tenant_bodies_are_400(server, body, field):
    answer = server.post("/tenants", body)
    assert_bad(answer, field)
    if isinstance(body.get("name"), str) and body["name"]:
        assert_error(server.get(f"/tenant/{body['name']}"), 404)


@pytest.mark.parametrize("raw", ["", "{", "[]", '"name"', "null"])
def test_malformed_bodies_are_400(server, raw):
    assert_error(server.post("/tenants", data=raw), 400)


def test_duplicate_tenant_name_is_409(server):
    create_tenant(server, "Twice")
    answer = server.post("/tenants", {"name": "Twice", "users": {"twice2": {}}})
    body = assert_error(answer, 409, "name")
    assert "Twice" in body["message"]
    # Not half-written: the account of the refused request does not exist.
    assert login(server, "twice2", "whatever-password").status_code == 401


def test_account_name_clashes_are_409_naming_the_field(server):
    create_tenant(server, "Owner1", users={"shared1": {"password": USER_PASSWORD}})
    assert_error(server.post("/tenants", {"name": "Owner2", "users": {
        "fresh1": {}, "shared1": {"password": USER_PASSWORD}}}), 409, "users.shared1")
    assert_error(server.post("/tenants", {"name": "Owner2", "users": [
        {"name": "fresh1"}, {"name": "admin"}]}), 409, "users.1.name")
    # The generated tenant admin's name clashes with an account given before.
    create_tenant(server, "Owner3", users={"Owner4-admin": {"password": USER_PASSWORD}})
    body = assert_error(server.post("/tenants", {"name": "Owner4"}), 409, "users")
    assert "Owner4-admin" in body["message"]
    # Nothing of the refused tenants was written.
    for name in ("Owner2", "Owner4"):
        assert_error(server.get(f"/tenant/{name}"), 404)
    assert login(server, "fresh1", "whatever-password").status_code == 401
    # The existing account's password is untouched.
    assert login(server, "shared1", USER_PASSWORD).status_code == 201


# -- reading ---------------------------------------------------------------------

def test_list_and_get_by_uid_or_name(server):
    data = create_tenant(server, "Reader", description="reads", users={"reader1": {}})
    answer = server.get("/tenants")
    assert answer.status_code == 200, answer.text
    assert answer.json()["success"] is True
    listed = {t["name"]: t for t in answer.json()["data"]}
    record = listed["Reader"]
    assert record["uid"] == data["uid"]
    assert record["description"] == "reads"
    assert record["status"] == "active"
    assert record["purge_at"] is None
    assert record["tenancies"] == []
    assert record["last_modified_by"] == "admin"
    assert isinstance(record["last_modified"], int) and record["last_modified_on"]
    by_uid, by_name = tenant(server, data["uid"]), tenant(server, "Reader")
    assert by_uid == by_name
    assert by_uid["users"] == ["reader1"]
    assert {k: v for k, v in by_uid.items() if k != "users"} == record
    for text in (answer.text, server.get("/tenant/Reader").text):
        assert "password" not in text and "scrypt" not in text


def test_unknown_tenant_is_404(server):
    for method, path in [("GET", "/tenant/Nobody"), ("POST", "/tenant/Nobody/newtoken"),
                         ("POST", "/tenant/Nobody/suspend"), ("POST", "/tenant/Nobody/resume"),
                         ("DELETE", "/tenant/Nobody"), ("GET", "/tenant/Nobody/tenancies"),
                         ("GET", "/tenant/" + "0" * 32)]:
        body = assert_error(server.http.request(method, server.url + path), 404)
        assert "Nobody" in body["message"] or "0" * 32 in body["message"]


# -- tenant tokens ---------------------------------------------------------------

def test_newtoken_names_the_tenant_itself(server):
    data = create_tenant(server, "Tokened")
    answer = server.post("/tenant/Tokened/newtoken")  # no body: the defaults
    assert answer.status_code == 201, answer.text
    token = answer.json()["data"]["token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == claims["tenant"] == data["uid"]
    assert claims["kind"] == "tenant"
    assert answer.json()["data"]["expires"] == claims["exp"]
    assert accepted(server, token=token)


def test_newtoken_lifespan(server):
    create_tenant(server, "Lifespan")
    token = tenant_token(server, "Lifespan", lifespan=600)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 600
    for bad in (0, -5, "600", True, 10 ** 12):
        assert_bad(server.post("/tenant/Lifespan/newtoken", {"lifespan": bad}), "lifespan")
    assert_bad(server.post("/tenant/Lifespan/newtoken", {"revoke": "yes"}), "revoke")
    assert_bad(server.post("/tenant/Lifespan/newtoken", {"bogus": 1}), "bogus")
    assert_bad(server.post("/tenant/Lifespan/newtoken", data="{"), "body")


def test_newtoken_with_revoke_refuses_older_tokens(server):
    data = create_tenant(server, "Revoker")
    first = tenant_token(server, "Revoker")
    second = tenant_token(server, data["uid"])  # without revoke both stay valid
    assert accepted(server, token=first) and accepted(server, token=second)
    third = tenant_token(server, "Revoker", revoke=True)
    assert not accepted(server, token=first)
    assert not accepted(server, token=second)
    assert accepted(server, token=third)
    # Revoking the tenant's tokens leaves its users' logins alone.
    password = data["users"]["Revoker-admin"]["password"]
    assert login(server, "Revoker-admin", password).status_code == 201


def test_answers_follow_the_document(server):
    answer = server.post("/tenants", {"name": "Documented", "users": [{"name": "documented1"}]})
    assert_documented(server, "POST", "/tenants", answer)
    for method, template, path in [("GET", "/tenants", "/tenants"),
                                   ("GET", "/tenant/{ident}", "/tenant/Documented"),
                                   ("POST", "/tenant/{ident}/newtoken", "/tenant/Documented/newtoken"),
                                   ("POST", "/tenant/{ident}/suspend", "/tenant/Documented/suspend"),
                                   ("POST", "/tenant/{ident}/resume", "/tenant/Documented/resume"),
                                   ("DELETE", "/tenant/{ident}", "/tenant/Documented"),
                                   ("GET", "/tenant/{ident}", "/tenant/Nobody"),
                                   ("POST", "/tenants", "/tenants")]:
        assert_documented(server, method, template, server.http.request(method, server.url + path))


# -- the superadmin alone ---------------------------------------------------------

ROUTES = [
    ("POST", "/tenants", {"name": "Intruder"}),
    ("GET", "/tenants", None),
    ("GET", "/tenant/{t}", None),
    ("DELETE", "/tenant/{t}", None),
    ("POST", "/tenant/{t}/newtoken", {}),
    ("POST", "/tenant/{t}/suspend", None),
    ("POST", "/tenant/{t}/resume", None),
    ("POST", "/tenant/{t}/tenancies", {"name": "intruded", "nodes": ["n1"]}),
    ("GET", "/tenant/{t}/tenancies", None),
    ("DELETE", "/tenant/{t}/tenancy/some", None),
    ("GET", "/tenancy/Quarantine", None),
]


@pytest.fixture(scope="module")
def outsiders(server):
    """Tokens of everyone but the superadmin: a full admin, a tenant's own token, and
    a tenant admin's login."""
    data = create_tenant(server, "Guarded", users={"guarded1": {"password": USER_PASSWORD}})
    answer = login(server, "guarded1", USER_PASSWORD)
    assert answer.status_code == 201, answer.text
    return {"fulladmin": make_admin(server, "tenants-fulladmin", ["role.fulladmin"]),
            "tenant": tenant_token(server, "Guarded"),
            "tenantadmin": answer.json()["token"],
            "uid": data["uid"]}


@pytest.mark.parametrize("who", ["fulladmin", "tenant", "tenantadmin"])
@pytest.mark.parametrize("method, path, body", ROUTES)
def test_only_the_superadmin_manages_tenants(server, outsiders, who, method, path, body):
    path = path.format(t=outsiders["uid"])
    kwargs = {"json": body} if body is not None else {}
    assert_error(as_token(server, outsiders[who], method, path, **kwargs), 403)
    assert_error(requests.request(method, server.url + path, **kwargs), 401)
    # Nothing changed.
    record = tenant(server, "Guarded")
    assert record["status"] == "active" and record["tenancies"] == []
    assert_error(server.get("/tenant/Intruder"), 404)
