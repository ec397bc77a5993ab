"""Auth abuse over HTTP: forged tokens of every kind of principal, tokens and passwords of
deleted or suspended principals, and the throttling of failed logins per client address.

Forged tokens are signed here with PyJWT, with the server's own key (its data dir's
token.key) where the forgery needs it. Clients reach the server from distinct loopback
addresses (the whole of 127/8 is local): the throttle counts per address, so each test
of it takes addresses of its own.
"""

import base64
import concurrent.futures
import json
import time

import jwt
import pytest
import requests
import sqlalchemy

from cairn import auth, config
from cairn.db import logins as db_logins
from cairn.db.engine import make_engine, transaction
from cairn.db.schema import node
from cairn.service import throttle
from cairn.service.errors import Unauthorized
from cairn.service.tx import Context
from conftest import (ADMIN_PASSWORD, BACKENDS, Server, assert_error, cluster_network, make_group, make_node,
                      other_database)
from test_auth import b64, claims_of, server_key
from test_install import client
from test_tenants import USER_PASSWORD, create_tenant, login, tenant_token

PASSWORD = "abuse-Passw0rd"
WRONG_PASSWORD = "guessing-4711"
ALLOWED, WINDOW = 3, 6  # the throttled server's login_failures_allowed and login_failure_window


def status_with(server, token, bearer=False):
    """The status of GET /config/cluster with ``token`` alone: 401 refused, else accepted
    (200, or 403 for a node's token, which reaches only its installer's routes)."""
    headers = {"Authorization": f"Bearer {token}"} if bearer else {"x-access-tokens": token}
    return requests.get(server.url + "/config/cluster", headers=headers).status_code


def refused(server, token):
    """Whether both token headers are refused with a 401 (and never anything else)."""
    statuses = {status_with(server, token), status_with(server, token, bearer=True)}
    assert len(statuses) == 1, statuses
    if 401 in statuses:
        assert_error(requests.get(server.url + "/config/cluster", headers={"x-access-tokens": token}), 401)
    return statuses == {401}


def basic_refused(server, username, password):
    answer = requests.get(server.url + "/config/cluster", auth=(username, password))
    assert answer.status_code in (200, 401), answer.text
    return answer.status_code == 401


def create_admin(server, name):
    answer = server.post("/admins", {"name": name, "password": PASSWORD, "roles": ["role.readonly"]})
    assert answer.status_code == 201, answer.text
    return answer.json()["data"]


def node_token(server, name):
    """The provisioning token the server would hand node ``name``: made as the server makes
    it, with its key, naming the node's uid."""
    engine = make_engine(server.db, pool_size=1)
    try:
        with engine.connect() as conn:
            node_uid = conn.execute(sqlalchemy.select(node.c.uid).where(node.c.name == name)).scalar_one()
    finally:
        engine.dispose()
    return auth.issue_node_token(name, node_uid, server_key(server), 600)


@pytest.fixture(scope="module")
def tokens(server):
    """A genuine token of each kind of principal: an admin's from /token and from its
    newtoken, a tenant's own, a tenant user's, and a node's provisioning token."""
    create_admin(server, "forged-admin")
    create_tenant(server, "Forged", users={"forged-user": {"password": USER_PASSWORD}})
    cluster_network(server, "abusenet", "10.178.0.0/16")
    make_group(server, "abuse-grp", [("BOOTIF", "abusenet")])
    make_node(server, "abuse01", "abuse-grp")
    newtoken = server.post("/admin/forged-admin/newtoken", {})
    assert newtoken.status_code == 201, newtoken.text
    found = {"admin": server.login("forged-admin", PASSWORD), "admin-newtoken": newtoken.json()["data"]["token"],
             "superadmin": server.token, "tenant": tenant_token(server, "Forged"),
             "tenant-user": server.login("forged-user", USER_PASSWORD), "node": node_token(server, "abuse01")}
    for kind, token in found.items():
        assert not refused(server, token), kind
    return found


# -- forged tokens ---------------------------------------------------------------------

def _resigned(token, key, **changes):
    claims = {**claims_of(token), **changes}
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm="HS256")


def _with_payload(token, **changes):
    """The token's header and signature around a changed payload."""
    header, dummy, signature = token.split(".")
    return f"{header}.{b64({**claims_of(token), **changes})}.{signature}"


#: Forgeries of a genuine token: (token, the server's key) -> a token the server must refuse.
FORGERIES = {
    "expired": lambda t, key: _resigned(t, key, iat=int(time.time()) - 7200, exp=int(time.time()) - 1),
    "payload-extended": lambda t, key: _with_payload(t, exp=claims_of(t)["exp"] + 86400),
    "payload-other-sub": lambda t, key: _with_payload(t, sub="0" * 32),
    "payload-superadmin": lambda t, key: _with_payload(t, kind="superadmin"),
    "signature-flipped": lambda t, key: t[:-3] + ("AAA" if t[-3:] != "AAA" else "BBB"),
    "signature-removed": lambda t, key: t.rsplit(".", 1)[0] + ".",
    "another-key": lambda t, key: _resigned(t, "another-key-" + "x" * 40),
    "alg-none": lambda t, key: f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims_of(t))}.",
    "alg-HS512": lambda t, key: jwt.encode(claims_of(t), key, algorithm="HS512"),
    "no-sub": lambda t, key: _resigned(t, key, sub=None),
    "no-exp": lambda t, key: _resigned(t, key, exp=None),
    "sub-not-a-string": lambda t, key: _resigned(t, key, sub=12345),
    "sub-with-nul": lambda t, key: _resigned(t, key, sub=claims_of(t)["sub"] + "\x00"),
    "exp-not-a-number": lambda t, key: _resigned(t, key, exp="tomorrow"),
    "garbage": lambda t, key: "garbage",
    "three-dots": lambda t, key: "a.b.c",
    "truncated": lambda t, key: t[:len(t) // 2],
    "json-not-base64": lambda t, key: json.dumps(claims_of(t)),
}


@pytest.mark.parametrize("kind", ["admin", "admin-newtoken", "superadmin", "tenant", "tenant-user", "node"])
@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_forged_tokens_are_401(server, tokens, kind, forgery):
    assert refused(server, FORGERIES[forgery](tokens[kind], server_key(server)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_token_the_server_issued_expires(backend, tmp_path):
    """A token from POST /token of a server whose token_lifespan is one second is refused
    once its second has passed (whether it is still good at first depends on timing)."""
    pg_url = other_database("shortlived") if backend == "postgresql" else None
    srv = Server(backend, str(tmp_path), pg_url=pg_url, extra_env={"CAIRN_TOKEN_LIFESPAN": "1"})
    try:
        token = srv.login("admin", ADMIN_PASSWORD)
        deadline = time.monotonic() + 30
        while status_with(srv, token) != 401 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert refused(srv, token)
        assert claims_of(token)["exp"] - claims_of(token)["iat"] == 1
    finally:
        srv.stop()


def test_a_token_of_another_kind_names_no_one(server, tokens):
    """The right key cannot turn one principal's claims into another's: a user's token
    claiming its tenant's own identity, a node's claims on an account."""
    key = server_key(server)
    user = claims_of(tokens["tenant-user"])
    assert refused(server, _resigned(tokens["tenant-user"], key, sub=user["tenant"], tenant=user["tenant"],
                                     gen=user["gen"] + 1))
    assert refused(server, _resigned(tokens["node"], key, sub="forged-admin"))
    assert refused(server, _resigned(tokens["node"], key, node="1"))


# -- deleted and suspended principals ----------------------------------------------------

def test_a_deleted_admins_tokens_and_password_are_refused(server):
    uid = create_admin(server, "deleted-admin")
    token = server.login("deleted-admin", PASSWORD)
    newtoken = server.post("/admin/deleted-admin/newtoken", {}).json()["data"]["token"]
    assert not basic_refused(server, "deleted-admin", PASSWORD)
    assert server.http.delete(f"{server.url}/admin/{uid}").status_code == 200
    assert refused(server, token) and refused(server, newtoken)
    assert basic_refused(server, "deleted-admin", PASSWORD)
    assert_error(login(server, "deleted-admin", PASSWORD), 401)
    # An account of the same name later is another principal: the old tokens stay refused.
    create_admin(server, "deleted-admin")
    assert refused(server, token) and refused(server, newtoken)


def test_basic_credentials_with_a_nul_character_are_401(server):
    for username, password in (("admin\x00", ADMIN_PASSWORD), ("\x00", "x"), ("admin", ADMIN_PASSWORD + "\x00")):
        assert basic_refused(server, username, password)


def _tenant_refused(server, name, tenant_tok, user_tok):
    """Whether every credential of the tenant is refused: its token, its user's token,
    its user's Basic credentials and login; and they all agree."""
    states = {refused(server, tenant_tok), refused(server, user_tok),
              basic_refused(server, f"{name}-user", USER_PASSWORD),
              login(server, f"{name}-user", USER_PASSWORD).status_code == 401}
    assert len(states) == 1, "tokens, Basic and login disagree"
    return states.pop()


def _tenant(server, name):
    create_tenant(server, name, users={f"{name}-user": {"password": USER_PASSWORD}})
    return tenant_token(server, name), server.login(f"{name}-user", USER_PASSWORD)


@pytest.mark.parametrize("action, status", [("suspend", "suspended"), ("delete", "deleting")])
def test_a_suspended_or_deleted_tenants_credentials_are_refused(server, action, status):
    name = f"Abuse{action}"
    tenant_tok, user_tok = _tenant(server, name)
    assert not _tenant_refused(server, name, tenant_tok, user_tok)
    answer = (server.http.delete(f"{server.url}/tenant/{name}") if action == "delete"
              else server.post(f"/tenant/{name}/suspend"))
    assert answer.status_code in (200, 202), answer.text
    assert answer.json()["data"]["status"] == status
    assert _tenant_refused(server, name, tenant_tok, user_tok)
    assert server.post(f"/tenant/{name}/resume").status_code == 200
    assert not _tenant_refused(server, name, tenant_tok, user_tok)


def test_a_deleted_tenant_users_credentials_are_refused(server):
    create_tenant(server, "AbuseUsers", users={"AbuseUsers-user": {"password": USER_PASSWORD},
                                               "AbuseUsers-other": {"password": PASSWORD}})
    tenant_tok = tenant_token(server, "AbuseUsers")
    user_tok = server.login("AbuseUsers-user", USER_PASSWORD)
    assert server.http.delete(f"{server.url}/admin/AbuseUsers-user").status_code == 200
    assert refused(server, user_tok)
    assert basic_refused(server, "AbuseUsers-user", USER_PASSWORD)
    # the tenant and its other user are untouched
    assert not refused(server, tenant_tok)
    assert not basic_refused(server, "AbuseUsers-other", PASSWORD)


def test_a_deleted_nodes_token_is_refused(server, tokens):
    make_node(server, "abuse02", "abuse-grp")
    token = node_token(server, "abuse02")
    assert not refused(server, token)
    assert server.post("/config/node/abuse02/_delete").status_code in (200, 204)
    assert refused(server, token)
    node_routes_refuse(server, token, "abuse02")


def test_a_deleted_nodes_token_stays_refused_when_a_node_of_its_name_returns(server, tokens):
    # On SQLite the new node even gets the deleted one's id (the highest id plus one): the
    # token names the node's uid, which no later node shares.
    make_node(server, "abuse03", "abuse-grp")
    token = node_token(server, "abuse03")
    assert server.post("/config/node/abuse03/_delete").status_code in (200, 204)
    make_node(server, "abuse03", "abuse-grp")
    assert refused(server, token)
    node_routes_refuse(server, token, "abuse03")
    assert not refused(server, node_token(server, "abuse03"))


def node_routes_refuse(server, token, name):
    """The routes a node's token reaches answer its token with a 401 too: those check the
    node in their own transaction (service.tx), not before."""
    headers = {"x-access-tokens": token}
    for path in (f"/monitor/status/{name}", f"/boot/install/{name}", "/files/anything.tar.gz"):
        assert_error(requests.get(server.url + path, headers=headers), 401)
    assert_error(requests.post(f"{server.url}/monitor/status/{name}", headers=headers,
                               json={"monitor": {"status": {name: {"state": "installer.ok"}}}}), 401)


# -- throttling failed logins per client address ---------------------------------------------

@pytest.fixture(scope="module", params=BACKENDS)
def throttled(request, tmp_path_factory):
    """A server that allows ALLOWED failed logins per address within WINDOW seconds, in
    2 processes: the kernel hands each connection to either, and the limit holds for both."""
    # Its own PostgreSQL database: the module's other server may still be running on the first.
    pg_url = other_database("throttled") if request.param == "postgresql" else None
    srv = Server(request.param, str(tmp_path_factory.mktemp(f"throttled-{request.param}")), pg_url=pg_url,
                 extra_env={"CAIRN_LOGIN_FAILURES_ALLOWED": str(ALLOWED),
                            "CAIRN_LOGIN_FAILURE_WINDOW": str(WINDOW), "CAIRN_WORKERS": "2"})
    yield srv
    srv.stop()


def login_from(server, address, password, username="admin", **headers):
    return client(address).post(server.url + "/token", json={"username": username, "password": password},
                                headers=headers)


def assert_throttled(answer):
    body = assert_error(answer, 429)
    assert "too many failed logins" in body["message"]
    assert 1 <= int(answer.headers["Retry-After"]) <= WINDOW
    assert WRONG_PASSWORD not in answer.text and PASSWORD not in answer.text


def fail(server, address, times):
    for dummy in range(times):
        assert_error(login_from(server, address, WRONG_PASSWORD), 401)


def test_failures_from_one_address_lock_it_out_and_no_other(throttled):
    fail(throttled, "127.0.1.1", ALLOWED)
    assert_throttled(login_from(throttled, "127.0.1.1", WRONG_PASSWORD))
    assert_throttled(login_from(throttled, "127.0.1.1", WRONG_PASSWORD, username="nobody"))
    # the right password too, from that address: no more guesses while it lasts
    assert_throttled(login_from(throttled, "127.0.1.1", ADMIN_PASSWORD))
    # another address logs in, and fails on its own count
    assert login_from(throttled, "127.0.1.2", ADMIN_PASSWORD).status_code == 201
    fail(throttled, "127.0.1.2", ALLOWED)
    assert_throttled(login_from(throttled, "127.0.1.2", ADMIN_PASSWORD))
    # tokens are no logins: they keep working from a locked address
    assert client("127.0.1.1", throttled.token).get(throttled.url + "/config/cluster").status_code == 200


def basic_from(server, address, password, username="admin"):
    return client(address).get(server.url + "/config/cluster", auth=(username, password))


def test_basic_failures_count_with_the_logins(throttled):
    """HTTP Basic credentials are the same guessing: one count with POST /token's."""
    for dummy in range(ALLOWED - 1):
        assert_error(basic_from(throttled, "127.0.8.1", WRONG_PASSWORD), 401)
    fail(throttled, "127.0.8.1", 1)
    assert_throttled(basic_from(throttled, "127.0.8.1", ADMIN_PASSWORD))
    assert_throttled(login_from(throttled, "127.0.8.1", ADMIN_PASSWORD))
    assert basic_from(throttled, "127.0.8.2", ADMIN_PASSWORD).status_code == 200


def test_a_success_forgives_no_failure(throttled):
    """Neither another address's success nor the address's own resets its count: logging
    in with one's own account buys no more guesses at another's password."""
    fail(throttled, "127.0.2.1", ALLOWED - 1)
    assert login_from(throttled, "127.0.2.2", ADMIN_PASSWORD).status_code == 201
    assert login_from(throttled, "127.0.2.1", ADMIN_PASSWORD).status_code == 201
    fail(throttled, "127.0.2.1", 1)
    assert_throttled(login_from(throttled, "127.0.2.1", ADMIN_PASSWORD))


def test_the_lockout_ends_when_the_oldest_failure_leaves_the_window(throttled):
    fail(throttled, "127.0.3.1", ALLOWED)
    answer = login_from(throttled, "127.0.3.1", ADMIN_PASSWORD)
    assert_throttled(answer)
    deadline = time.monotonic() + WINDOW + 30
    while answer.status_code == 429 and time.monotonic() < deadline:
        time.sleep(0.2)
        answer = login_from(throttled, "127.0.3.1", ADMIN_PASSWORD)
    assert answer.status_code == 201, answer.text


def test_x_forwarded_for_does_not_change_the_address(throttled):
    for i in range(ALLOWED):
        answer = login_from(throttled, "127.0.4.1", WRONG_PASSWORD, **{"X-Forwarded-For": f"10.9.9.{i}"})
        assert_error(answer, 401)
    assert_throttled(login_from(throttled, "127.0.4.1", WRONG_PASSWORD, **{"X-Forwarded-For": "10.9.9.99"}))


def test_malformed_requests_are_no_failures(throttled):
    for body in ({}, {"username": "admin"}, {"username": "admin", "password": WRONG_PASSWORD, "x": 1}):
        for dummy in range(ALLOWED):
            assert_error(client("127.0.5.1").post(throttled.url + "/token", json=body), 400)
    assert login_from(throttled, "127.0.5.1", ADMIN_PASSWORD).status_code == 201


def test_parallel_guesses_get_no_more_than_the_limit(throttled):
    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(lambda i: login_from(throttled, "127.0.6.1", f"{WRONG_PASSWORD}{i}"),
                                range(12)))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [401] * ALLOWED + [429] * (12 - ALLOWED)


def test_429_is_documented(throttled):
    paths = requests.get(throttled.url + "/openapi.json").json()["paths"]
    assert "429" in paths["/token"]["post"]["responses"]
    assert "429" in paths["/config/cluster"]["get"]["responses"]  # HTTP Basic's
    assert "429" not in paths["/version"]["get"]["responses"]


def test_no_password_reaches_the_log(throttled):
    fail(throttled, "127.0.7.1", ALLOWED)
    assert_throttled(login_from(throttled, "127.0.7.1", ADMIN_PASSWORD))
    assert basic_refused(throttled, "admin", WRONG_PASSWORD + "-basic")
    log = throttled.output()
    # the lockout is logged, naming the address alone
    assert f"{ALLOWED} failed logins from 127.0.7.1 within {WINDOW} s" in log
    for secret in (WRONG_PASSWORD, ADMIN_PASSWORD, base64.b64encode(f"admin:{WRONG_PASSWORD}-basic".encode()).decode()):
        assert secret not in log


def test_no_limit_when_none_is_set(server):
    """login_failures_allowed 0 (the test servers' setting but for the throttled ones)."""
    for dummy in range(15):
        assert_error(login_from(server, "127.0.9.1", WRONG_PASSWORD), 401)
    assert login_from(server, "127.0.9.1", ADMIN_PASSWORD).status_code == 201


@pytest.fixture
def at_time(throttled):
    """Contexts on the throttled server's database whose clock reads ``when``, a moment
    long past: the server's own attempts are younger than any window seen from there."""
    engine = make_engine(throttled.db, pool_size=1)
    settings = config.Settings(login_failures_allowed=2, login_failure_window=60)
    yield lambda when: Context(engine, None, settings, clock=lambda: when)
    engine.dispose()


def fail_login(ctx, address):
    with pytest.raises(Unauthorized), throttle.login_attempt(ctx, address):
        raise Unauthorized("invalid username or password")


def test_an_ipv6_client_is_counted_by_its_64(at_time):
    """In this process, on the service itself: the servers here listen on IPv4 loopback."""
    ctx = at_time(1000)
    fail_login(ctx, "2001:db8:77::1")
    fail_login(ctx, "2001:db8:77::2")
    with pytest.raises(throttle.TooManyFailures), throttle.login_attempt(ctx, "2001:db8:77::ffff:1"):
        pass
    with throttle.login_attempt(ctx, "2001:db8:77:1::1"):  # the next /64
        pass
    # an IPv4 address mapped into IPv6 is that IPv4 address
    fail_login(ctx, "192.0.2.7")
    fail_login(ctx, "::ffff:192.0.2.7")
    with pytest.raises(throttle.TooManyFailures), throttle.login_attempt(ctx, "192.0.2.7"):
        pass


def test_attempts_leave_the_table_with_their_window(at_time):
    """Counting an attempt removes every client's attempts older than the window: the
    table holds the clients of one window, not of every burst long past."""
    for i in range(50):
        fail_login(at_time(2000), f"198.51.100.{i}")
    with throttle.login_attempt(at_time(2000 + 61), "192.0.2.200"):
        pass
    with transaction(at_time(0).engine, write=False) as conn:
        left = db_logins.clients(conn)
    assert not [client for client in left if client.startswith("198.51.100.")]


def test_the_default_limit():
    settings = config.load(environ={})
    assert (settings.login_failures_allowed, settings.login_failure_window) == (10, 60)


@pytest.mark.parametrize("name, value", [("LOGIN_FAILURES_ALLOWED", "-1"), ("LOGIN_FAILURE_WINDOW", "0")])
def test_bad_throttle_settings_are_refused(name, value):
    with pytest.raises(SystemExit, match=name.lower()):
        config.load(environ={f"CAIRN_{name}": value})
