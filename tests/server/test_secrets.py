"""/config/secrets over HTTP: every endpoint and status of the spec for nodes and groups,
permissions, and the content kept secret: encrypted at rest, out of the log and the journal.

Tests that run for both kinds of owner take the ``owner`` fixture: a fresh node (in a
fresh group) or a fresh group.
"""

import itertools
import os
import stat
import uuid

import pytest
from cryptography.fernet import Fernet, MultiFernet
from openapi_schema_validator import OAS30Validator
from sqlalchemy import select

from cairn.api import create_app
from cairn.api.openapi import document
from cairn.config import Settings
from cairn.db.engine import make_engine, transaction
from cairn.db.schema import journal, secret
from conftest import assert_bad, assert_error, make_admin, make_group, make_node

_numbers = itertools.count(1)


# -- helpers (test_key_rotation uses them too) ----------------------------------

def unique(prefix):
    return f"{prefix}{next(_numbers)}"


def plain_text():
    """Content no other test writes, to look for in files, tables and logs."""
    return f"PLAIN-{uuid.uuid4().hex}"


def secrets_body(kind, name, items, envelope=True):
    inner = {"secrets": {kind: {name: items}}}
    return {"config": inner} if envelope else inner


def item(secretname, content=None, path=None, **extra):
    fields = {"secretname": secretname, "content": content, "path": path, **extra}
    return {k: v for k, v in fields.items() if v is not None}


def post_secrets(server, kind, name, items, path="", envelope=True):
    """POST a list of secrets to /config/secrets/KIND/NAME[PATH]."""
    url = f"/config/secrets/{kind}/{name}{path}"
    return server.post(url, secrets_body(kind, name, items, envelope))


def view(server, path):
    answer = server.get(path)
    assert answer.status_code == 200, answer.text
    return answer.json()["config"]["secrets"]


def secrets_of(server, kind, name):
    """{secretname: {"content", "path"}} of the owner's own secrets."""
    return {s["secretname"]: {"content": s["content"], "path": s["path"]}
            for s in view(server, f"/config/secrets/{kind}/{name}")[kind][name]}


def query(server, statement):
    engine = make_engine(server.db, pool_size=1)
    try:
        with transaction(engine, write=False) as conn:
            return conn.execute(statement).all()
    finally:
        engine.dispose()


def key_file(server):
    return os.path.join(server.data_dir, "secrets.key")


def keys(server):
    with open(key_file(server)) as handle:
        return [line.strip() for line in handle if line.strip()]


def decrypt(server, token):
    return MultiFernet([Fernet(k) for k in keys(server)]).decrypt(token.encode()).decode()


@pytest.fixture(params=["node", "group"])
def owner(request, server):
    """(kind, name) of a new node or group."""
    group = unique("sgrp")
    make_group(server, group)
    if request.param == "group":
        return "group", group
    node = unique("snode")
    make_node(server, node, group)
    return "node", node


# -- the global list -----------------------------------------------------------

def test_global_list_shows_every_owner_with_secrets(server):
    group, node = unique("lgrp"), unique("lnode")
    make_group(server, group)
    make_node(server, node, group)
    quiet = unique("lquiet")
    make_node(server, quiet, group)
    assert post_secrets(server, "node", node, [item("b", "2", "/b"), item("a", "1", "/a")]).status_code == 201
    assert post_secrets(server, "group", group, [item("g", "3", "/g")]).status_code == 201
    listing = view(server, "/config/secrets")
    assert set(listing) == {"node", "group"}
    assert listing["node"][node] == [{"secretname": "a", "content": "1", "path": "/a"},
                                     {"secretname": "b", "content": "2", "path": "/b"}]
    assert listing["group"][group] == [{"secretname": "g", "content": "3", "path": "/g"}]
    assert quiet not in listing["node"]  # owners without secrets are left out


def test_post_to_the_global_list_is_unsupported(server):
    assert_error(server.post("/config/secrets", {"config": {"secrets": {}}}), 400)
    assert_error(server.post("/config/secrets", data=b"x"), 400)


# -- one owner's list ------------------------------------------------------------

def test_node_view_holds_its_own_and_its_group_secrets(server):
    group, node = unique("vgrp"), unique("vnode")
    make_group(server, group)
    make_node(server, node, group)
    assert post_secrets(server, "group", group, [item("Infiniband", "<ENC>", "/etc/rdma/license.lic")]).status_code == 201
    assert post_secrets(server, "node", node, [item("software license", "<ENC>", "/etc/app/license.lic")]).status_code == 201
    assert view(server, f"/config/secrets/node/{node}") == {
        "node": {node: [{"secretname": "software license", "content": "<ENC>", "path": "/etc/app/license.lic"}]},
        "group": {group: [{"secretname": "Infiniband", "content": "<ENC>", "path": "/etc/rdma/license.lic"}]},
    }
    assert view(server, f"/config/secrets/group/{group}") == {
        "group": {group: [{"secretname": "Infiniband", "content": "<ENC>", "path": "/etc/rdma/license.lic"}]}}


def test_owner_without_secrets_has_empty_lists(server):
    group, node = unique("egrp"), unique("enode")
    make_group(server, group)
    make_node(server, node, group)
    assert view(server, f"/config/secrets/node/{node}") == {"node": {node: []}, "group": {group: []}}
    assert view(server, f"/config/secrets/group/{group}") == {"group": {group: []}}


def test_list_post_answers_201_then_204_then_200(server, owner):
    kind, name = owner
    answer = post_secrets(server, kind, name, [item("one", "1", "/one")])
    assert answer.status_code == 201, answer.text
    assert name in answer.json()["message"]
    # the same again changes nothing
    answer = post_secrets(server, kind, name, [item("one", "1", "/one")])
    assert answer.status_code == 200, answer.text
    assert "unchanged" in answer.json()["message"]
    answer = post_secrets(server, kind, name, [item("one", "1 changed")])
    assert answer.status_code == 204, answer.text
    assert answer.text == ""
    answer = post_secrets(server, kind, name, [item("one", path="/moved")])
    assert answer.status_code == 204, answer.text
    # a creation wins over a change in the same list
    answer = post_secrets(server, kind, name, [item("one", "1 again"), item("two", "2", "/two")])
    assert answer.status_code == 201, answer.text
    assert secrets_of(server, kind, name) == {"one": {"content": "1 again", "path": "/moved"},
                                              "two": {"content": "2", "path": "/two"}}


def test_secrets_left_out_of_a_list_stay(server, owner):
    kind, name = owner
    post_secrets(server, kind, name, [item("keep", "k", "/keep"), item("change", "c", "/change")])
    assert post_secrets(server, kind, name, [item("change", "c2")]).status_code == 204
    assert secrets_of(server, kind, name) == {"keep": {"content": "k", "path": "/keep"},
                                              "change": {"content": "c2", "path": "/change"}}


def test_empty_list_changes_nothing(server, owner):
    kind, name = owner
    answer = post_secrets(server, kind, name, [])
    assert answer.status_code == 200, answer.text
    assert secrets_of(server, kind, name) == {}


def test_bodies_without_the_config_envelope_are_accepted(server, owner):
    """The spec's group examples leave out the outer "config"."""
    kind, name = owner
    answer = post_secrets(server, kind, name, [item("bare", "b", "/bare")], envelope=False)
    assert answer.status_code == 201, answer.text
    answer = post_secrets(server, kind, name, [item("bare", "b2")], path="/bare", envelope=False)
    assert answer.status_code == 204, answer.text
    assert secrets_of(server, kind, name)["bare"]["content"] == "b2"


def test_path_may_be_left_out_and_cleared(server, owner):
    kind, name = owner
    assert post_secrets(server, kind, name, [item("nopath", "x")]).status_code == 201
    assert secrets_of(server, kind, name)["nopath"] == {"content": "x", "path": None}
    post_secrets(server, kind, name, [item("nopath", path="/p")])
    assert post_secrets(server, kind, name, [{"secretname": "nopath", "path": None}]).status_code == 204
    assert secrets_of(server, kind, name)["nopath"]["path"] is None


# -- names ------------------------------------------------------------------------

@pytest.mark.parametrize("secretname", ["software license", "Proprietary key", "licença",
                                        "a.b_c-d (2)", "x" * 255])
def test_names_are_printable_text(server, secretname):
    group = unique("ngrp")
    make_group(server, group)
    assert post_secrets(server, "group", group, [item(secretname, "c", "/c")]).status_code == 201
    answer = server.get(f"/config/secrets/group/{group}/{secretname}")  # requests quotes it
    assert answer.status_code == 200, answer.text
    assert answer.json()["config"]["secrets"]["group"][group][0]["secretname"] == secretname


@pytest.mark.parametrize("secretname", ["", "a/b", " lead", "trail ", "tab\there", "new\nline",
                                        ".", "..", "x" * 256, 7, None])
def test_bad_names_are_refused_naming_the_field(server, secretname):
    group = unique("bngrp")
    make_group(server, group)
    answer = post_secrets(server, "group", group, [{"secretname": secretname, "content": "c"}])
    assert_bad(answer, "secrets.0.secretname")
    assert secrets_of(server, "group", group) == {}


def test_a_name_given_twice_is_refused(server, owner):
    kind, name = owner
    answer = post_secrets(server, kind, name, [item("twice", "1"), item("other", "2"), item("twice", "3")])
    assert_bad(answer, "secrets.2.secretname")
    assert secrets_of(server, kind, name) == {}  # nothing half-written


# -- bad bodies ---------------------------------------------------------------------

@pytest.mark.parametrize("items, field", [
    ([{"content": "c"}], "secrets.0.secretname"),
    ([item("a", "c"), {"secretname": "b"}], "secrets.1.content"),
    ([{"secretname": "a", "content": None}], "secrets.0.content"),
    ([{"secretname": "a", "content": 12}], "secrets.0.content"),
    ([{"secretname": "a", "content": "c", "path": "etc/relative"}], "secrets.0.path"),
    ([{"secretname": "a", "content": "c", "path": "/etc/../shadow"}], "secrets.0.path"),
    ([{"secretname": "a", "content": "c", "path": "/etc/"}], "secrets.0.path"),
    ([{"secretname": "a", "content": "c", "path": 5}], "secrets.0.path"),
    ([{"secretname": "a", "content": "c", "owner": "root"}], "secrets.0.owner"),
    (["a"], "secrets.0"),
    ({"secretname": "a", "content": "c"}, "secrets"),
])
def test_bad_items_are_refused_naming_the_field(server, owner, items, field):
    kind, name = owner
    assert_bad(post_secrets(server, kind, name, items), field)
    assert secrets_of(server, kind, name) == {}


def test_bad_envelopes_are_refused_naming_the_part(server, owner):
    kind, name = owner
    url = f"/config/secrets/{kind}/{name}"
    other = "node" if kind == "group" else "group"
    assert_bad(server.post(url, data=b"{not json"), "body")
    assert_bad(server.post(url, []), "body")
    assert_bad(server.post(url, {"config": {}}), "config")
    assert_bad(server.post(url, {"config": {"secrets": {other: {name: []}}}}), "config.secrets")
    assert_bad(server.post(url, {"config": {"secrets": {kind: {"someone-else": []}}}}),
               f"config.secrets.{kind}")
    assert_bad(server.post(url, {"config": {"secrets": {kind: {name: []}}, "extra": 1}}), "config")
    assert_bad(server.post(url, {"config": {"secrets": {kind: {name: []}}}, "extra": 1}), "body")
    assert_bad(server.post(url, {"secrets": {kind: {name: []}}, "more": 1}), "body")
    assert_bad(server.post(url, {"secrets": {kind: []}}), f"secrets.{kind}")


def test_content_is_stored_as_sent(server, owner):
    """The spec shows "<ENC>": clients may send base64; the server keeps what it gets."""
    kind, name = owner
    content = "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCg==\n  with spaces and ünïcode\n"
    assert post_secrets(server, kind, name, [item("b64", content, "/etc/key.pem")]).status_code == 201
    assert secrets_of(server, kind, name)["b64"]["content"] == content
    assert post_secrets(server, kind, name, [item("empty", "", "/etc/empty")]).status_code == 201
    assert secrets_of(server, kind, name)["empty"]["content"] == ""


# -- one secret ------------------------------------------------------------------------

def test_get_one_secret(server, owner):
    kind, name = owner
    post_secrets(server, kind, name, [item("software license", "lic", "/etc/app/license.lic"),
                                      item("other", "o", "/o")])
    answer = server.get(f"/config/secrets/{kind}/{name}/software%20license")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"config": {"secrets": {kind: {name: [
        {"secretname": "software license", "content": "lic", "path": "/etc/app/license.lic"}]}}}}


def test_post_one_secret_creates_changes_or_changes_nothing(server, owner):
    kind, name = owner
    url = "/software%20license"
    answer = post_secrets(server, kind, name, [item("software license", "v1", "/etc/app/license.lic")], url)
    assert answer.status_code == 201, answer.text
    answer = post_secrets(server, kind, name, [item("software license", "v1", "/etc/app/license.lic")], url)
    assert answer.status_code == 200, answer.text
    answer = post_secrets(server, kind, name, [{"content": "v2"}], url)  # secretname is optional
    assert answer.status_code == 204, answer.text
    assert secrets_of(server, kind, name) == {"software license": {"content": "v2", "path": "/etc/app/license.lic"}}


def test_post_one_secret_accepts_the_spec_typo_secretname_colon(server, owner):
    kind, name = owner
    answer = post_secrets(server, kind, name, [{"secretname:": "software license", "content": "<ENC>",
                                                "path": "/etc/app/license.lic"}], "/software%20license")
    assert answer.status_code == 201, answer.text
    assert "software license" in secrets_of(server, kind, name)


def test_post_one_secret_refuses_bad_bodies(server, owner):
    kind, name = owner
    url = "/one"
    assert_bad(post_secrets(server, kind, name, [item("other", "c")], url), "secrets.0.secretname")
    assert_bad(post_secrets(server, kind, name, [], url), "secrets")
    assert_bad(post_secrets(server, kind, name, [item("one", "c"), item("one", "c")], url), "secrets")
    assert_bad(post_secrets(server, kind, name, [{"path": "/no-content"}], url), "secrets.0.content")
    assert_bad(post_secrets(server, kind, name, [{"secretname": "one", "secretname:": "one", "content": "c"}],
                            url), "secrets.0.secretname:")
    assert_bad(server.post(f"/config/secrets/{kind}/{name}/bad%20", secrets_body(kind, name, [{"content": "c"}])),
               "secretname")
    assert secrets_of(server, kind, name) == {}


# -- clone and delete ---------------------------------------------------------------------

def clone(server, kind, name, secretname, fields):
    return post_secrets(server, kind, name, [fields], f"/{secretname}/_clone")


def test_clone_copies_a_secret(server, owner):
    kind, name = owner
    post_secrets(server, kind, name, [item("software license", "lic", "/etc/app/license.lic")])
    answer = clone(server, kind, name, "software%20license",
                   {"secretname": "software license", "newsecretname": "software license2"})
    assert answer.status_code == 201, answer.text
    assert "software license2" in answer.json()["message"]
    answer = clone(server, kind, name, "software%20license",
                   {"newsecretname": "changed copy", "content": "new", "path": "/etc/other"})
    assert answer.status_code == 201, answer.text
    assert secrets_of(server, kind, name) == {
        "software license": {"content": "lic", "path": "/etc/app/license.lic"},
        "software license2": {"content": "lic", "path": "/etc/app/license.lic"},
        "changed copy": {"content": "new", "path": "/etc/other"}}


def test_clone_errors(server, owner):
    kind, name = owner
    post_secrets(server, kind, name, [item("src", "s", "/src"), item("taken", "t", "/taken")])
    assert_error(clone(server, kind, name, "src", {"newsecretname": "taken"}), 409, "secrets.0.newsecretname")
    assert_bad(clone(server, kind, name, "src", {"content": "x"}), "secrets.0.newsecretname")
    assert_bad(clone(server, kind, name, "src", {"newsecretname": "a/b"}), "secrets.0.newsecretname")
    assert_bad(clone(server, kind, name, "src", {"secretname": "taken", "newsecretname": "n"}),
               "secrets.0.secretname")
    assert_error(clone(server, kind, name, "missing", {"newsecretname": "n"}), 404)
    assert_error(post_secrets(server, kind, "nobody", [{"newsecretname": "n"}], "/src/_clone"), 404)
    assert set(secrets_of(server, kind, name)) == {"src", "taken"}


def test_delete_with_get_and_post_is_unsupported(server, owner):
    kind, name = owner
    post_secrets(server, kind, name, [item("software license", "lic", "/l"), item("stays", "s", "/s")])
    url = f"/config/secrets/{kind}/{name}/software%20license/_delete"
    assert_error(server.post(url), 400)
    assert "software license" in secrets_of(server, kind, name)
    answer = server.get(url)
    assert answer.status_code == 204, answer.text
    assert answer.text == ""
    assert set(secrets_of(server, kind, name)) == {"stays"}
    assert_error(server.get(url), 404)


@pytest.mark.parametrize("kind", ["node", "group"])
def test_unknown_owners_and_secrets_are_404(server, kind):
    owner_name = unique("missing")
    base = f"/config/secrets/{kind}/{owner_name}"
    assert_error(server.get(base), 404)
    assert_error(post_secrets(server, kind, owner_name, [item("a", "c")]), 404)
    assert_error(server.get(f"{base}/a"), 404)
    assert_error(post_secrets(server, kind, owner_name, [item("a", "c")], "/a"), 404)
    assert_error(server.get(f"{base}/a/_delete"), 404)
    group = unique("mgrp")
    make_group(server, group)
    name = group
    if kind == "node":
        name = unique("mnode")
        make_node(server, name, group)
    body = assert_error(server.get(f"/config/secrets/{kind}/{name}/nothing%20here"), 404)
    assert "nothing here" in body["message"]
    assert_error(server.get(f"/config/secrets/{kind}/{name}/nothing/_delete"), 404)


# -- deleting the owner ------------------------------------------------------------------

def test_deleting_a_node_or_group_deletes_its_secrets(server):
    group, node = unique("dgrp"), unique("dnode")
    make_group(server, group)
    make_node(server, node, group)
    post_secrets(server, "node", node, [item("n1", "x"), item("n2", "y")])
    post_secrets(server, "group", group, [item("g1", "z")])
    count = select(secret.c.id)
    before = len(query(server, count))
    assert server.get(f"/config/node/{node}/_delete").status_code == 204
    assert len(query(server, count)) == before - 2
    assert node not in view(server, "/config/secrets")["node"]
    assert_error(server.get(f"/config/secrets/node/{node}"), 404)
    assert server.get(f"/config/group/{group}/_delete").status_code == 204
    assert len(query(server, count)) == before - 3
    assert group not in view(server, "/config/secrets")["group"]
    # a new owner of the same name starts without secrets
    make_group(server, group)
    assert view(server, f"/config/secrets/group/{group}") == {"group": {group: []}}


def test_renamed_owners_keep_their_secrets_and_clones_start_without(server):
    group, node = unique("cgrp"), unique("cnode")
    make_group(server, group)
    make_node(server, node, group)
    post_secrets(server, "node", node, [item("n", "x", "/n")])
    post_secrets(server, "group", group, [item("g", "y", "/g")])
    assert server.save("node", node, {"newhostname": node + "r"}).status_code == 204
    assert secrets_of(server, "node", node + "r") == {"n": {"content": "x", "path": "/n"}}
    assert server.save("node", node + "r", {"newhostname": node + "c"}, "/_clone").status_code == 201
    assert secrets_of(server, "node", node + "c") == {}
    assert server.save("group", group, {"newgroupname": group + "c"}, "/_clone").status_code == 201
    assert secrets_of(server, "group", group + "c") == {}
    assert secrets_of(server, "group", group) == {"g": {"content": "y", "path": "/g"}}


# -- who may read and write ---------------------------------------------------------------

@pytest.fixture(scope="module")
def readonly(server):
    return make_admin(server, "secrets-reader", ["role.readonly"])


@pytest.fixture(scope="module")
def fulladmin(server):
    return make_admin(server, "secrets-admin", ["role.fulladmin"])


def test_readonly_admin_neither_reads_nor_writes_secrets(server, readonly):
    group, node = unique("pgrp"), unique("pnode")
    make_group(server, group)
    make_node(server, node, group)
    post_secrets(server, "node", node, [item("s", "hidden", "/s")])
    headers = {"x-access-tokens": readonly}
    assert server.get(f"/config/node/{node}", headers=headers).status_code == 200  # config.read is enough there
    for path in ("/config/secrets", f"/config/secrets/node/{node}", f"/config/secrets/node/{node}/s",
                 f"/config/secrets/group/{group}", f"/config/secrets/node/{node}/s/_delete"):
        body = assert_error(server.get(path, headers=headers), 403)
        assert "hidden" not in body["message"]
    for path in (f"/config/secrets/node/{node}", f"/config/secrets/node/{node}/s",
                 f"/config/secrets/node/{node}/s/_clone", "/config/secrets",
                 f"/config/secrets/node/{node}/s/_delete"):
        assert_error(server.post(path, secrets_body("node", node, [item("s", "x")]), headers=headers), 403)
    assert secrets_of(server, "node", node) == {"s": {"content": "hidden", "path": "/s"}}


def test_fulladmin_reads_and_writes_secrets(server, fulladmin):
    group = unique("fgrp")
    make_group(server, group)
    headers = {"x-access-tokens": fulladmin}
    answer = server.post(f"/config/secrets/group/{group}", secrets_body("group", group, [item("f", "v")]),
                         headers=headers)
    assert answer.status_code == 201, answer.text
    answer = server.get(f"/config/secrets/group/{group}/f", headers=headers)
    assert answer.status_code == 200, answer.text


def test_no_token_is_401(server):
    headers = {"x-access-tokens": ""}
    assert_error(server.get("/config/secrets", headers=headers), 401)
    assert_error(server.get("/config/secrets/group/any", headers=headers), 401)
    assert_error(server.post("/config/secrets/group/any", {}, headers=headers), 401)
    assert_error(server.post("/config/secrets", {}, headers=headers), 401)


# -- the content stays secret --------------------------------------------------------------

@pytest.fixture(scope="module")
def stored(server):
    """A node and a group with secrets whose plain text is known; and a cloned and a changed one."""
    group, node = unique("xgrp"), unique("xnode")
    make_group(server, group)
    make_node(server, node, group)
    texts = [plain_text() for dummy in range(4)]
    assert post_secrets(server, "node", node, [item("at rest", texts[0], "/etc/rest")]).status_code == 201
    assert post_secrets(server, "group", group, [item("at rest", texts[1], "/etc/rest")],
                        "/at%20rest").status_code == 201
    assert clone(server, "group", group, "at%20rest", {"newsecretname": "clone", "content": texts[2]}).status_code == 201
    assert post_secrets(server, "node", node, [item("at rest", texts[3])]).status_code == 204
    return texts


def test_content_is_encrypted_at_rest(server, stored):
    tokens = [row.content for row in query(server, select(secret.c.content))]
    for text in stored[1:]:
        assert not any(text in token for token in tokens)
        assert text in [decrypt(server, token) for token in tokens]
    assert all(token.startswith("gAAAAA") for token in tokens)  # Fernet tokens
    if server.backend == "sqlite":
        db = server.db.removeprefix("sqlite:///")
        for path in (db, db + "-wal"):
            if os.path.exists(path):
                with open(path, "rb") as handle:
                    data = handle.read()
                for text in stored:
                    assert text.encode() not in data, path


def test_key_file_is_private(server):
    assert stat.S_IMODE(os.stat(key_file(server)).st_mode) == 0o600
    assert len(keys(server)) == 1


def test_content_never_reaches_the_log(server, stored):
    readable = [s["content"] for s in view(server, "/config/secrets")["group"].values() for s in s]
    assert stored[1] in readable
    output = server.output()
    for text in stored:
        assert text not in output


def test_content_never_reaches_the_journal(server, stored):
    entries = query(server, select(journal.c.function, journal.c.object, journal.c.payload))
    written = [e for e in entries if e.function.startswith("secrets.")]
    assert {e.function for e in written} >= {"secrets.save_all", "secrets.save", "secrets.clone"}
    assert any("********" in (e.payload or "") for e in written)
    for entry in entries:
        for text in stored:
            assert text not in (entry.payload or "")


# -- the OpenAPI document ----------------------------------------------------------------

@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    """The paths of the OpenAPI document, built in-process from the routes."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('openapi') / 'unused.db'}", pool_size=1)
    yield document(create_app(engine, Settings(secret_key="x")))["paths"]
    engine.dispose()


def valid(schema, instance):
    return list(OAS30Validator(schema).iter_errors(instance)) == []


def test_bodies_and_answers_match_the_openapi_document(server, paths):
    group, node = unique("ogrp"), unique("onode")
    make_group(server, group)
    make_node(server, node, group)
    post_secrets(server, "group", group, [item("g", "1", "/g")])
    post_secrets(server, "node", node, [item("n", "2")])
    for kind, name in (("node", node), ("group", group)):
        base = f"/config/secrets/{kind}/{{name}}"
        request = paths[base]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert valid(request, secrets_body(kind, name, [item("a", "c", "/a")]))
        assert valid(request, secrets_body(kind, name, [item("a", "c")], envelope=False))
        assert not valid(request, secrets_body(kind, name, [{"secretname": "a", "bogus": 1}]))
        clone_request = paths[base + "/{secret}/_clone"]["post"]["requestBody"]["content"]["application/json"]
        assert valid(clone_request["schema"], secrets_body(kind, name, [{"newsecretname": "b"}]))
    for url, template in (("/config/secrets", "/config/secrets"),
                          (f"/config/secrets/node/{node}", "/config/secrets/node/{name}"),
                          (f"/config/secrets/node/{node}/n", "/config/secrets/node/{name}/{secret}"),
                          (f"/config/secrets/group/{group}", "/config/secrets/group/{name}"),
                          (f"/config/secrets/group/{group}/g", "/config/secrets/group/{name}/{secret}")):
        answer = server.get(url)
        assert answer.status_code == 200, answer.text
        schema = paths[template]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert valid(schema, answer.json()), url
