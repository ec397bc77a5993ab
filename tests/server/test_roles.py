"""The role matrix: every route declares a known permission, and each role gets what it grants.

The router is walked in-process (cairn.api.create_app); the roles are tried
over HTTP against the real server, one account per role, cluster roles on a
cluster node and tenant roles on their tenant's node.
"""

import re
import time
import uuid

import bottle
import pytest
import sqlalchemy

from cairn import auth
from cairn.api import PUBLIC, CairnPlugin, create_app, tenants as tenants_api
from cairn.config import Settings
from cairn.db.engine import make_engine
from cairn.db.schema import admin, node, tenancy
from cairn.service import admins as admins_svc
from conftest import assert_error, cluster_network, make_admin, make_group, make_node
from test_admins import Client, add_tenant, set_columns

#: The permissions that are the superadmin's alone: no role grants them.
SUPERADMIN_ONLY = {admins_svc.MANAGE, tenants_api.MANAGE}
GRANTED = set().union(*auth.ROLES.values())
KNOWN = GRANTED | SUPERADMIN_ONLY | {PUBLIC}
PUBLIC_ROUTES = {("GET", "/version"), ("POST", "/token"), ("GET", "/openapi.json")} | {
    ("GET", rule) for rule in (  # booting nodes have no token
        "/boot", "/boot/short", "/boot/disk", "/boot/search/<mac>", "/boot/search/mac/<mac>",
        "/boot/manual/hostname/<name>", "/boot/manual/hostname/<name>/<mac>",
        "/boot/manual/group/<group>/<mac>", "/boot/<name>")}
_WILDCARD = re.compile(r"<[^>]+>")


@pytest.fixture(scope="module")
def engine():
    """An engine no request reaches: building the router and its plugins needs one."""
    return sqlalchemy.create_engine("sqlite://")


@pytest.fixture(scope="module")
def app(engine):
    return create_app(engine, Settings(secret_key="x"))


# -- (a) the router ---------------------------------------------------------------

def test_every_route_declares_a_known_permission(app):
    for route in app.routes:
        assert route.config.get("permission") in KNOWN, f"{route.method} {route.rule}"


def test_superadmin_permissions_are_granted_by_no_role_and_used():
    assert SUPERADMIN_ONLY.isdisjoint(GRANTED)
    assert auth.Principal(kind="superadmin", uid="u", name="root").can(admins_svc.MANAGE)


def test_only_token_version_openapi_and_boot_are_public(app):
    assert {(r.method, r.rule) for r in app.routes if r.config["permission"] == PUBLIC} == PUBLIC_ROUTES


def test_every_role_may_reach_its_own_account_and_nothing_else_of_accounts(app):
    for role, permissions in auth.ROLES.items():
        assert auth.ACCOUNT_SELF in permissions, role
    managed = {(r.method, r.rule) for r in app.routes if r.config["permission"] == admins_svc.MANAGE}
    assert managed == {("POST", "/admins"), ("GET", "/admins"), ("DELETE", "/admin/<ident>")}


# -- (b) a route without a permission ----------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_a_route_without_a_permission_fails_to_prepare(engine, method):
    app = bottle.Bottle()
    app.install(CairnPlugin(engine, Settings(secret_key="x")))
    app.route("/declared", method, lambda ctx: {}, permission=PUBLIC)
    app.route("/forgotten", method, lambda ctx: {})
    declared, forgotten = app.routes
    declared.prepare()
    with pytest.raises(ValueError, match=f"{method} /forgotten declares no permission"):
        forgotten.prepare()


# -- (c) each role over HTTP -------------------------------------------------------

def _tenant_node(server, name, tenant_id):
    """Put node ``name`` in a new tenancy of the tenant, in the database."""
    db = make_engine(server.db, pool_size=1)
    try:
        with db.begin() as conn:
            tenancy_id = conn.execute(sqlalchemy.insert(tenancy).values(
                name=f"tenancy-{uuid.uuid4().hex[:8]}", tenant_id=tenant_id, system=False,
                created=int(time.time()))).inserted_primary_key[0]
            conn.execute(sqlalchemy.update(node).where(node.c.name == name).values(tenancy_id=tenancy_id))
    finally:
        db.dispose()


def _account_id(server, name):
    db = make_engine(server.db, pool_size=1)
    try:
        with db.connect() as conn:
            return conn.execute(sqlalchemy.select(admin.c.id).where(admin.c.name == name)).scalar_one()
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def accounts(server):
    """{role: (client, account name, the node it works on)}: one account per role, and "none"
    for an account without roles."""
    cluster_network(server)
    make_group(server, "compute", [("BOOTIF", "cluster")])
    make_node(server, "cnode", "compute")
    make_node(server, "tnode", "compute")
    tenant_id = add_tenant(server, "rolestenant")
    _tenant_node(server, "tnode", tenant_id)
    clients = {}
    for role in [*auth.ROLES, "none"]:
        name = f"as-{role.removeprefix('role.')}"
        token = make_admin(server, name, [] if role == "none" else [role])
        if role in auth.TENANT_ROLES:
            set_columns(server, admin, _account_id(server, name), tenant_id=tenant_id)
        clients[role] = (Client(server, token), name, "tnode" if role in auth.TENANT_ROLES else "cnode")
    return clients


def _representative(permission, name, node_name):
    """(method, path, body, status when allowed): one call that needs ``permission``."""
    return {
        "config.read": ("GET", "/config/node", None, 200),
        "config.write": ("POST", f"/config/node/{node_name}",
                         {"config": {"node": {node_name: {"comment": f"changed by {name}"}}}}, 204),
        "secrets.read": ("GET", f"/config/secrets/node/{node_name}", None, 200),
        admins_svc.MANAGE: ("GET", "/admins", None, 200),
        auth.ACCOUNT_SELF: ("GET", f"/admin/{name}", None, 200),
        "control.power": ("GET", f"/control/action/power/{node_name}/_status", None, 200),
    }[permission]


@pytest.mark.parametrize("role", list(auth.ROLES))
@pytest.mark.parametrize("permission", ["config.read", "config.write", "secrets.read",
                                        admins_svc.MANAGE, auth.ACCOUNT_SELF, "control.power"])
def test_a_role_gets_what_it_grants_and_403_for_the_rest(accounts, role, permission):
    client, name, node_name = accounts[role]
    method, path, body, allowed = _representative(permission, name, node_name)
    answer = client.call(method, path, body)
    if permission in auth.ROLES[role]:
        assert answer.status_code == allowed, answer.text
    else:
        assert_error(answer, 403)


@pytest.mark.parametrize("permission", ["config.read", "config.write", "secrets.read",
                                        admins_svc.MANAGE, auth.ACCOUNT_SELF, "control.power"])
def test_the_superadmin_gets_everything(server, accounts, permission):
    method, path, body, allowed = _representative(permission, "admin", "cnode")
    answer = server.http.request(method, server.url + path, json=body)
    assert answer.status_code == allowed, answer.text


def test_a_principal_without_roles_can_do_nothing_but_the_public_routes(app, accounts):
    client, name, dummy = accounts["none"]
    for route in app.routes:
        path = _WILDCARD.sub(name, route.rule)  # its own name: even its own record is refused
        answer = client.call(route.method, path, {})
        if (route.method, route.rule) in PUBLIC_ROUTES:
            assert answer.status_code != 403, f"{route.method} {route.rule}"
        else:
            assert_error(answer, 403)
