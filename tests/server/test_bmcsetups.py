"""/config/bmcsetup over HTTP: CRUD, rename, clone, delete, members, and the password.

The password is stored encrypted and shown only to principals that may read
secrets (the superadmin, full admins); a read-only admin's records leave the
key out. Every test uses its own names: the server is shared by the module.
"""

import os

import pytest
import requests
import sqlalchemy

from cairn.db.engine import make_engine
from conftest import assert_bad, assert_error, make_admin, make_group, make_node, members

SPEC_DELL = {"mgmtchannel": 1, "netchannel": 1, "password": "calvin", "username": "root",
             "userid": 2, "comment": "Default DELL", "unmanaged_bmc_users": "skip", "protocol": "ipmi"}


def make_bmcsetup(server, name, **fields):
    answer = server.save("bmcsetup", name, {**SPEC_DELL, **fields})
    assert answer.status_code == 201, answer.text
    return answer


def as_principal(server, token, path):
    answer = requests.get(server.url + path, headers={"x-access-tokens": token})
    assert answer.status_code == 200, answer.text
    return answer.json()["config"]["bmcsetup"]


def database_holds(server, text):
    """Whether ``text`` is anywhere in the server's database: in the SQLite files
    (main file and write-ahead log), or in any row of any PostgreSQL table."""
    if server.backend == "sqlite":
        folder = server.data_dir
        return any(text.encode() in open(os.path.join(folder, f), "rb").read()
                   for f in os.listdir(folder) if f.startswith("cairn.db"))
    engine = make_engine(server.db, pool_size=1)
    try:
        with engine.connect() as conn:
            tables = sqlalchemy.inspect(conn).get_table_names()
            return any(text in str(tuple(row)) for table in tables
                       for row in conn.exec_driver_sql(f'SELECT * FROM "{table}"'))
    finally:
        engine.dispose()


# -- list, get, create, update ---------------------------------------------------

def test_create_answers_201_and_get_reads_the_spec_example_back(server):
    answer = server.save("bmcsetup", "dell", SPEC_DELL)
    assert answer.status_code == 201, answer.text
    assert server.record("bmcsetup", "dell") == SPEC_DELL


def test_list_shows_every_bmcsetup(server):
    make_bmcsetup(server, "list-a")
    make_bmcsetup(server, "list-b", username="admin", password="password", comment=None)
    answer = server.get("/config/bmcsetup")
    assert answer.status_code == 200, answer.text
    setups = answer.json()["config"]["bmcsetup"]
    assert setups["list-a"] == SPEC_DELL
    assert setups["list-b"] == {**SPEC_DELL, "username": "admin", "password": "password", "comment": None}


def test_unknown_bmcsetup_is_404_on_every_route(server):
    assert_error(server.get("/config/bmcsetup/nosuch"), 404)
    assert_error(server.get("/config/bmcsetup/nosuch/_list"), 404)
    assert_error(server.get("/config/bmcsetup/nosuch/_delete"), 404)
    assert_error(server.save("bmcsetup", "nosuch", {"newbmcname": "other"}, "/_clone"), 404)


def test_update_answers_204_and_changes_only_what_is_given(server):
    make_bmcsetup(server, "upd")
    answer = server.save("bmcsetup", "upd", {"netchannel": 8, "comment": None})
    assert answer.status_code == 204, answer.text
    assert server.record("bmcsetup", "upd") == {**SPEC_DELL, "netchannel": 8, "comment": None}


def test_minimal_bmcsetup_has_every_field_null(server):
    assert server.save("bmcsetup", "bare", {}).status_code == 201
    # protocol is never null: ipmi unless the setup says redfish.
    assert server.record("bmcsetup", "bare") == {**{field: None for field in SPEC_DELL}, "protocol": "ipmi"}


def test_requests_without_a_token_are_refused(server):
    no_token = {"x-access-tokens": ""}
    assert requests.get(server.url + "/config/bmcsetup", headers=no_token).status_code == 401
    assert requests.get(server.url + "/config/bmcsetup/x/_list", headers=no_token).status_code == 401
    answer = requests.post(server.url + "/config/bmcsetup/anon", headers=no_token,
                           json={"config": {"bmcsetup": {"anon": {}}}})
    assert answer.status_code == 401
    assert_error(server.get("/config/bmcsetup/anon"), 404)


@pytest.mark.parametrize("fields, field", [
    ({"mgmtchannel": 16}, "mgmtchannel"),
    ({"mgmtchannel": -1}, "mgmtchannel"),
    ({"mgmtchannel": "1"}, "mgmtchannel"),
    ({"netchannel": True}, "netchannel"),
    ({"netchannel": 1.5}, "netchannel"),
    ({"userid": 0}, "userid"),
    ({"userid": 64}, "userid"),
    ({"unmanaged_bmc_users": "keep"}, "unmanaged_bmc_users"),
    ({"unmanaged_bmc_users": 1}, "unmanaged_bmc_users"),
    ({"username": "u" * 17}, "username"),
    ({"username": ""}, "username"),
    ({"password": "p" * 21}, "password"),
    ({"password": "tab\there"}, "password"),
    ({"password": "pässword"}, "password"),
    ({"comment": 5}, "comment"),
    ({"colour": "red"}, "colour"),
    ({"newbmcname": "bad_name"}, "newbmcname"),
])
def test_invalid_fields_are_refused_naming_the_field(server, fields, field):
    assert_bad(server.save("bmcsetup", "invalid", fields), field)
    assert_error(server.get("/config/bmcsetup/invalid"), 404)


def test_ipmi_limits_are_accepted(server):
    limits = {"userid": 63, "mgmtchannel": 15, "netchannel": 0, "username": "u" * 16,
              "password": "p" * 19 + "~", "unmanaged_bmc_users": "delete"}
    assert server.save("bmcsetup", "limits", limits).status_code == 201
    assert server.save("bmcsetup", "limits", {"userid": 1, "unmanaged_bmc_users": "disable"}).status_code == 204
    assert server.record("bmcsetup", "limits") == {
        **limits, "userid": 1, "unmanaged_bmc_users": "disable", "comment": None, "protocol": "ipmi"}


def test_invalid_update_changes_nothing(server):
    make_bmcsetup(server, "keep")
    assert_bad(server.save("bmcsetup", "keep", {"netchannel": 2, "mgmtchannel": 99}), "mgmtchannel")
    assert server.record("bmcsetup", "keep") == SPEC_DELL


def test_invalid_name_in_the_url_is_refused(server):
    assert_bad(server.save("bmcsetup", "bad_name", {}), "name")


# -- rename and clone ------------------------------------------------------------

def test_rename_keeps_the_groups_pointing_at_it(server):
    make_bmcsetup(server, "ren-old")
    make_group(server, "ren-group", bmcsetupname="ren-old")
    answer = server.save("bmcsetup", "ren-old", {"newbmcname": "ren-new", "userid": 3})
    assert answer.status_code == 204, answer.text
    assert_error(server.get("/config/bmcsetup/ren-old"), 404)
    assert server.record("bmcsetup", "ren-new") == {**SPEC_DELL, "userid": 3}
    assert server.record("group", "ren-group")["bmcsetupname"] == "ren-new"


def test_rename_onto_an_existing_name_is_409(server):
    make_bmcsetup(server, "ren-a")
    make_bmcsetup(server, "ren-b", userid=5)
    assert_error(server.save("bmcsetup", "ren-a", {"newbmcname": "ren-b", "userid": 9}), 409, "newbmcname")
    assert server.record("bmcsetup", "ren-a") == SPEC_DELL
    assert server.record("bmcsetup", "ren-b")["userid"] == 5


def test_clone_copies_everything_the_body_does_not_change(server):
    make_bmcsetup(server, "cl-src")
    answer = server.save("bmcsetup", "cl-src", {"newbmcname": "cl-copy", "username": "admin"}, "/_clone")
    assert answer.status_code == 201, answer.text
    assert server.record("bmcsetup", "cl-copy") == {**SPEC_DELL, "username": "admin"}
    assert server.record("bmcsetup", "cl-src") == SPEC_DELL


def test_clone_as_the_spec_shows_it(server):
    make_bmcsetup(server, "spec-src", password="other")
    answer = server.save("bmcsetup", "spec-src", {"newbmcname": "spec-copy", **SPEC_DELL}, "/_clone")
    assert answer.status_code == 201, answer.text
    assert server.record("bmcsetup", "spec-copy") == SPEC_DELL


def test_clone_needs_a_new_free_name(server):
    make_bmcsetup(server, "cl2-src")
    make_bmcsetup(server, "cl2-taken")
    assert_bad(server.save("bmcsetup", "cl2-src", {"userid": 4}, "/_clone"), "newbmcname")
    assert_error(server.save("bmcsetup", "cl2-src", {"newbmcname": "cl2-taken"}, "/_clone"),
                 409, "newbmcname")
    assert_bad(server.save("bmcsetup", "cl2-src", {"newbmcname": "no_good"}, "/_clone"), "newbmcname")
    assert_bad(server.save("bmcsetup", "cl2-src", {"newbmcname": "cl2-x", "netchannel": 16}, "/_clone"),
               "netchannel")
    assert_error(server.get("/config/bmcsetup/cl2-x"), 404)


# -- members and delete ----------------------------------------------------------

def test_members_are_the_nodes_of_the_groups_using_it(server):
    make_bmcsetup(server, "mem")
    make_group(server, "mem-g1", bmcsetupname="mem")
    make_group(server, "mem-g2", bmcsetupname="mem")
    make_group(server, "mem-other")
    for node, group in (("mem-n3", "mem-g2"), ("mem-n1", "mem-g1"), ("mem-n2", "mem-other")):
        make_node(server, node, group)
    assert members(server, "bmcsetup", "mem") == ["mem-n1", "mem-n3"]
    assert server.save("group", "mem-g2", {"bmcsetupname": None}).status_code == 204
    assert members(server, "bmcsetup", "mem") == ["mem-n1"]


def test_members_of_an_unused_bmcsetup_is_empty(server):
    make_bmcsetup(server, "mem-none")
    assert members(server, "bmcsetup", "mem-none") == []


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_delete_answers_204_then_404(server, method):
    name = f"del-{method.lower()}"
    make_bmcsetup(server, name)
    assert server.http.request(method, f"{server.url}/config/bmcsetup/{name}/_delete").status_code == 204
    assert_error(server.get(f"/config/bmcsetup/{name}"), 404)
    assert_error(server.get(f"/config/bmcsetup/{name}/_delete"), 404)


def test_delete_while_a_group_uses_it_is_refused_naming_the_groups(server):
    make_bmcsetup(server, "used")
    for group in ("used-g1", "used-g2"):
        make_group(server, group, bmcsetupname="used")
    body = assert_error(server.get("/config/bmcsetup/used/_delete"), 400, "bmcsetup")
    assert "used-g1" in body["message"] and "used-g2" in body["message"]
    assert server.record("bmcsetup", "used") == SPEC_DELL
    for group in ("used-g1", "used-g2"):
        assert server.save("group", group, {"bmcsetupname": None}).status_code == 204
    assert server.get("/config/bmcsetup/used/_delete").status_code == 204


# -- the password --------------------------------------------------------------

def test_password_is_hidden_from_a_read_only_admin(server):
    make_bmcsetup(server, "hidden", password="hidden-pw-1")
    reader = make_admin(server, "bmc-reader", ["role.readonly"])
    shown = as_principal(server, reader, "/config/bmcsetup/hidden")["hidden"]
    assert "password" not in shown
    assert shown == {key: value for key, value in SPEC_DELL.items() if key != "password"}
    listed = as_principal(server, reader, "/config/bmcsetup")
    assert all("password" not in setup for setup in listed.values())
    assert "hidden-pw-1" not in str(listed)


def test_password_is_shown_to_a_full_admin(server):
    make_bmcsetup(server, "full", password="full-pw-2")
    admin = make_admin(server, "bmc-admin", ["role.fulladmin"])
    assert as_principal(server, admin, "/config/bmcsetup/full")["full"]["password"] == "full-pw-2"
    assert as_principal(server, admin, "/config/bmcsetup")["full"]["password"] == "full-pw-2"


def test_a_read_only_admin_cannot_write(server):
    reader = make_admin(server, "bmc-reader2", ["role.readonly"])
    answer = requests.post(server.url + "/config/bmcsetup/ro", headers={"x-access-tokens": reader},
                           json={"config": {"bmcsetup": {"ro": {"password": "x"}}}})
    assert_error(answer, 403)


def test_password_is_stored_encrypted(server):
    plain = "Plain-Text-77"
    make_bmcsetup(server, "enc", password=plain)
    server.save("bmcsetup", "enc", {"newbmcname": "enc2"}, "/_clone")
    assert server.record("bmcsetup", "enc2")["password"] == plain
    assert database_holds(server, "enc2"), "the check must see what the database holds"
    assert not database_holds(server, plain)
    changed = "Changed-Text-78"
    assert server.save("bmcsetup", "enc", {"password": changed}).status_code == 204
    assert server.record("bmcsetup", "enc")["password"] == changed
    assert not database_holds(server, changed)


def test_password_can_be_cleared(server):
    make_bmcsetup(server, "clear")
    assert server.save("bmcsetup", "clear", {"password": None}).status_code == 204
    assert server.record("bmcsetup", "clear")["password"] is None
