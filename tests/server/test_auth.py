"""POST /token, the two token headers, and GET /version.

Tokens are built here with PyJWT to check what the server refuses: tampered,
signed with another key, expired. The server's signing key is the file
<data_dir>/token.key it creates on first start.
"""

import base64
import json
import os
import re
import time

import jwt
import pytest
import requests

from conftest import ADMIN_PASSWORD, assert_error

WRONG_PASSWORD = "wrong-password-4711"


def token_request(server, body=None, **kwargs):
    if body is not None:
        kwargs["json"] = body
    return requests.post(server.url + "/token", **kwargs)


def fresh_token(server):
    answer = token_request(server, {"username": "admin", "password": ADMIN_PASSWORD})
    assert answer.status_code == 201, answer.text
    return answer.json()["token"]


def with_token(server, path="/config/cluster", **headers):
    """GET ``path`` with only the given headers (none of the session's)."""
    return requests.get(server.url + path, headers=headers)


def server_key(server):
    with open(os.path.join(server.data_dir, "token.key")) as handle:
        return handle.read().strip()


def claims_of(token):
    return jwt.decode(token, options={"verify_signature": False})


def b64(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


# -- POST /token -------------------------------------------------------------

def test_token_is_201_with_a_jwt(server):
    answer = token_request(server, {"username": "admin", "password": ADMIN_PASSWORD})
    assert answer.status_code == 201
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert list(body) == ["token"]
    token = body["token"]
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", token)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "HS256"
    claims = claims_of(token)
    assert claims["exp"] > time.time()
    assert ADMIN_PASSWORD not in json.dumps(claims)
    # it is signed with the server's key
    jwt.decode(token, server_key(server), algorithms=["HS256"])


def test_token_works_in_x_access_tokens(server):
    token = fresh_token(server)
    answer = with_token(server, **{"x-access-tokens": token})
    assert answer.status_code == 200, answer.text
    assert "cluster" in answer.json()["config"]
    # the spec writes the header's value in quotes
    assert with_token(server, **{"x-access-tokens": f'"{token}"'}).status_code == 200


def test_token_works_as_bearer(server):
    token = fresh_token(server)
    answer = with_token(server, Authorization=f"Bearer {token}")
    assert answer.status_code == 200, answer.text
    assert "cluster" in answer.json()["config"]
    assert with_token(server, Authorization=f"bearer {token}").status_code == 200
    answer = requests.post(server.url + "/config/cluster", headers={"Authorization": f"Bearer {token}"},
                           json={"config": {"cluster": {}}})
    assert answer.status_code == 204, answer.text


def test_tokens_are_independent(server):
    first, second = fresh_token(server), fresh_token(server)
    assert with_token(server, **{"x-access-tokens": first}).status_code == 200
    assert with_token(server, **{"x-access-tokens": second}).status_code == 200


@pytest.mark.parametrize("username, password", [
    ("admin", WRONG_PASSWORD),
    ("admin", ADMIN_PASSWORD.upper()),
    ("admin", ADMIN_PASSWORD + " "),
    ("nobody", ADMIN_PASSWORD),
    ("nobody", WRONG_PASSWORD),
    ("Admin", ADMIN_PASSWORD),
])
def test_wrong_credentials_are_401(server, username, password):
    answer = token_request(server, {"username": username, "password": password})
    body = assert_error(answer, 401)
    assert "token" not in body
    assert password not in answer.text


def test_unknown_user_and_wrong_password_answer_alike(server):
    unknown = token_request(server, {"username": "nobody", "password": WRONG_PASSWORD}).json()
    wrong = token_request(server, {"username": "admin", "password": WRONG_PASSWORD}).json()
    assert unknown == wrong


@pytest.mark.parametrize("kwargs, field", [
    ({"data": "{"}, "body"),
    ({"data": '{"username": "admin", "password": }'}, "body"),
    ({"data": ""}, "body"),
    ({"data": b"\xff\xfe\x00"}, "body"),
    ({"json": []}, "body"),
    ({"json": "admin"}, "body"),
    ({"json": None}, "body"),
    ({"json": {}}, "username"),
    ({"json": {"password": ADMIN_PASSWORD}}, "username"),
    ({"json": {"username": "admin"}}, "password"),
    ({"json": {"username": 1, "password": ADMIN_PASSWORD}}, "username"),
    ({"json": {"username": "admin", "password": 1234}}, "password"),
    ({"json": {"username": "admin", "password": None}}, "password"),
    ({"json": {"username": ["admin"], "password": ADMIN_PASSWORD}}, "username"),
    ({"json": {"username": "", "password": ADMIN_PASSWORD}}, "username"),
    ({"json": {"username": "admin", "password": ADMIN_PASSWORD, "otp": "1"}}, "otp"),
])
def test_malformed_token_request_is_400(server, kwargs, field):
    if kwargs.get("json", 0) is None:
        kwargs = {"data": "null"}
    answer = token_request(server, **kwargs)
    body = assert_error(answer, 400, field)
    assert "token" not in body
    assert ADMIN_PASSWORD not in answer.text


# -- tokens the server refuses -----------------------------------------------

def _refused(server, token):
    for headers in ({"x-access-tokens": token}, {"Authorization": f"Bearer {token}"}):
        answer = with_token(server, **headers)
        body = assert_error(answer, 401)
        assert "config" not in body


def test_tampered_tokens_are_401(server):
    token = fresh_token(server)
    header, payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    _refused(server, f"{header}.{payload}.{flipped}")
    # a payload changed under the old signature
    claims = claims_of(token)
    _refused(server, f"{header}.{b64({**claims, 'exp': claims['exp'] + 86400})}.{signature}")
    _refused(server, f"{header}.{b64({**claims, 'kind': 'tenant'})}.{signature}")
    _refused(server, f"{header}.{payload}.")
    _refused(server, f"{header}.{payload}")
    _refused(server, token[:-5])


def test_token_signed_with_another_key_is_401(server):
    claims = claims_of(fresh_token(server))
    _refused(server, jwt.encode(claims, "another-key-" + "x" * 40, algorithm="HS256"))


def test_unsigned_token_is_401(server):
    claims = claims_of(fresh_token(server))
    _refused(server, f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}.")


def test_expired_token_is_401(server):
    key = server_key(server)
    claims = claims_of(fresh_token(server))
    now = int(time.time())
    # the same claims, still valid, are accepted: the key is the server's
    valid = jwt.encode({**claims, "iat": now, "exp": now + 600}, key, algorithm="HS256")
    assert with_token(server, **{"x-access-tokens": valid}).status_code == 200
    expired = jwt.encode({**claims, "iat": now - 7200, "exp": now - 3600}, key, algorithm="HS256")
    _refused(server, expired)


def test_tokens_missing_claims_or_naming_nobody_are_401(server):
    key = server_key(server)
    claims = claims_of(fresh_token(server))
    no_exp = {k: v for k, v in claims.items() if k != "exp"}
    no_sub = {k: v for k, v in claims.items() if k != "sub"}
    _refused(server, jwt.encode(no_exp, key, algorithm="HS256"))
    _refused(server, jwt.encode(no_sub, key, algorithm="HS256"))
    _refused(server, jwt.encode({**claims, "sub": "0" * 32}, key, algorithm="HS256"))


@pytest.mark.parametrize("headers", [
    {},
    {"x-access-tokens": ""},
    {"x-access-tokens": '""'},
    {"x-access-tokens": "garbage"},
    {"x-access-tokens": "a.b.c"},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer "},
    {"Authorization": "Bearer garbage"},
    {"Authorization": "Basic"},
    {"Authorization": "Basic !!!"},
    {"Authorization": "Basic " + base64.b64encode(b"admin:wrong-password").decode()},
    {"Authorization": "Basic " + base64.b64encode(b"nobody:test-admin-password").decode()},
])
def test_missing_or_garbage_tokens_are_401(server, headers):
    body = assert_error(with_token(server, **headers), 401)
    assert "config" not in body


def test_basic_credentials_work_like_a_token(server):
    """HTTP Basic (user:password), for scripts, beside tokens."""
    credentials = base64.b64encode(f"admin:{ADMIN_PASSWORD}".encode()).decode()
    answer = with_token(server, Authorization=f"Basic {credentials}")
    assert answer.status_code == 200, answer.text
    assert "cluster" in answer.json()["config"]


def test_a_valid_token_in_basic_auth_is_401(server):
    token = fresh_token(server)
    assert_error(with_token(server, Authorization=f"Basic {token}"), 401)


# -- every /config route needs a token ----------------------------------------

def _fill(path):
    return re.sub(r"\{(\w+)\}", lambda m: "10.0.0.1" if m.group(1) == "ipaddress" else f"unauth-{m.group(1)}",
                  path)


def _protected_operations(server):
    document = requests.get(server.url + "/openapi.json").json()
    operations = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if operation.get("security") == [] or not path.startswith("/config"):
                continue
            operations.append((method.upper(), path))
    return operations


def test_every_config_route_needs_a_token(server):
    operations = _protected_operations(server)
    config_paths = {path for dummy, path in operations if path.startswith("/config/")}
    assert {"/config/cluster", "/config/network", "/config/network/{name}",
            "/config/network/{name}/_clone", "/config/network/{name}/_delete",
            "/config/network/{name}/_list", "/config/network/{name}/_nextfreeip",
            "/config/network/{name}/{ipaddress}", "/config/group/{name}",
            "/config/node/{name}"} <= config_paths

    for method, path in operations:
        url = server.url + _fill(path)
        body = {"config": {}}
        for headers in ({}, {"x-access-tokens": "garbage"}, {"Authorization": "Bearer garbage"}):
            answer = requests.request(method, url, headers=headers,
                                      json=body if method == "POST" else None)
            got = assert_error(answer, 401)
            assert "config" not in got, (method, path)
    # nothing was created or deleted by those requests
    for kind in ("network", "group", "node"):
        assert server.get(f"/config/{kind}/unauth-name").status_code == 404


def test_unauthenticated_writes_change_nothing(server):
    cluster = server.get("/config/cluster").json()
    answer = requests.post(server.url + "/config/cluster",
                           json={"config": {"cluster": {"technical_contacts": "intruder"}}})
    assert_error(answer, 401)
    answer = requests.post(server.url + "/config/network/intruder",
                           json={"config": {"network": {"intruder": {"network": "10.66.0.0/16"}}}})
    assert_error(answer, 401)
    assert server.get("/config/cluster").json() == cluster
    assert server.get("/config/network/intruder").status_code == 404


# -- GET /version --------------------------------------------------------------

@pytest.mark.parametrize("headers", [{}, {"x-access-tokens": "garbage"}])
def test_version_is_public(server, headers):
    answer = requests.get(server.url + "/version", headers=headers)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert list(body) == ["version"]
    version = body["version"]
    assert set(version) == {"luna", "api", "commit"}
    assert isinstance(version["luna"], str) and version["luna"]
    assert version["api"] == 1
    assert isinstance(version["commit"], str) and version["commit"]


def test_version_with_a_token_is_the_same(server):
    assert server.get("/version").json() == requests.get(server.url + "/version").json()


# -- passwords never leave the server ---------------------------------------------

def test_passwords_never_appear_in_answers(server):
    answers = [
        token_request(server, {"username": "admin", "password": ADMIN_PASSWORD}),
        token_request(server, {"username": "admin", "password": WRONG_PASSWORD}),
        token_request(server, {"username": "nobody", "password": WRONG_PASSWORD}),
        token_request(server, {"username": "admin", "password": WRONG_PASSWORD, "x": 1}),
        token_request(server, data='{"username": "admin", "password": "%s"' % WRONG_PASSWORD),
        requests.get(server.url + "/version"),
        requests.get(server.url + "/openapi.json"),
        server.get("/config/cluster"),
        server.get("/config/network"),
        server.get("/config/group"),
        server.get("/config/node"),
    ]
    for answer in answers:
        assert answer.status_code < 500
        text = answer.text
        assert ADMIN_PASSWORD not in text
        assert WRONG_PASSWORD not in text
        assert "scrypt$" not in text
        assert "password_hash" not in text
        assert server_key(server) not in text
