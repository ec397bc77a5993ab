# -*- coding: utf-8 -*-
# Copyright: Cairn developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugins/module_utils/api.py against a real Cairn server (SQLite) on a loopback port.

ansible-test units runs these with the collection loader, so the client is
imported as every plugin imports it, and so is tests/conftest.py (the server
as a process), as collections import their test helpers.
"""

from __future__ import annotations

import json
import socket

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.cairn.cluster.plugins.module_utils.api import API_ARGUMENT_SPEC, CairnClient, CairnError

from ansible_collections.cairn.cluster.tests.conftest import ADMIN_PASSWORD, Server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = Server("sqlite", str(tmp_path_factory.mktemp("api-client")))
    yield running
    running.stop()


def test_a_token_reads_and_writes(server):
    client = CairnClient(server.url + "/", token=server.token)
    created = client.post("/config/network/cluster", {"config": {"network": {"cluster": {"network": "10.141.0.0/16"}}}})
    assert created == {"message": "network 'cluster' created"}
    network = client.get("/config/network/cluster")["config"]["network"]["cluster"]
    assert network["network"] == "10.141.0.0/16"


def test_a_username_and_password_are_traded_for_a_token_once(server):
    client = CairnClient(server.url, username="admin", password=ADMIN_PASSWORD)
    assert client.get("/version")["version"]["api"] == 1
    token = client.token()
    assert token and client.token() == token
    assert "version" in CairnClient(server.url, token=token).get("/version")


def test_a_refusal_carries_the_status_and_the_field(server):
    client = CairnClient(server.url, token=server.token)
    with pytest.raises(CairnError) as refused:
        client.post("/config/network/bad", {"config": {"network": {"bad": {"network": "not-a-network"}}}})
    assert refused.value.status == 400
    assert refused.value.field == "network"
    assert str(refused.value).startswith("POST /config/network/bad: 400 ")


def test_a_wrong_password_is_refused_without_showing_it(server):
    client = CairnClient(server.url, username="admin", password="wrong-password")
    with pytest.raises(CairnError) as refused:
        client.get("/config/network")
    assert refused.value.status == 401
    assert "wrong-password" not in str(refused.value)


def test_an_unreachable_server_has_no_status():
    with socket.socket() as closed:  # a port nothing listens on: bound, never listening
        closed.bind(("127.0.0.1", 0))
        url = "http://127.0.0.1:%d" % closed.getsockname()[1]
        with pytest.raises(CairnError) as unreachable:
            CairnClient(url, token="any", timeout=5).get("/version")
    assert unreachable.value.status is None
    assert url in str(unreachable.value)


@pytest.mark.parametrize("options, missing", [
    ({"url": "", "token": "t"}, "url is required"),
    ({"url": "http://127.0.0.1:1"}, "a token"),
    ({"url": "http://127.0.0.1:1", "username": "admin"}, "a token"),
])
def test_the_client_needs_a_url_and_credentials(options, missing):
    with pytest.raises(CairnError, match=missing):
        CairnClient(**options)


def test_the_argument_spec_falls_back_to_the_environment(server, monkeypatch):
    monkeypatch.setenv("CAIRN_URL", server.url)
    monkeypatch.setenv("CAIRN_TOKEN", server.token)
    # How a module receives its arguments; 2.19 also needs the serialization profile.
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": {}})))
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy")
    module = basic.AnsibleModule(argument_spec=API_ARGUMENT_SPEC)
    assert module.params["url"] == server.url
    assert server.token in module.no_log_values
    assert module.params["validate_certs"] is True and module.params["timeout"] == 30
    assert CairnClient.from_params(module.params).get("/version")["version"]["api"] == 1
