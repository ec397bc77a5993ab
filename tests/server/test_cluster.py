"""/config/cluster: the configurable settings, and the read-only controllers.

Tests that change settings restore nothing: each asserts on the values it
wrote itself, so their order does not matter.
"""

import pytest

from conftest import assert_error

SETTINGS = ("ntp_server", "debug", "technical_contacts", "provision_method", "provision_fallback")


def cluster(server):
    answer = server.get("/config/cluster")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert list(body) == ["config"] and list(body["config"]) == ["cluster"]
    return body["config"]["cluster"]


def controllers(content):
    return {name: value for name, value in content.items() if isinstance(value, dict)}


def save(server, fields):
    return server.post("/config/cluster", {"config": {"cluster": fields}})


def this_controller(server):
    """The controller entry of the server under test (it registers itself on start)."""
    found = [name for name, entry in controllers(cluster(server)).items()
             if entry["serverport"] == server.port]
    assert len(found) == 1, cluster(server)
    return found[0]


def test_get_shows_the_controller_and_the_settings(server):
    content = cluster(server)
    for key in SETTINGS:
        assert key in content
    entries = controllers(content)
    assert entries, content
    for entry in entries.values():
        assert {"status", "ipaddr", "serverport"} <= set(entry)
        assert isinstance(entry["status"], str) and entry["status"]
        assert isinstance(entry["serverport"], int)
    entry = entries[this_controller(server)]
    assert entry["ipaddr"] == "127.0.0.1"
    assert entry["serverport"] == server.port
    assert entry["status"] == "active"


def test_types_of_the_settings(server):
    content = cluster(server)
    assert isinstance(content["debug"], bool)
    assert content["provision_method"] in ("torrent", "http")
    assert content["provision_fallback"] in ("torrent", "http")
    for key in ("ntp_server", "technical_contacts"):
        assert content[key] is None or isinstance(content[key], str)


def test_update_the_five_settings(server):
    before = cluster(server)
    fields = {"ntp_server": "10.141.255.252", "debug": True, "technical_contacts": "root@localhost",
              "provision_method": "http", "provision_fallback": "torrent"}
    answer = save(server, fields)
    assert answer.status_code == 204, answer.text
    assert answer.text == ""
    after = cluster(server)
    for key, value in fields.items():
        assert after[key] == value
    assert controllers(after) == controllers(before)

    # the spec's example body
    spec = {"ntp_server": "10.141.255.252", "debug": False, "technical_contacts": "root@localhost",
            "provision_method": "torrent", "provision_fallback": "http"}
    assert save(server, spec).status_code == 204
    after = cluster(server)
    for key, value in spec.items():
        assert after[key] == value


def test_partial_update_keeps_the_rest(server):
    assert save(server, {"ntp_server": "ntp1.example.org", "technical_contacts": "ops@example.org",
                         "debug": False}).status_code == 204
    assert save(server, {"debug": True}).status_code == 204
    content = cluster(server)
    assert content["debug"] is True
    assert content["ntp_server"] == "ntp1.example.org"
    assert content["technical_contacts"] == "ops@example.org"

    # null clears the optional settings
    assert save(server, {"ntp_server": None, "technical_contacts": None}).status_code == 204
    content = cluster(server)
    assert content["ntp_server"] is None and content["technical_contacts"] is None
    assert content["debug"] is True


def test_an_empty_update_changes_nothing(server):
    before = cluster(server)
    assert save(server, {}).status_code == 204
    assert cluster(server) == before


def test_controllers_are_read_only(server):
    name = this_controller(server)
    before = cluster(server)
    for value in ({"status": "standby"}, {"ipaddr": "10.0.0.1", "serverport": 1}, "x", None, {}):
        body = assert_error(save(server, {name: value}), 400, name)
        assert name in body["message"]
    # with a valid change alongside, nothing at all is written
    assert_error(save(server, {"debug": not before["debug"], name: {"status": "standby"}}), 400, name)
    assert cluster(server) == before


def test_a_new_controller_cannot_be_added(server):
    before = cluster(server)
    body = assert_error(save(server, {"controller9": {"status": "primary", "ipaddr": "10.141.255.250",
                                                      "serverport": 7050}}), 400, "controller9")
    assert "controller9" in body["message"]
    assert cluster(server) == before


@pytest.mark.parametrize("fields, field", [
    ({"colour": "blue"}, "colour"),
    ({"provisioning_method": "http"}, "provisioning_method"),
    ({"provision_method": "ftp"}, "provision_method"),
    ({"provision_method": None}, "provision_method"),
    ({"provision_method": 1}, "provision_method"),
    ({"provision_fallback": "rsync"}, "provision_fallback"),
    ({"provision_fallback": None}, "provision_fallback"),
    ({"debug": "yes"}, "debug"),
    ({"debug": 1}, "debug"),
    ({"debug": None}, "debug"),
    ({"ntp_server": 5}, "ntp_server"),
    ({"ntp_server": "n" * 256}, "ntp_server"),
    ({"technical_contacts": ["root"]}, "technical_contacts"),
    ({"name": "other"}, "name"),
    ({"domain": "example.org"}, "domain"),
])
def test_invalid_update_is_400_naming_the_field(server, fields, field):
    before = cluster(server)
    assert_error(save(server, {**fields, "technical_contacts": "changed@example.org"}
                      if field != "technical_contacts" else fields), 400, field)
    assert cluster(server) == before


@pytest.mark.parametrize("body, field", [
    ({"config": {"cluster": []}}, "config.cluster"),
    ({"config": {"cluster": "debug"}}, "config.cluster"),
    ({"config": {"network": {"debug": True}}}, "network"),
    ({"config": {"cluster": {"debug": True}}, "extra": 1}, "extra"),
    ({"cluster": {"debug": True}}, "config"),
    ([], "config"),
])
def test_malformed_envelope_is_400(server, body, field):
    before = cluster(server)
    assert_error(server.post("/config/cluster", body), 400, field)
    assert cluster(server) == before


def test_token_is_required(server):
    before = cluster(server)
    for headers in ({"x-access-tokens": None}, {"x-access-tokens": "not-a-token"}):
        answer = server.http.get(server.url + "/config/cluster", headers=headers)
        body = assert_error(answer, 401)
        assert "config" not in body
        answer = server.http.post(server.url + "/config/cluster", headers=headers,
                                  json={"config": {"cluster": {"debug": not before["debug"]}}})
        assert_error(answer, 401)
    assert cluster(server) == before
