"""/admins and /admin/<uid or name> over HTTP: accounts, their keys, GUI settings and tokens.

The superadmin ("admin", the session's principal) manages accounts; every
account with a role reaches its own record only, and another account's
record is a 404 to it.
"""

import base64
import json
import re
import time
import uuid

import jwt
import pytest
import requests
import sqlalchemy
from openapi_schema_validator import OAS30Validator

from cairn.db.engine import make_engine
from cairn.db.schema import admin, journal, tenant
from conftest import ADMIN_PASSWORD, assert_bad, assert_error, make_admin

PASSWORD = "s3cret-Passw0rd"


# -- helpers -------------------------------------------------------------------

def ssh_key(seed, kind="ssh-ed25519", comment=None):
    """An SSH public key of ``kind``: its data is the type, then 32 bytes (RFC 4253 strings)."""
    def string(data):
        return len(data).to_bytes(4, "big") + data
    blob = string(kind.encode()) + string(bytes([seed]) * 32)
    return " ".join([kind, base64.b64encode(blob).decode()] + ([comment] if comment else []))


class Client:
    """Requests as one principal: a token, or HTTP Basic credentials."""

    def __init__(self, server, token=None, basic=None):
        self.url = server.url
        self.headers = {"x-access-tokens": token} if token else {}
        self.auth = basic

    def call(self, method, path, body=None, **kwargs):
        if body is not None:
            kwargs["json"] = body
        return requests.request(method, self.url + path, headers=self.headers, auth=self.auth, **kwargs)


def call(server, method, path, body=None, **kwargs):
    """A request as the superadmin."""
    if body is not None:
        kwargs["json"] = body
    return server.http.request(method, server.url + path, **kwargs)


def ok(answer, status=200):
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["success"] is True
    return body


def create(server, name, **fields):
    """Create an account; returns its uid."""
    return ok(call(server, "POST", "/admins", {"name": name, "password": PASSWORD, **fields}), 201)["data"]


def record(server, ident):
    return ok(call(server, "GET", f"/admin/{ident}"))["data"]


def controller(server):
    cluster = server.get("/config/cluster").json()["config"]["cluster"]
    [name] = [key for key, value in cluster.items() if isinstance(value, dict)]
    return name


def rows(server, table):
    """Every row of a table, read directly from the server's database."""
    engine = make_engine(server.db, pool_size=1)
    try:
        with engine.connect() as conn:
            return conn.execute(sqlalchemy.select(table)).all()
    finally:
        engine.dispose()


def add_tenant(server, name, status="active"):
    """A tenant, written into the database (the tenant API is another engineer's); its id."""
    engine = make_engine(server.db, pool_size=1)
    try:
        with engine.begin() as conn:
            return conn.execute(sqlalchemy.insert(tenant).values(
                uid=uuid.uuid4().hex, name=name, status=status)).inserted_primary_key[0]
    finally:
        engine.dispose()


def set_columns(server, table, row_id, **values):
    engine = make_engine(server.db, pool_size=1)
    try:
        with engine.begin() as conn:
            conn.execute(sqlalchemy.update(table).where(table.c.id == row_id).values(**values))
    finally:
        engine.dispose()


def claims(token):
    return jwt.decode(token, options={"verify_signature": False})


# -- create --------------------------------------------------------------------

def test_create_with_a_name_only_answers_the_uid_and_a_generated_password(server):
    answer = ok(call(server, "POST", "/admins", {"name": "admin2"}), 201)
    assert set(answer) == {"success", "data", "password"}
    assert re.fullmatch(r"[0-9a-f]{32}", answer["data"])
    # the generated password is the account's: it logs in, by token and by Basic credentials
    token = server.login("admin2", answer["password"])
    assert claims(token)["sub"] == answer["data"]
    shown = record(server, answer["data"])
    assert shown["name"] == "admin2" and shown["roles"] == [] and shown["keys"] == []
    assert shown["gui_settings"] == {} and shown["description"] is None
    assert shown["superadmin"] is False and shown["tenant"] is None


def test_create_with_every_field(server):
    before = int(time.time())
    keys = [ssh_key(1, comment="jd@laptop"), ssh_key(2, "ssh-rsa")]
    uid = create(server, "jdoe", description="John Doe, HPC admin", roles=["role.readonly"],
                 keys=keys, gui_settings={"theme": "dark", "panes": [1, 2]})
    answer = call(server, "POST", "/admins", {"name": "jdoe2", "password": PASSWORD})
    assert "password" not in ok(answer, 201)  # a password given is not answered back
    shown = record(server, "jdoe")
    assert shown == {
        "uid": uid, "name": "jdoe", "description": "John Doe, HPC admin", "roles": ["role.readonly"],
        "keys": keys, "gui_settings": {"theme": "dark", "panes": [1, 2]}, "superadmin": False,
        "tenant": None, "last_modified": shown["last_modified"],
        "last_modified_on": controller(server), "last_modified_by": "admin"}
    assert before <= shown["last_modified"] <= time.time() + 1


def test_roles_may_be_the_specs_comma_separated_string(server):
    create(server, "commas", roles="role.readonly, role.poweroperator,role.readonly")
    assert record(server, "commas")["roles"] == ["role.readonly", "role.poweroperator"]


def test_duplicate_name_is_409(server):
    create(server, "twice")
    assert_error(call(server, "POST", "/admins", {"name": "twice"}), 409, "name")
    assert_error(call(server, "POST", "/admins", {"name": "admin"}), 409, "name")


@pytest.mark.parametrize("body, field", [
    ({}, "name"),
    ({"name": None}, "name"),
    ({"name": "9lives"}, "name"),
    ({"name": "a b"}, "name"),
    ({"name": "x" * 64}, "name"),
    ({"name": "abcdef0123456789abcdef0123456789"}, "name"),  # reads as a uid
    ({"name": 7}, "name"),
    ({"name": "ok1", "roles": ["role.authuser"]}, "roles"),
    ({"name": "ok1", "roles": ["role.tenantadmin"]}, "roles"),  # tenants' users come with their tenant
    ({"name": "ok1", "roles": "role.readonly,role.tenantuser"}, "roles"),
    ({"name": "ok1", "roles": {"role.readonly": True}}, "roles"),
    ({"name": "ok1", "roles": None}, "roles"),
    ({"name": "ok1", "keys": ssh_key(1)}, "keys"),
    ({"name": "ok1", "keys": ["ssh-ed25519"]}, "keys.0"),
    ({"name": "ok1", "keys": [ssh_key(1), "ssh-foo AAAAB3NzaC1yc2E="]}, "keys.1"),
    ({"name": "ok1", "keys": ["ssh-ed25519 not*base64"]}, "keys.0"),
    ({"name": "ok1", "keys": [ssh_key(1).replace("ssh-ed25519", "ssh-rsa", 1)]}, "keys.0"),
    ({"name": "ok1", "keys": [ssh_key(1) + "\n" + ssh_key(2)]}, "keys.0"),
    ({"name": "ok1", "gui_settings": ["theme"]}, "gui_settings"),
    ({"name": "ok1", "password": "short"}, "password"),
    ({"name": "ok1", "password": None}, "password"),
    ({"name": "ok1", "superadmin": True}, "superadmin"),
    ({"name": "ok1", "uid": "0" * 32}, "uid"),
])
def test_bad_fields_are_400_naming_them(server, body, field):
    assert_bad(call(server, "POST", "/admins", body), field)
    assert_error(call(server, "GET", "/admin/ok1"), 404)


def test_bodies_that_are_no_object_are_400(server):
    assert_bad(call(server, "POST", "/admins", ["admin3"]), "body")
    assert_bad(call(server, "POST", "/admins", data="{"), "body")
    assert_bad(call(server, "POST", "/admins"), "body")


# -- read, change, delete -------------------------------------------------------

def test_an_account_is_found_by_uid_or_name(server):
    uid = create(server, "findme")
    assert record(server, uid) == record(server, "findme")
    assert_error(call(server, "GET", "/admin/nosuchone"), 404)
    assert_error(call(server, "GET", f"/admin/{uuid.uuid4().hex}"), 404)


def test_list_holds_every_account_with_the_superadmin_marked(server):
    create(server, "listed")
    accounts = ok(call(server, "GET", "/admins"))["data"]
    names = [a["name"] for a in accounts]
    assert names == sorted(names) and {"admin", "listed"} <= set(names)
    [superadmin] = [a for a in accounts if a["superadmin"]]
    assert superadmin["name"] == "admin" and superadmin["roles"] == ["role.fulladmin"]


def test_patch_replaces_the_fields_given_and_stamps_the_record(server):
    create(server, "patched", roles=["role.readonly", "role.secretsreader"], description="before",
           keys=[ssh_key(3)])
    assert ok(call(server, "PATCH", "/admin/patched", {"description": "John Doe, HPC admin"})) == {"success": True}
    shown = record(server, "patched")
    assert shown["description"] == "John Doe, HPC admin" and shown["keys"] == [ssh_key(3)]
    assert shown["roles"] == ["role.readonly", "role.secretsreader"]
    # the spec: a PATCH of roles overwrites the whole list
    ok(call(server, "PATCH", "/admin/patched", {"roles": ["role.poweroperator"]}))
    assert record(server, "patched")["roles"] == ["role.poweroperator"]
    ok(call(server, "PATCH", "/admin/patched", {"roles": [], "description": None}))
    shown = record(server, "patched")
    assert shown["roles"] == [] and shown["description"] is None


def test_last_modified_by_names_whoever_changed_the_record(server):
    token = make_admin(server, "stamper", ["role.readonly"])
    before = record(server, "stamper")
    assert before["last_modified_by"] is None  # written directly into the database
    ok(Client(server, token).call("PATCH", "/admin/stamper", {"description": "mine"}))
    after = record(server, "stamper")
    assert after["last_modified_by"] == "stamper"
    assert after["last_modified_on"] == controller(server)
    assert isinstance(after["last_modified"], int)


def test_patch_renames_and_a_taken_name_is_409(server):
    uid = create(server, "oldname")
    create(server, "taken")
    assert_error(call(server, "PATCH", "/admin/oldname", {"name": "taken"}), 409, "name")
    ok(call(server, "PATCH", "/admin/oldname", {"name": "newname"}))
    assert record(server, "newname")["uid"] == uid
    assert_error(call(server, "GET", "/admin/oldname"), 404)
    ok(call(server, "PATCH", f"/admin/{uid}", {"name": "newname"}))  # its own name is no clash


@pytest.mark.parametrize("body, field", [
    ({"roles": ["role.nosuch"]}, "roles"),
    ({"roles": ["role.tenantuser"]}, "roles"),
    ({"name": "-x"}, "name"),
    ({"keys": [ssh_key(1), "nope"]}, "keys.1"),
    ({"gui_settings": "dark"}, "gui_settings"),
    ({"password": "1234567"}, "password"),
    ({"colour": "red"}, "colour"),
    ({"superadmin": False}, "superadmin"),
])
def test_bad_patches_are_400_and_change_nothing(server, body, field):
    create(server, "unpatched", roles=["role.readonly"])
    before = record(server, "unpatched")
    assert_bad(call(server, "PATCH", "/admin/unpatched", body), field)
    assert record(server, "unpatched") == before
    ok(call(server, "DELETE", "/admin/unpatched"))


def test_patch_of_an_unknown_account_is_404(server):
    assert_error(call(server, "PATCH", "/admin/nobody", {"description": "x"}), 404)
    assert_bad(call(server, "PATCH", "/admin/admin", ["description"]), "body")


def test_a_new_password_works_and_the_old_one_no_longer_does(server):
    create(server, "rotating")
    ok(call(server, "PATCH", "/admin/rotating", {"password": "another-passw0rd"}))
    server.login("rotating", "another-passw0rd")
    answer = requests.post(server.url + "/token", json={"username": "rotating", "password": PASSWORD})
    assert_error(answer, 401)


def test_basic_credentials_of_a_new_admin_work(server):
    create(server, "scripted", roles=["role.readonly"])
    basic = Client(server, basic=("scripted", PASSWORD))
    assert basic.call("GET", "/config/cluster").status_code == 200
    assert ok(basic.call("GET", "/admin/scripted"))["data"]["name"] == "scripted"
    assert_error(Client(server, basic=("scripted", "wrong-password")).call("GET", "/config/cluster"), 401)


def test_delete_removes_the_account_and_its_tokens(server):
    uid = create(server, "leaving", roles=["role.readonly"])
    token = server.login("leaving", PASSWORD)
    assert ok(call(server, "DELETE", f"/admin/{uid}")) == {"success": True}
    assert_error(call(server, "GET", "/admin/leaving"), 404)
    assert_error(call(server, "DELETE", "/admin/leaving"), 404)
    assert_error(Client(server, token).call("GET", "/config/cluster"), 401)


def test_the_superadmin_cannot_be_deleted(server):
    assert_error(call(server, "DELETE", "/admin/admin"), 403)
    assert record(server, "admin")["superadmin"] is True
    # nor made an ordinary account: the flag is no field of a PATCH
    assert_bad(call(server, "PATCH", "/admin/admin", {"superadmin": False}), "superadmin")


def test_the_password_hash_never_appears(server):
    create(server, "hashed", keys=[ssh_key(4)])
    hashes = [row.password_hash for row in rows(server, admin)]
    answers = [call(server, "GET", "/admins"), call(server, "GET", "/admin/hashed"),
               call(server, "GET", "/admin/admin")]
    for answer in answers:
        assert answer.status_code == 200
        assert "password" not in answer.text and "scrypt$" not in answer.text
        assert not any(h in answer.text for h in hashes)


# -- gui_settings ----------------------------------------------------------------

def test_gui_settings_are_changed_key_by_key(server):
    create(server, "gui", gui_settings={"theme": "dark", "rows": 50, "layout": {"left": 1}})
    path = "/admin/gui/gui_settings"
    assert ok(call(server, "GET", path))["data"] == {"theme": "dark", "rows": 50, "layout": {"left": 1}}
    ok(call(server, "PATCH", path, {"rows": 100, "lang": "en", "theme": None}))
    assert ok(call(server, "GET", path))["data"] == {"rows": 100, "layout": {"left": 1}, "lang": "en"}
    # a nested object is a value: replaced whole
    ok(call(server, "PATCH", path, {"layout": {"right": 2}}))
    assert ok(call(server, "GET", path))["data"]["layout"] == {"right": 2}
    ok(call(server, "DELETE", path, ["rows", "nosuchkey"]))
    assert ok(call(server, "GET", path))["data"] == {"layout": {"right": 2}, "lang": "en"}
    ok(call(server, "DELETE", path))
    assert ok(call(server, "GET", path))["data"] == {}
    assert record(server, "gui")["gui_settings"] == {}


def test_gui_settings_errors(server):
    create(server, "gui2")
    path = "/admin/gui2/gui_settings"
    assert_bad(call(server, "PATCH", path, ["theme"]), "body")
    assert_bad(call(server, "PATCH", path), "body")
    assert_bad(call(server, "DELETE", path, {"theme": None}), "body")
    assert_bad(call(server, "DELETE", path, [1]), "body")
    for method, body in (("GET", None), ("PATCH", {"a": 1}), ("DELETE", None)):
        assert_error(call(server, method, "/admin/nobody/gui_settings", body), 404)


# -- keys ------------------------------------------------------------------------

def test_keys_are_added_replaced_and_removed(server):
    create(server, "keyed", keys=[ssh_key(10)])
    path = "/admin/keyed/keys"

    def keys():
        return record(server, "keyed")["keys"]

    # the same key with another comment is a duplicate: the first stays
    ok(call(server, "POST", path, {"keys": [ssh_key(11), ssh_key(10, comment="again"), ssh_key(11)]}))
    assert keys() == [ssh_key(10), ssh_key(11)]
    ok(call(server, "PUT", path, {"keys": [ssh_key(12, "ecdsa-sha2-nistp256"), ssh_key(13)]}))
    assert keys() == [ssh_key(12, "ecdsa-sha2-nistp256"), ssh_key(13)]
    ok(call(server, "DELETE", path, {"keys": [ssh_key(13, comment="any comment"), ssh_key(14)]}))
    assert keys() == [ssh_key(12, "ecdsa-sha2-nistp256")]
    ok(call(server, "POST", path, {"keys": [ssh_key(15)]}))
    ok(call(server, "DELETE", path))
    assert keys() == []


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_key_bodies_are_checked(server, method):
    path = "/admin/admin/keys"
    assert_bad(call(server, method, path, {"keys": ["ssh-ed25519 AAAA"]}), "keys.0")
    assert_bad(call(server, method, path, {"keys": ssh_key(1)}), "keys")
    assert_bad(call(server, method, path, {"keys": None}), "keys")
    assert_bad(call(server, method, path, [ssh_key(1)]), "body")
    assert_bad(call(server, method, path, {"key": [ssh_key(1)]}), "key")
    assert_error(call(server, method, "/admin/nobody/keys", {"keys": []}), 404)


# -- newtoken --------------------------------------------------------------------

def test_newtoken_makes_a_token_of_the_account(server):
    uid = create(server, "tokened", roles=["role.readonly"])
    body = ok(call(server, "POST", "/admin/tokened/newtoken"), 201)
    assert set(body) == {"success", "data"} and set(body["data"]) == {"token", "expires"}
    token = body["data"]["token"]
    assert claims(token)["sub"] == uid and claims(token)["exp"] == body["data"]["expires"]
    assert claims(token)["exp"] - claims(token)["iat"] == 3600  # the server's token_lifespan
    assert Client(server, token).call("GET", "/config/cluster").status_code == 200


def test_newtoken_lifespan_and_the_legacy_timeout(server):
    create(server, "spans")
    body = ok(call(server, "POST", "/admin/spans/newtoken", {"lifespan": 120}), 201)
    assert "deprecated" not in body
    token = claims(body["data"]["token"])
    assert token["exp"] - token["iat"] == 120
    body = ok(call(server, "POST", "/admin/spans/newtoken", {"timeout": 86400}), 201)
    assert body["deprecated"] == "timeout: use lifespan"
    token = claims(body["data"]["token"])
    assert token["exp"] - token["iat"] == 86400


@pytest.mark.parametrize("body, field", [
    ({"lifespan": 59}, "lifespan"),
    ({"lifespan": 365 * 24 * 3600 + 1}, "lifespan"),
    ({"lifespan": "3600"}, "lifespan"),
    ({"lifespan": True}, "lifespan"),
    ({"timeout": 0}, "timeout"),
    ({"lifespan": 60, "timeout": 60}, "timeout"),
    ({"revoke": "yes"}, "revoke"),
    ({"forever": True}, "forever"),
    (["lifespan"], "body"),
])
def test_newtoken_bad_bodies_are_400(server, body, field):
    assert_bad(call(server, "POST", "/admin/admin/newtoken", body), field)


def test_newtoken_revoke_refuses_the_older_tokens(server):
    create(server, "revoker", roles=["role.readonly"])
    old = server.login("revoker", PASSWORD)
    mine = Client(server, old)
    kept = ok(mine.call("POST", "/admin/revoker/newtoken", {"lifespan": 600}), 201)["data"]["token"]
    assert mine.call("GET", "/config/cluster").status_code == 200  # no revoke: both work
    new = ok(mine.call("POST", "/admin/revoker/newtoken", {"revoke": True}), 201)["data"]["token"]
    for token in (old, kept):
        assert_error(Client(server, token).call("GET", "/config/cluster"), 401)
    assert Client(server, new).call("GET", "/config/cluster").status_code == 200
    # the superadmin revokes another account's tokens the same way
    ok(call(server, "POST", "/admin/revoker/newtoken", {"revoke": True}), 201)
    assert_error(Client(server, new).call("GET", "/config/cluster"), 401)
    assert record(server, "revoker")["last_modified_by"] == "admin"


def test_newtoken_of_an_unknown_account_is_404(server):
    assert_error(call(server, "POST", "/admin/nobody/newtoken", {"lifespan": 60}), 404)


# -- who may do what --------------------------------------------------------------

@pytest.fixture(scope="module")
def reader(server):
    """A read-only admin, and the uid of another account it may not see."""
    token = make_admin(server, "reader", ["role.readonly"])
    return Client(server, token), create(server, "stranger")


def test_an_account_reads_and_changes_its_own_record(server, reader):
    me, dummy = reader
    assert ok(me.call("GET", "/admin/reader"))["data"]["roles"] == ["role.readonly"]
    ok(me.call("PATCH", "/admin/reader", {"description": "me", "gui_settings": {"a": 1}, "keys": [ssh_key(20)]}))
    ok(me.call("PATCH", "/admin/reader/gui_settings", {"b": 2}))
    assert ok(me.call("GET", "/admin/reader/gui_settings"))["data"] == {"a": 1, "b": 2}
    ok(me.call("POST", "/admin/reader/keys", {"keys": [ssh_key(21)]}))
    assert record(server, "reader")["keys"] == [ssh_key(20), ssh_key(21)]
    ok(me.call("PATCH", "/admin/reader", {"password": "readers-new-pass"}))
    server.login("reader", "readers-new-pass")


def test_an_account_may_not_change_its_own_name_or_roles(server, reader):
    me, dummy = reader
    assert_error(me.call("PATCH", "/admin/reader", {"roles": ["role.fulladmin"]}), 403, "roles")
    assert_error(me.call("PATCH", "/admin/reader", {"name": "boss"}), 403, "name")
    assert record(server, "reader")["roles"] == ["role.readonly"]


def test_another_account_is_404_to_whoever_may_not_manage_accounts(server, reader):
    me, stranger = reader
    for ident in (stranger, "stranger", "admin", "nobody"):
        for method, path, body in (("GET", "", None), ("PATCH", "", {"description": "x"}),
                                   ("GET", "/gui_settings", None), ("PATCH", "/gui_settings", {"a": 1}),
                                   ("DELETE", "/gui_settings", None), ("POST", "/keys", {"keys": []}),
                                   ("PUT", "/keys", {"keys": []}), ("DELETE", "/keys", None),
                                   ("POST", "/newtoken", {"revoke": True})):
            answer = me.call(method, f"/admin/{ident}{path}", body)
            assert_error(answer, 404)
            assert answer.json()["message"] == f"admin '{ident}' does not exist"
    assert record(server, "stranger")["last_modified_by"] == "admin"


def test_managing_accounts_is_the_superadmins_alone(server, reader):
    me, stranger = reader
    assert_error(me.call("GET", "/admins"), 403)
    assert_error(me.call("POST", "/admins", {"name": "mine"}), 403)
    assert_error(me.call("DELETE", f"/admin/{stranger}"), 403)
    assert_error(me.call("DELETE", "/admin/reader"), 403)  # not even itself
    fulladmin = Client(server, make_admin(server, "full", ["role.fulladmin"]))
    assert_error(fulladmin.call("GET", "/admins"), 403)
    assert_error(fulladmin.call("GET", f"/admin/{stranger}"), 404)


def test_an_account_without_roles_can_do_nothing_with_its_record(server):
    create(server, "noroles")
    me = Client(server, server.login("noroles", PASSWORD))
    for method, path in (("GET", ""), ("PATCH", ""), ("GET", "/gui_settings"), ("POST", "/newtoken")):
        assert_error(me.call(method, f"/admin/noroles{path}", {}), 403)


# -- tenants' users ----------------------------------------------------------------

def test_a_tenants_user_keeps_tenant_roles(server):
    tenant_id = add_tenant(server, "acme")
    token = make_admin(server, "acme-user", ["role.tenantuser"])
    [row] = [r for r in rows(server, admin) if r.name == "acme-user"]
    set_columns(server, admin, row.id, tenant_id=tenant_id)
    shown = record(server, "acme-user")
    assert shown["tenant"] == "acme" and shown["roles"] == ["role.tenantuser"]
    assert_bad(call(server, "PATCH", "/admin/acme-user", {"roles": ["role.readonly"]}), "roles")
    ok(call(server, "PATCH", "/admin/acme-user", {"roles": ["role.tenantadmin"]}))
    # a tenant's principal reads and changes its own record the same way
    user = Client(server, token)
    ok(user.call("PATCH", "/admin/acme-user", {"description": "acme's user"}))
    assert ok(user.call("GET", "/admin/acme-user"))["data"]["description"] == "acme's user"
    assert_error(user.call("GET", "/admin/admin"), 404)
    # no token for a user of a suspended tenant
    set_columns(server, tenant, tenant_id, status="suspended")
    assert_error(call(server, "POST", "/admin/acme-user/newtoken"), 409)


# -- the journal -------------------------------------------------------------------

def test_writes_are_journaled_with_passwords_masked(server):
    create(server, "journaled", password="journal-pass-1")
    ok(call(server, "PATCH", "/admin/journaled", {"password": "journal-pass-2"}))
    generated = ok(call(server, "POST", "/admins", {"name": "journaled2"}), 201)["password"]
    entries = [row for row in rows(server, journal) if row.function.startswith("admins.")]
    functions = {row.function for row in entries}
    assert {"admins.create", "admins.change"} <= functions
    text = json.dumps([tuple(map(str, row)) for row in rows(server, journal)])
    for password in ("journal-pass-1", "journal-pass-2", generated, PASSWORD, ADMIN_PASSWORD):
        assert password not in text
    [change] = [row for row in entries if row.function == "admins.change" and row.object == "journaled"]
    assert json.loads(change.payload) == {"password": "********"}
    assert change.principal == "admin"


# -- the OpenAPI document ------------------------------------------------------------

def test_answers_follow_the_openapi_document(server):
    paths = server.get("/openapi.json").json()["paths"]

    def check(path, method, status, answer):
        schema = paths[path][method]["responses"][status]["content"]["application/json"]["schema"]
        assert list(OAS30Validator(schema).iter_errors(answer.json())) == [], (path, method)

    check("/admins", "post", "201", call(server, "POST", "/admins", {"name": "documented"}))
    check("/admins", "get", "200", call(server, "GET", "/admins"))
    check("/admin/{ident}", "get", "200", call(server, "GET", "/admin/documented"))
    check("/admin/{ident}/gui_settings", "get", "200", call(server, "GET", "/admin/documented/gui_settings"))
    check("/admin/{ident}/newtoken", "post", "201",
          call(server, "POST", "/admin/documented/newtoken", {"timeout": 60}))
    check("/admin/{ident}", "patch", "200", call(server, "PATCH", "/admin/documented", {"description": "d"}))
    check("/admin/{ident}", "patch", "400", call(server, "PATCH", "/admin/documented", {"name": 1}))
